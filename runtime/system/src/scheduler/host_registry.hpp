// The hosts that have registered: what each is (platform, byte order, word
// size, CPUs, emulator) and how busy it is (load, processes, last heartbeat).
#pragma once

#include "net/connection.hpp"
#include "protocol/message.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace snow::system {

struct Host {
  std::string name;
  std::string platform;
  std::string byte_order;
  int word_size = 0;
  int cpus = 1;
  std::vector<std::string> emulator;
  double load = 0;
  int processes = 0;
  std::chrono::steady_clock::time_point last_heartbeat;
  std::shared_ptr<Connection> connection;

  Json to_json() const;
};

class HostRegistry {
public:
  // Registers a host from its hello's "host" object; throws ProtocolError
  // (invalid-arguments, host-exists) naming the problem.
  Host &add(const Json &description, std::shared_ptr<Connection> connection);
  void remove(const std::string &name);
  Host *find(const std::string &name);
  Host *find_by_connection(std::uint64_t connection_id);
  std::vector<const Host *> all() const;

private:
  std::map<std::string, Host> hosts_;
};

} // namespace snow::system
