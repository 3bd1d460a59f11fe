#include "placement.hpp"

#include "protocol/protocol_error.hpp"

namespace snow::system {

namespace {
std::string platforms_of(const std::map<std::string, std::string> &executables) {
  std::string list;
  for (const auto &[platform, exe] : executables)
    list += (list.empty() ? "" : ", ") + platform;
  return list;
}
} // namespace

Host &place_process(HostRegistry &hosts, const std::map<std::string, std::string> &executables,
                    const std::string &requested) {
  if (!requested.empty()) {
    Host *host = hosts.find(requested);
    if (!host)
      throw ProtocolError("no-such-host", "there is no host '" + requested + "'");
    if (!executables.count(host->platform))
      throw ProtocolError("no-build-for-platform",
                          "the program has no build for " + host->platform + " (host '" +
                              requested + "'); it has builds for " + platforms_of(executables));
    return *host;
  }
  Host *best = nullptr;
  double best_busy = 0;
  for (const Host *candidate : hosts.all()) {
    if (!executables.count(candidate->platform))
      continue;
    const double busy =
        static_cast<double>(candidate->processes) / candidate->cpus + candidate->load * 1e-3;
    if (!best || busy < best_busy) {
      best = hosts.find(candidate->name);
      best_busy = busy;
    }
  }
  if (!best) {
    if (hosts.all().empty())
      throw ProtocolError("no-hosts", "no host has registered with the scheduler");
    throw ProtocolError("no-build-for-platform",
                        "no registered host has a platform the program is built for (" +
                            platforms_of(executables) + ")");
  }
  return *best;
}

} // namespace snow::system
