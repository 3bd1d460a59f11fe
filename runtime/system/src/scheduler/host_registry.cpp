#include "host_registry.hpp"

#include "protocol/protocol_error.hpp"

namespace snow::system {

namespace {
std::string need_string(const Json &d, const char *field) {
  if (!d.contains(field) || !d[field].is_string() || d[field].get<std::string>().empty())
    throw ProtocolError("invalid-arguments",
                        std::string("a host needs a non-empty string '") + field + "'");
  return d[field].get<std::string>();
}

int need_positive(const Json &d, const char *field) {
  if (!d.contains(field) || !d[field].is_number_integer() || d[field].get<int>() <= 0)
    throw ProtocolError("invalid-arguments",
                        std::string("a host needs a positive integer '") + field + "'");
  return d[field].get<int>();
}
} // namespace

Json Host::to_json() const {
  const auto age = std::chrono::duration<double>(std::chrono::steady_clock::now() - last_heartbeat);
  return {{"name", name},           {"platform", platform},   {"byte_order", byte_order},
          {"word_size", word_size}, {"cpus", cpus},           {"emulator", emulator},
          {"load", load},           {"processes", processes}, {"heartbeat_age", age.count()}};
}

Host &HostRegistry::add(const Json &d, std::shared_ptr<Connection> connection) {
  Host host;
  host.name = need_string(d, "name");
  host.platform = need_string(d, "platform");
  host.byte_order = need_string(d, "byte_order");
  if (host.byte_order != "little" && host.byte_order != "big")
    throw ProtocolError("invalid-arguments", "a host's 'byte_order' is 'little' or 'big'");
  host.word_size = need_positive(d, "word_size");
  host.cpus = need_positive(d, "cpus");
  if (d.contains("emulator")) {
    if (!d["emulator"].is_array())
      throw ProtocolError("invalid-arguments", "a host's 'emulator' is an array of strings");
    for (const Json &word : d["emulator"]) {
      if (!word.is_string())
        throw ProtocolError("invalid-arguments", "a host's 'emulator' is an array of strings");
      host.emulator.push_back(word.get<std::string>());
    }
  }
  if (hosts_.count(host.name))
    throw ProtocolError("host-exists", "a host named '" + host.name + "' is already registered");
  host.last_heartbeat = std::chrono::steady_clock::now();
  host.connection = std::move(connection);
  return hosts_[host.name] = std::move(host);
}

void HostRegistry::remove(const std::string &name) { hosts_.erase(name); }

Host *HostRegistry::find(const std::string &name) {
  const auto it = hosts_.find(name);
  return it == hosts_.end() ? nullptr : &it->second;
}

Host *HostRegistry::find_by_connection(std::uint64_t connection_id) {
  for (auto &[name, host] : hosts_)
    if (host.connection && host.connection->id() == connection_id)
      return &host;
  return nullptr;
}

std::vector<const Host *> HostRegistry::all() const {
  std::vector<const Host *> list;
  for (const auto &[name, host] : hosts_)
    list.push_back(&host);
  return list;
}

} // namespace snow::system
