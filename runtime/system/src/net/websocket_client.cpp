#include "websocket_client.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <deque>

namespace snow::system {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct WebSocketClient::Impl : std::enable_shared_from_this<Impl> {
  Impl(net::io_context &io, Callbacks cb) : resolver(io), ws(io), callbacks(std::move(cb)) {}

  void connect(const std::string &h, unsigned short port) {
    host = h;
    resolver.async_resolve(
        h, std::to_string(port),
        [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type r) {
          if (ec)
            return self->fail("cannot resolve: " + ec.message());
          self->on_resolve(r);
        });
  }

  void on_resolve(const tcp::resolver::results_type &results) {
    beast::get_lowest_layer(ws).async_connect(
        results, [self = shared_from_this()](beast::error_code ec, tcp::endpoint endpoint) {
          if (ec)
            return self->fail("cannot connect: " + ec.message());
          self->ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
          self->ws.async_handshake(self->host + ":" + std::to_string(endpoint.port()), "/",
                                   [self](beast::error_code ec2) {
                                     if (ec2)
                                       return self->fail("handshake failed: " + ec2.message());
                                     self->open = true;
                                     if (self->callbacks.on_open)
                                       self->callbacks.on_open();
                                     if (!self->queue.empty())
                                       self->write_next();
                                     self->read();
                                   });
        });
  }

  void read() {
    ws.async_read(buffer, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return self->fail(ec == websocket::error::closed ? "closed by the scheduler"
                                                         : ec.message());
      std::string text = beast::buffers_to_string(self->buffer.data());
      self->buffer.consume(self->buffer.size());
      if (self->callbacks.on_message)
        self->callbacks.on_message(text);
      if (!self->failed)
        self->read();
    });
  }

  void send(std::string text) {
    if (failed)
      return;
    queue.push_back(std::move(text));
    if (queue.size() == 1 && open)
      write_next();
  }

  void write_next() {
    ws.text(true);
    ws.async_write(net::buffer(queue.front()),
                   [self = shared_from_this()](beast::error_code ec, std::size_t) {
                     if (ec)
                       return self->fail("write failed: " + ec.message());
                     self->queue.pop_front();
                     if (!self->queue.empty())
                       self->write_next();
                   });
  }

  void fail(const std::string &why) {
    if (failed)
      return;
    failed = true;
    open = false;
    queue.clear();
    beast::error_code ignored;
    beast::get_lowest_layer(ws).socket().close(ignored);
    if (callbacks.on_close)
      callbacks.on_close(why);
  }

  tcp::resolver resolver;
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;
  Callbacks callbacks;
  std::string host;
  std::deque<std::string> queue;
  bool open = false, failed = false;
};

WebSocketClient::WebSocketClient(net::io_context &io, Callbacks callbacks)
    : impl_(std::make_shared<Impl>(io, std::move(callbacks))) {}

WebSocketClient::~WebSocketClient() {
  impl_->callbacks = {};
  impl_->fail("client destroyed");
}

void WebSocketClient::connect(const std::string &host, unsigned short port) {
  impl_->connect(host, port);
}
void WebSocketClient::send(std::string text) { impl_->send(std::move(text)); }
bool WebSocketClient::is_open() const { return impl_->open; }

} // namespace snow::system
