#include "blocking_client.hpp"

#include "protocol/protocol_error.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <deque>
#include <stdexcept>

namespace snow::system {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct BlockingClient::Impl {
  net::io_context io;
  websocket::stream<tcp::socket> ws{io};
  beast::flat_buffer buffer;
  std::deque<Message> events;
};

BlockingClient::BlockingClient() : impl_(std::make_unique<Impl>()) {}
BlockingClient::~BlockingClient() = default;

void BlockingClient::connect(const std::string &host, unsigned short port) {
  try {
    tcp::resolver resolver(impl_->io);
    net::connect(impl_->ws.next_layer(), resolver.resolve(host, std::to_string(port)));
    impl_->ws.read_message_max(64u << 20);
    impl_->ws.handshake(host + ":" + std::to_string(port), "/");
  } catch (const boost::system::system_error &e) {
    throw std::runtime_error("cannot reach the scheduler at " + host + ":" + std::to_string(port) +
                             ": " + e.code().message());
  }
}

void BlockingClient::send_text(const std::string &text) {
  impl_->ws.text(true);
  beast::error_code ec;
  impl_->ws.write(net::buffer(text), ec);
  if (ec)
    throw std::runtime_error("the connection to the scheduler ended: " + ec.message());
}

std::string BlockingClient::read_text() {
  beast::error_code ec;
  impl_->buffer.consume(impl_->buffer.size());
  impl_->ws.read(impl_->buffer, ec);
  if (ec) {
    std::string why = ec.message();
    if (ec == websocket::error::closed && !impl_->ws.reason().reason.empty())
      why = impl_->ws.reason().reason.c_str();
    throw std::runtime_error("the connection to the scheduler ended: " + why);
  }
  return beast::buffers_to_string(impl_->buffer.data());
}

Json BlockingClient::request(const std::string &command, const Json &args) {
  const long id = next_id_++;
  send_text(make_request(id, command, args));
  for (;;) {
    Message message = parse_message(read_text(), SIZE_MAX);
    if (message.kind == MessageKind::Event) {
      impl_->events.push_back(std::move(message));
      continue;
    }
    if (message.kind != MessageKind::Reply || message.id != Json(id))
      continue;
    if (!message.ok)
      throw ProtocolError(message.body["code"].get<std::string>(),
                          message.body["message"].get<std::string>());
    return message.body;
  }
}

Message BlockingClient::next_event() {
  for (;;) {
    if (!impl_->events.empty()) {
      Message m = std::move(impl_->events.front());
      impl_->events.pop_front();
      return m;
    }
    Message message = parse_message(read_text(), SIZE_MAX);
    if (message.kind == MessageKind::Event)
      return message;
  }
}

int BlockingClient::native_handle() { return impl_->ws.next_layer().native_handle(); }

void BlockingClient::close() {
  beast::error_code ignored;
  impl_->ws.close(websocket::close_code::normal, ignored);
}

} // namespace snow::system
