// Where a new process goes: the least loaded host (processes per CPU, then
// the load average) among those whose platform has a build of the program.
#pragma once

#include "host_registry.hpp"

#include <map>
#include <string>

namespace snow::system {

// The chosen host, or throws ProtocolError: no-such-host when `requested`
// is not registered, no-build-for-platform when it (or every host) lacks a
// build, no-hosts when none is registered.
Host &place_process(HostRegistry &hosts, const std::map<std::string, std::string> &executables,
                    const std::string &requested);

} // namespace snow::system
