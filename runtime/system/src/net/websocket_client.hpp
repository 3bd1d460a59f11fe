// An asynchronous WebSocket client on an io_context (snowd's link to the
// scheduler): connect, then whole text messages in and out, in order.
#pragma once

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <string>

namespace snow::system {

class WebSocketClient {
public:
  struct Callbacks {
    std::function<void()> on_open;
    std::function<void(const std::string &)> on_message;
    std::function<void(const std::string &why)> on_close; // also when connecting fails
  };

  WebSocketClient(boost::asio::io_context &io, Callbacks callbacks);
  ~WebSocketClient();
  void connect(const std::string &host, unsigned short port);
  void send(std::string text);
  bool is_open() const;

private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

} // namespace snow::system
