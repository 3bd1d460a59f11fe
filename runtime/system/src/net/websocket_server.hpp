// The scheduler's WebSocket endpoint (Boost.Beast): a listener that accepts
// TCP connections and one session per peer, all on one io_context thread
// (the shape of Beast's websocket chat-multi example). Sessions hand whole
// text messages to a ConnectionHandler; a message above `hard_limit` bytes
// makes Beast close that connection with 1009 ("too big") — smaller
// oversized messages are the handler's to refuse with an error reply.
#pragma once

#include "connection.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstddef>
#include <memory>
#include <string>

namespace snow::system {

class WebSocketServer {
public:
  WebSocketServer(boost::asio::io_context &io, ConnectionHandler &handler, std::size_t hard_limit);
  ~WebSocketServer();
  // Binds and listens; port 0 picks a free port. Throws on failure.
  void listen(const std::string &address, unsigned short port);
  unsigned short port() const;

private:
  void accept();

  boost::asio::io_context &io_;
  ConnectionHandler &handler_;
  std::size_t hard_limit_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint64_t next_id_ = 1;
};

} // namespace snow::system
