// The scheduler's connection and request limits, in front of its logic: a
// ConnectionHandler that passes connections and messages on to another one
// (the Scheduler) unless a limit says no.
//
//   --max-connections n          open WebSocket connections, hosts included (default 256);
//                                one more gets `too-many-connections` and a close
//   --max-requests-per-second r  a client connection's messages, as a token bucket refilled at
//   --request-burst b            r per second holding at most b (defaults 200 and 400); a message
//                                with no token left gets `rate-limited` and is dropped, the
//                                connection stays open
//
// Hosts are exempt from the rate: a snowd's messages are the reports of its
// processes (output, exits, heartbeats, directory lines) and replies to the
// scheduler's own requests, and dropping one would lose a process's output
// or wedge a migration. Whoever holds the token may register as a host, so
// the exemption adds nothing the token does not already grant; it is the
// connection limit that bounds what one token holder can open.
#pragma once

#include "net/connection.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>

namespace snow::system {

struct RequestLimits {
  std::size_t max_connections = 256;
  double requests_per_second = 200;
  double burst = 400;

  // True for the command-line options above.
  static bool is_option(const std::string &option);
  // Sets one of them; throws std::runtime_error naming the option and the
  // value when the value is not a number above 0.
  void set(const std::string &option, const std::string &value);
};

class RequestLimiter : public ConnectionHandler {
public:
  using Clock = std::chrono::steady_clock;
  using IsHost = std::function<bool(std::uint64_t connection)>;

  RequestLimiter(ConnectionHandler &inner, RequestLimits limits, IsHost is_host);

  void on_open(const std::shared_ptr<Connection> &connection) override;
  void on_message(const std::shared_ptr<Connection> &connection, const std::string &text) override;
  void on_close(const std::shared_ptr<Connection> &connection) override;

private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point refilled;
  };
  bool take_token(Bucket &bucket);

  ConnectionHandler &inner_;
  RequestLimits limits_;
  IsHost is_host_;
  std::map<std::uint64_t, Bucket> open_; // connections passed on, by id
  std::set<std::uint64_t> refused_;      // over the connection limit, closing
};

} // namespace snow::system
