#include "websocket_server.hpp"

#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <deque>
#include <iostream>

namespace snow::system {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

class Session : public Connection, public std::enable_shared_from_this<Session> {
public:
  Session(tcp::socket socket, ConnectionHandler &handler, std::size_t hard_limit, std::uint64_t id)
      : ws_(std::move(socket)), handler_(handler), id_(id) {
    ws_.read_message_max(hard_limit);
  }

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type &res) {
      res.set(beast::http::field::server, "snow-scheduler");
    }));
    ws_.async_accept(beast::bind_front_handler(&Session::on_accept, shared_from_this()));
  }

  void send(std::string text) override {
    if (closed_)
      return;
    queue_.push_back(std::move(text));
    if (queue_.size() == 1 && open_)
      write_next();
  }

  void close(const std::string &reason) override {
    if (closed_)
      return;
    close_reason_ = reason;
    closing_ = true;
    if (queue_.empty() && open_)
      do_close();
  }

  std::uint64_t id() const override { return id_; }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return; // a failed handshake never was a connection
    open_ = true;
    handler_.on_open(shared_from_this());
    if (!queue_.empty())
      write_next();
    read();
  }

  void read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return finish();
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    if (!ws_.got_text())
      text = "\x01binary frame"; // never valid JSON: gets an error reply
    handler_.on_message(shared_from_this(), text);
    if (!closed_)
      read();
  }

  void write_next() {
    ws_.text(true);
    ws_.async_write(net::buffer(queue_.front()),
                    beast::bind_front_handler(&Session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec)
      return finish();
    queue_.pop_front();
    if (!queue_.empty())
      write_next();
    else if (closing_)
      do_close();
  }

  void do_close() {
    ws_.async_close(websocket::close_reason(websocket::close_code::policy_error, close_reason_),
                    [self = shared_from_this()](beast::error_code) { self->finish(); });
  }

  void finish() {
    if (closed_)
      return;
    closed_ = true;
    queue_.clear();
    if (open_)
      handler_.on_close(shared_from_this());
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  ConnectionHandler &handler_;
  std::uint64_t id_;
  std::deque<std::string> queue_;
  bool open_ = false, closing_ = false, closed_ = false;
  std::string close_reason_;
};

} // namespace

WebSocketServer::WebSocketServer(net::io_context &io, ConnectionHandler &handler,
                                 std::size_t hard_limit)
    : io_(io), handler_(handler), hard_limit_(hard_limit), acceptor_(io) {}

WebSocketServer::~WebSocketServer() = default;

void WebSocketServer::listen(const std::string &address, unsigned short port) {
  const tcp::endpoint endpoint(net::ip::make_address(address), port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(net::socket_base::max_listen_connections);
  accept();
}

unsigned short WebSocketServer::port() const { return acceptor_.local_endpoint().port(); }

void WebSocketServer::accept() {
  acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (!ec)
      std::make_shared<Session>(std::move(socket), handler_, hard_limit_, next_id_++)->run();
    if (acceptor_.is_open())
      accept();
  });
}

} // namespace snow::system
