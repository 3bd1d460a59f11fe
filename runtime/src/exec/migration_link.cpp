#include "migration_link.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace snow::exec {

namespace {

std::string error_text() { return std::strerror(errno); }

std::string describe_peer(const sockaddr *address) {
  char host[INET6_ADDRSTRLEN] = "?";
  unsigned port = 0;
  if (address->sa_family == AF_INET) {
    const auto *in = reinterpret_cast<const sockaddr_in *>(address);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    port = ntohs(in->sin_port);
    return std::string(host) + ":" + std::to_string(port);
  }
  if (address->sa_family == AF_INET6) {
    const auto *in6 = reinterpret_cast<const sockaddr_in6 *>(address);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    port = ntohs(in6->sin6_port);
    return "[" + std::string(host) + "]:" + std::to_string(port);
  }
  return "an unknown peer";
}

// Waits for `events` on fd until the deadline; false on timeout.
bool wait_for(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    const int n = poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1 << 30)));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) throw std::runtime_error("poll: " + error_text());
  }
}

void tune(int fd, int timeout_ms) {
  // The stream is written in whole chunks; Nagle only delays the last one
  // and the small handshake lines.
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  // A link that goes dark sends no reset: without these, a blocked send on
  // the source or a blocked read on the destination would wait for ever.
  timeval limit{};
  limit.tv_sec = timeout_ms / 1000;
  limit.tv_usec = (timeout_ms % 1000) * 1000;
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
}

}  // namespace

std::optional<MigrationTarget> parse_migrate_command(const std::string &line) {
  std::istringstream in(line);
  std::string word, extra;
  MigrationTarget t;
  unsigned long port = 0;
  if (!(in >> word) || word != "migrate" || !(in >> t.host >> port >> t.secret) || (in >> extra)) return std::nullopt;
  if (port == 0 || port > 65535 || t.secret.empty()) return std::nullopt;
  t.port = static_cast<std::uint16_t>(port);
  return t;
}

SourceHello check_source_hello(const std::string &line, const std::string &secret) {
  const std::string prefix = kSourceHelloPrefix;
  if (line.rfind(prefix, 0) != 0) return SourceHello::NotASource;
  return secrets_equal(line.substr(prefix.size()), secret) ? SourceHello::Accepted : SourceHello::WrongSecret;
}

RestoreVerdict parse_restore_verdict(const std::string &line) {
  if (line.rfind("restored", 0) == 0) return {true, line.substr(8)};
  if (line.rfind("failed ", 0) == 0) return {false, line.substr(7)};
  return {false, "it answered '" + line + "'"};
}

MigrationLink::~MigrationLink() {
  if (fd_ >= 0) close(fd_);
}

int MigrationLink::release() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

MigrationLink MigrationLink::connect_to(const std::string &host, std::uint16_t port, int timeout_ms) {
  const std::string where = host + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo *found = nullptr;
  if (const int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0)
    throw std::runtime_error("cannot resolve the destination '" + host + "': " + gai_strerror(rc));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string last_error = "no address";
  for (addrinfo *a = found; a != nullptr; a = a->ai_next) {
    const int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) {
      last_error = error_text();
      continue;
    }
    int rc = connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      if (!wait_for(fd, POLLOUT, deadline)) {
        close(fd);
        last_error = "timed out after " + std::to_string(timeout_ms) + " ms";
        continue;
      }
      int error = 0;
      socklen_t length = sizeof error;
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
      errno = error;
      rc = error == 0 ? 0 : -1;
    }
    if (rc != 0) {
      last_error = error_text();
      close(fd);
      continue;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    tune(fd, timeout_ms);
    freeaddrinfo(found);
    MigrationLink link(fd);
    link.peer_ = where;
    return link;
  }
  freeaddrinfo(found);
  throw std::runtime_error("cannot connect to the destination " + where + ": " + last_error);
}

MigrationLink MigrationLink::accept_from(int listen_fd, int timeout_ms, int io_timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  if (!wait_for(listen_fd, POLLIN, deadline))
    throw std::runtime_error("no source connected within " + std::to_string(timeout_ms / 1000) + " s");
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  const int fd = accept4(listen_fd, reinterpret_cast<sockaddr *>(&address), &length, SOCK_CLOEXEC);
  if (fd < 0) throw std::runtime_error("accept: " + error_text());
  tune(fd, io_timeout_ms);
  MigrationLink link(fd);
  link.peer_ = describe_peer(reinterpret_cast<sockaddr *>(&address));
  return link;
}

void MigrationLink::send_all(const void *data, std::size_t size) {
  const auto *p = static_cast<const char *>(data);
  while (size > 0) {
    const ssize_t n = send(fd_, p, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      throw std::runtime_error("the connection to " + peer_ + " stalled: nothing could be sent for the whole timeout");
    if (n <= 0) throw std::runtime_error("the connection to " + peer_ + " broke: " + error_text());
    p += n;
    size -= static_cast<std::size_t>(n);
  }
}

// Byte by byte: nothing past the newline may be consumed, because what
// follows the handshake belongs to the state stream's reader.
std::string MigrationLink::read_line(int timeout_ms, std::size_t max_length) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string line;
  for (;;) {
    if (!wait_for(fd_, POLLIN, deadline))
      throw std::runtime_error(peer_ + " did not answer within " + std::to_string(timeout_ms / 1000) + " s");
    char c = 0;
    const ssize_t n = recv(fd_, &c, 1, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error("the connection to " + peer_ + " broke: " + error_text());
    if (n == 0) throw std::runtime_error(peer_ + " closed the connection");
    if (c == '\n') return line;
    if (line.size() >= max_length) throw std::runtime_error(peer_ + " sent an overlong line");
    line.push_back(c);
  }
}

bool secrets_equal(const std::string &a, const std::string &b) {
  unsigned char difference = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < a.size(); ++i) difference |= static_cast<unsigned char>(a[i] ^ b[i % (b.empty() ? 1 : b.size())]);
  return b.empty() ? false : difference == 0;
}

}  // namespace snow::exec
