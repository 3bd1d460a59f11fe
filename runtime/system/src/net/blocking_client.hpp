// A synchronous WebSocket client for the CLI and the tests: connect, say
// hello with the token, send requests and read replies and events in order.
#pragma once

#include "protocol/message.hpp"

#include <memory>
#include <string>

namespace snow::system {

class BlockingClient {
public:
  BlockingClient();
  ~BlockingClient();
  // Throws std::runtime_error when the scheduler cannot be reached.
  void connect(const std::string &host, unsigned short port);
  void send_text(const std::string &text);
  // The next message, raw; throws std::runtime_error when the connection ends.
  std::string read_text();
  // Sends a request and returns its reply; events read meanwhile go to
  // pending() in order. Throws ProtocolError for an error reply.
  Json request(const std::string &command, const Json &args = Json::object());
  // The next event (pending ones first); throws when the connection ends.
  Message next_event();
  void close();
  // The socket, for a signal handler that ends a blocking read with shutdown().
  int native_handle();

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  long next_id_ = 1;
};

} // namespace snow::system
