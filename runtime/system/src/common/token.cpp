#include "token.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <stdexcept>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

namespace snow::system {

namespace {
std::runtime_error system_error(const std::string &what, const std::string &path) {
  return std::runtime_error(what + " '" + path + "': " + std::strerror(errno));
}
} // namespace

std::string generate_token() {
  unsigned char bytes[32];
  std::size_t got = 0;
  while (got < sizeof bytes) {
    const ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno != EINTR)
      throw std::runtime_error("getrandom failed: " + std::string(std::strerror(errno)));
    if (n > 0)
      got += static_cast<std::size_t>(n);
  }
  static const char hex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char b : bytes) {
    token += hex[b >> 4];
    token += hex[b & 15];
  }
  return token;
}

void write_token_file(const std::string &path, const std::string &token) {
  const std::size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    const std::string dir = path.substr(0, slash);
    if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
      throw system_error("cannot create the directory", dir);
  }
  // Replace, never reuse, an existing file: its mode might be wider.
  unlink(path.c_str());
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    throw system_error("cannot create the token file", path);
  const std::string line = token + "\n";
  const bool ok = write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  close(fd);
  if (!ok)
    throw system_error("cannot write the token file", path);
}

std::string read_token_file(const std::string &path) {
  struct stat info {};
  if (stat(path.c_str(), &info) == 0 && (info.st_mode & S_IRWXO) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    throw std::runtime_error("the token file '" + path + "' has mode " + mode +
                             ": anyone who can read it may use the scheduler; chmod o-rwx it");
  }
  std::ifstream in(path);
  std::string token;
  if (!in || !std::getline(in, token) || token.empty())
    throw std::runtime_error("cannot read a token from '" + path +
                             "' (is the scheduler running? see --token-file)");
  return token;
}

bool tokens_equal(const std::string &a, const std::string &b) {
  if (a.size() != b.size())
    return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

} // namespace snow::system
