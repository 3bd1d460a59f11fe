// Where the local control plane keeps its files: $XDG_RUNTIME_DIR/snow, or
// /tmp/snow-<uid> without it. The scheduler writes its token and its endpoint
// ({"port":…, "pid":…}) there; the CLI and snowd read them.
#pragma once

#include <string>

namespace snow::system {

std::string default_state_dir();
std::string token_path(const std::string &state_dir);
std::string endpoint_path(const std::string &state_dir);

// Creates the directory (mode 0700) and its parents as needed; throws on failure.
void make_private_directory(const std::string &path);

} // namespace snow::system
