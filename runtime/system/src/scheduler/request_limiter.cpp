#include "request_limiter.hpp"

#include "protocol/message.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace snow::system {

namespace {

std::string number(double value) {
  const double whole = std::floor(value);
  return whole == value ? std::to_string(static_cast<long long>(whole)) : std::to_string(value);
}

} // namespace

bool RequestLimits::is_option(const std::string &option) {
  return option == "--max-connections" || option == "--max-requests-per-second" ||
         option == "--request-burst";
}

void RequestLimits::set(const std::string &option, const std::string &value) {
  std::size_t used = 0;
  double n = 0;
  try {
    n = std::stod(value, &used);
  } catch (const std::exception &) {
    used = 0;
  }
  if (used == 0 || used != value.size() || !(n > 0) || !std::isfinite(n) ||
      (option == "--max-connections" && n != std::floor(n)))
    throw std::runtime_error(option + " '" + value + "': give a " +
                             (option == "--max-connections" ? "whole " : "") + "number above 0");
  if (option == "--max-connections")
    max_connections = static_cast<std::size_t>(n);
  else if (option == "--max-requests-per-second")
    requests_per_second = n;
  else if (option == "--request-burst")
    burst = n;
  else
    throw std::runtime_error("'" + option + "' is not a limit");
}

RequestLimiter::RequestLimiter(ConnectionHandler &inner, RequestLimits limits, IsHost is_host)
    : inner_(inner), limits_(limits), is_host_(std::move(is_host)) {}

void RequestLimiter::on_open(const std::shared_ptr<Connection> &connection) {
  if (open_.size() >= limits_.max_connections) {
    refused_.insert(connection->id());
    const std::string why = "the scheduler serves at most " +
                            std::to_string(limits_.max_connections) +
                            " connections (--max-connections)";
    connection->send(make_error(Json(), "too-many-connections", why));
    connection->close("too-many-connections: at most " + std::to_string(limits_.max_connections));
    return;
  }
  open_[connection->id()] = Bucket{std::max(limits_.burst, 1.0), Clock::now()};
  inner_.on_open(connection);
}

void RequestLimiter::on_message(const std::shared_ptr<Connection> &connection,
                                const std::string &text) {
  const auto it = open_.find(connection->id());
  if (it == open_.end())
    return; // refused: it is being closed
  if (!is_host_(connection->id()) && !take_token(it->second)) {
    // The id of a short message is worth recovering; a long one is not worth parsing.
    const Json id = text.size() <= 4096 ? recover_id(text) : Json();
    connection->send(make_error(id, "rate-limited",
                                "more than " + number(limits_.requests_per_second) +
                                    " requests per second (--max-requests-per-second, burst " +
                                    number(limits_.burst) + "); this one was dropped"));
    return;
  }
  inner_.on_message(connection, text);
}

void RequestLimiter::on_close(const std::shared_ptr<Connection> &connection) {
  if (refused_.erase(connection->id()) > 0)
    return;
  if (open_.erase(connection->id()) > 0)
    inner_.on_close(connection);
}

// A token bucket: full (`burst`) at the start, refilled continuously.
bool RequestLimiter::take_token(Bucket &bucket) {
  const Clock::time_point now = Clock::now();
  const double elapsed = std::chrono::duration<double>(now - bucket.refilled).count();
  bucket.tokens =
      std::min(std::max(limits_.burst, 1.0), bucket.tokens + elapsed * limits_.requests_per_second);
  bucket.refilled = now;
  if (bucket.tokens < 1)
    return false;
  bucket.tokens -= 1;
  return true;
}

} // namespace snow::system
