// One peer of a WebSocket endpoint as the control plane's logic sees it,
// independent of Beast: send a text message, close, and an id for tables.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace snow::system {

class Connection {
public:
  virtual ~Connection() = default;
  // Queues one text message; messages leave in the order they were queued.
  virtual void send(std::string text) = 0;
  // Sends what is queued, then closes with `reason`.
  virtual void close(const std::string &reason) = 0;
  virtual std::uint64_t id() const = 0;
};

class ConnectionHandler {
public:
  virtual ~ConnectionHandler() = default;
  virtual void on_open(const std::shared_ptr<Connection> &connection) = 0;
  virtual void on_message(const std::shared_ptr<Connection> &connection,
                          const std::string &text) = 0;
  virtual void on_close(const std::shared_ptr<Connection> &connection) = 0;
};

} // namespace snow::system
