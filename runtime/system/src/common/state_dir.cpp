#include "state_dir.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace snow::system {

std::string default_state_dir() {
  const char *runtime_dir = std::getenv("XDG_RUNTIME_DIR");
  if (runtime_dir && *runtime_dir)
    return std::string(runtime_dir) + "/snow";
  return "/tmp/snow-" + std::to_string(getuid());
}

std::string token_path(const std::string &state_dir) { return state_dir + "/token"; }
std::string endpoint_path(const std::string &state_dir) { return state_dir + "/scheduler.json"; }

void make_private_directory(const std::string &path) {
  for (std::size_t at = 1; at <= path.size(); ++at) {
    if (at != path.size() && path[at] != '/')
      continue;
    const std::string prefix = path.substr(0, at);
    if (mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST)
      throw std::runtime_error("cannot create the directory '" + prefix +
                               "': " + std::strerror(errno));
  }
}

} // namespace snow::system
