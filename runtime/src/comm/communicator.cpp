#include "comm/communicator.hpp"

#include "comm/datatype.hpp"
#include "snow/comm.h"

#include <arpa/inet.h>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace snow::comm {

namespace {

using Clock = std::chrono::steady_clock;

const char *env(const char *name) {
  const char *v = std::getenv(name);
  return v && *v ? v : nullptr;
}

long env_number(const char *name, long fallback, long low, long high) {
  const char *text = env(name);
  if (!text) return fallback;
  char *end = nullptr;
  const long n = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || n < low || n > high)
    throw std::runtime_error(std::string(name) + " is '" + text + "'; give a number from " + std::to_string(low) +
                             " to " + std::to_string(high));
  return n;
}

} // namespace

std::uint32_t max_message_bytes_from_environment() {
  return static_cast<std::uint32_t>(env_number("SNOW_MAX_MESSAGE_BYTES", kMaxPayloadBytes, 1, kMaxPayloadBytes));
}

namespace {

void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Writes a small frame whole on a non-blocking socket (a few dozen bytes
// always fit an idle socket's buffer); false when the peer is gone.
bool write_small(int fd, const std::string &bytes) {
  std::size_t done = 0;
  for (int tries = 0; done < bytes.size() && tries < 1000; ++tries) {
    const ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, 10);
    } else {
      return false;
    }
  }
  return done == bytes.size();
}

std::string control_frame(FrameKind kind, int from, int to) {
  FrameHeader h;
  h.kind = kind;
  h.from = static_cast<std::uint32_t>(from);
  h.to = static_cast<std::uint32_t>(to);
  return encode_frame(h);
}

std::int64_t unix_micros() {
  timeval tv{};
  gettimeofday(&tv, nullptr);
  return static_cast<std::int64_t>(tv.tv_sec) * 1000000 + tv.tv_usec;
}

// A DATA frame's message as the received queue holds it, and back.
Message message_of(const FrameHeader &h, std::string payload) {
  Message m;
  m.from = static_cast<int>(h.from);
  m.tag = h.tag;
  m.datatype = h.datatype;
  m.element_size = h.element_size;
  m.big_endian = h.big_endian != 0;
  m.count = h.count;
  m.seq = h.seq;
  m.payload = std::move(payload);
  return m;
}

FrameHeader header_of(const Message &m, int to) {
  FrameHeader h;
  h.kind = FrameKind::Data;
  h.big_endian = m.big_endian ? 1 : 0;
  h.datatype = m.datatype;
  h.element_size = m.element_size;
  h.tag = m.tag;
  h.from = static_cast<std::uint32_t>(m.from);
  h.to = static_cast<std::uint32_t>(to);
  h.count = m.count;
  h.payload_bytes = static_cast<std::uint32_t>(m.payload.size());
  h.seq = m.seq;
  return h;
}

bool matches(const Message &m, int from, int tag) {
  if (from != SNOW_ANY_SOURCE && m.from != from) return false;
  return tag == SNOW_ANY_TAG ? m.tag >= 0 && m.tag <= SNOW_TAG_MAX : m.tag == tag;
}

// Reads everything a non-blocking socket has into `into`; false at EOF or error.
bool read_available(int fd, std::string &into) {
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n > 0) {
      into.append(buffer, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    if (n < 0 && errno == EINTR) continue;
    return false;
  }
}

} // namespace

GroupSettings group_settings_from_environment() {
  GroupSettings s;
  s.size = static_cast<int>(env_number("SNOW_SIZE", 1, 1, 1 << 16));
  s.rank = static_cast<int>(env_number("SNOW_RANK", 0, 0, s.size - 1));
  if (const char *g = env("SNOW_GROUP")) s.group = g;
  s.directory_fd = static_cast<int>(env_number("SNOW_DIRECTORY_FD", -1, 0, 1023));
  if (const char *a = env("SNOW_COMM_ADDRESS")) s.address = a;
  s.events = env_number("SNOW_COMM_EVENTS", 1, 0, 1) == 1;
  s.timeout_ms = static_cast<int>(env_number("SNOW_MIGRATION_TIMEOUT", 60, 1, 86400) * 1000);
  s.stats = env_number("SNOW_COMM_STATS", 0, 0, 1) == 1;
  s.max_message_bytes = max_message_bytes_from_environment();
  if (s.size > 1 && s.directory_fd < 0)
    throw std::runtime_error("SNOW_SIZE is " + std::to_string(s.size) +
                             " but there is no location directory (SNOW_DIRECTORY_FD); start groups with "
                             "`snow run -n N` or `snow-launch -n N`");
  return s;
}

Communicator::Communicator(GroupSettings settings) : settings_(std::move(settings)) {
  peers_.resize(static_cast<std::size_t>(settings_.size));
  sources_.resize(static_cast<std::size_t>(settings_.size));
}

Communicator::~Communicator() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake();
  if (service_.joinable()) service_.join();
  for (Peer &p : peers_)
    if (p.fd >= 0) close(p.fd);
  for (Incoming &c : incoming_)
    if (c.fd >= 0) close(c.fd);
  for (int fd : lingering_) close(fd);
  if (listen_fd_ >= 0) close(listen_fd_);
  for (int fd : wake_fds_)
    if (fd >= 0) close(fd);
}

void Communicator::warn(const std::string &what) const {
  std::fprintf(stderr, "snow: rank %d: %s\n", settings_.rank, what.c_str());
}

void Communicator::watch_control(int fd, void (*announce)()) {
  control_fd_ = announce ? fd : -1;
  control_announce_ = announce;
}

void Communicator::start() {
  if (started_) return;
  started_ = true;
  if (settings_.size == 1) return;  // alone: every message goes to itself, no channels
  if (pipe(wake_fds_) != 0) throw std::runtime_error(std::string("cannot create a pipe: ") + std::strerror(errno));
  set_nonblocking(wake_fds_[0]);
  set_nonblocking(wake_fds_[1]);
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  if (listen_fd_ < 0 || inet_pton(AF_INET, settings_.address.c_str(), &addr.sin_addr) != 1 ||
      bind(listen_fd_, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 || listen(listen_fd_, 64) != 0)
    throw std::runtime_error("cannot listen for message channels on " + settings_.address + ": " +
                             std::strerror(errno));
  socklen_t len = sizeof addr;
  getsockname(listen_fd_, reinterpret_cast<sockaddr *>(&addr), &len);
  set_nonblocking(listen_fd_);
  set_nonblocking(settings_.directory_fd);
  service_ = std::thread([this] { serve(); });
  directory_line("register " + std::to_string(settings_.rank) + " " + settings_.address + " " +
                 std::to_string(ntohs(addr.sin_port)));
  std::lock_guard<std::mutex> lock(mutex_);
  kick_idle_peers();  // a restored process may have messages queued
}

void Communicator::wake() {
  if (wake_fds_[1] >= 0) {
    const char c = 1;
    [[maybe_unused]] const ssize_t n = write(wake_fds_[1], &c, 1);
  }
}

void Communicator::directory_line(const std::string &line) {
  if (settings_.directory_fd < 0) return;
  std::lock_guard<std::mutex> lock(directory_mutex_);
  const std::string text = line + "\n";
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::send(settings_.directory_fd, text.data() + done, text.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      pollfd p{settings_.directory_fd, POLLOUT, 0};
      ::poll(&p, 1, 100);
    } else {
      return;  // the directory is gone; lookups will wait and the process ends with it
    }
  }
}

void Communicator::event(const std::string &line) {
  if (settings_.events) directory_line("event " + line + " " + std::to_string(unix_micros()));
}

// ---- the program's side -------------------------------------------------

void Communicator::send(int to, int tag, int datatype, const void *data, std::uint32_t count) {
  const auto started = Clock::now();
  FrameHeader h;
  h.kind = FrameKind::Data;
  h.big_endian = host_is_big_endian() ? 1 : 0;
  h.datatype = static_cast<std::uint8_t>(datatype);
  h.element_size = static_cast<std::uint8_t>(datatype_size(datatype));
  h.tag = tag;
  h.from = static_cast<std::uint32_t>(settings_.rank);
  h.to = static_cast<std::uint32_t>(to);
  h.count = count;
  const std::uint64_t bytes = std::uint64_t{count} * h.element_size;
  if (bytes > settings_.max_message_bytes)
    throw std::runtime_error("a message of " + std::to_string(bytes) + " bytes exceeds the limit of " +
                             std::to_string(settings_.max_message_bytes) + " bytes (SNOW_MAX_MESSAGE_BYTES)");
  h.payload_bytes = static_cast<std::uint32_t>(bytes);
  std::unique_lock<std::mutex> lock(mutex_);
  Peer &peer = peers_[static_cast<std::size_t>(to)];
  h.seq = peer.next_seq++;
  if (to == settings_.rank) {
    received_.push_back(message_of(h, std::string(static_cast<const char *>(data), h.payload_bytes)));
  } else {
    if (peer.gone) {
      lock.unlock();
      warn("rank " + std::to_string(to) + " has ended; a message (tag " + std::to_string(tag) + ") to it is dropped");
      return;
    }
    peer.queue.push_back({encode_frame(h, data), false});
    if (peer.state == OutState::Idle && !migrating_) kick_idle_peers();
  }
  ++stats_.sends;
  stats_.longest_send_us =
      std::max(stats_.longest_send_us, std::chrono::duration<double, std::micro>(Clock::now() - started).count());
  lock.unlock();
  if (tag >= 0 && tag <= SNOW_TAG_MAX)
    event("sent " + std::to_string(to) + " " + std::to_string(tag) + " " + std::to_string(h.payload_bytes) + " " +
          std::to_string(h.seq));
  wake();
}

std::optional<Message> Communicator::take(int from, int tag, bool wait) {
  const auto called = Clock::now();
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    for (auto it = received_.begin(); it != received_.end(); ++it) {
      if (!matches(*it, from, tag)) continue;
      Message m = std::move(*it);
      received_.erase(it);
      lock.unlock();
      // How long the program waited for it: the monitor draws that as waiting.
      const long long waited_us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - called).count();
      if (m.tag >= 0 && m.tag <= SNOW_TAG_MAX && m.from != settings_.rank)
        event("received " + std::to_string(m.from) + " " + std::to_string(m.tag) + " " +
              std::to_string(m.payload.size()) + " " + std::to_string(m.seq) + " " + std::to_string(waited_us));
      return m;
    }
    if (!wait) return std::nullopt;
    if (settings_.size == 1)
      throw std::runtime_error("waits for a message that can never come: this process is alone in its group");
    changed_.wait(lock);
  }
}

std::optional<Message> Communicator::peek(int from, int tag, bool wait) {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    for (const Message &m : received_)
      if (matches(m, from, tag)) {
        Message header = m;
        header.payload.clear();
        return header;
      }
    if (!wait) return std::nullopt;
    if (settings_.size == 1)
      throw std::runtime_error("probes for a message that can never come: this process is alone in its group");
    changed_.wait(lock);
  }
}

// ---- the service thread --------------------------------------------------

int Communicator::poll_timeout_ms() const {
  int timeout = 1000;
  const auto now = Clock::now();
  if (control_fd_ >= 0 && control_quiet_until_ > now) {  // watch the control channel again then
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(control_quiet_until_ - now).count();
    timeout = std::min<int>(timeout, static_cast<int>(left) + 1);
  }
  for (const Peer &p : peers_)
    if (p.state == OutState::Idle && !p.queue.empty() && !p.gone && p.failures > 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(p.retry_at - now).count();
      timeout = std::max(0, std::min<int>(timeout, static_cast<int>(left) + 1));
    }
  return timeout;
}

void Communicator::serve() {
  std::unique_lock<std::mutex> lock(mutex_);
  std::vector<pollfd> fds;
  enum class Kind { Wake, Directory, Listen, In, Out, Linger, Control };
  std::vector<std::pair<Kind, std::size_t>> what;
  while (!stopping_) {
    fds.clear();
    what.clear();
    auto add = [&](int fd, short events, Kind k, std::size_t i) {
      fds.push_back({fd, events, 0});
      what.emplace_back(k, i);
    };
    add(wake_fds_[0], POLLIN, Kind::Wake, 0);
    if (settings_.directory_fd >= 0) add(settings_.directory_fd, POLLIN, Kind::Directory, 0);
    add(listen_fd_, POLLIN, Kind::Listen, 0);
    for (std::size_t i = 0; i < incoming_.size(); ++i)
      if (incoming_[i].fd >= 0) add(incoming_[i].fd, POLLIN, Kind::In, i);
    for (std::size_t r = 0; r < peers_.size(); ++r) {
      const Peer &p = peers_[r];
      if (p.fd < 0) continue;
      short events = POLLIN;
      if (p.state == OutState::Connecting || (p.state == OutState::Open && !p.queue.empty())) events |= POLLOUT;
      add(p.fd, events, Kind::Out, r);
    }
    for (std::size_t i = 0; i < lingering_.size(); ++i) add(lingering_[i], POLLIN, Kind::Linger, i);
    if (control_fd_ >= 0 && Clock::now() >= control_quiet_until_) add(control_fd_, POLLIN, Kind::Control, 0);
    const int timeout = poll_timeout_ms();
    lock.unlock();
    const int ready = ::poll(fds.data(), fds.size(), timeout);
    lock.lock();
    if (ready < 0 && errno != EINTR) {
      warn(std::string("the channel service stops: poll failed: ") + std::strerror(errno));
      return;
    }
    std::vector<std::size_t> closed_lingering;
    for (std::size_t i = 0; i < fds.size() && ready > 0; ++i) {
      if (fds[i].revents == 0) continue;
      const auto [kind, index] = what[i];
      switch (kind) {
      case Kind::Wake: {
        char buffer[256];
        while (read(wake_fds_[0], buffer, sizeof buffer) > 0) {
        }
        break;
      }
      case Kind::Directory: read_directory(); break;
      case Kind::Control:
        // A request from snowd waits: the program's next poll-point reads
        // it. Not read here, and not watched for a while, so that a request
        // the program takes its time over is announced again, as snowd's
        // repeated SIGUSR1 did, without spinning.
        control_announce_();
        control_quiet_until_ = Clock::now() + std::chrono::milliseconds(200);
        break;
      case Kind::Listen: accept_incoming(); break;
      case Kind::In: read_incoming(incoming_[index]); break;
      case Kind::Out: {
        Peer &p = peers_[index];
        if (p.fd != fds[i].fd) break;  // replaced meanwhile
        if (fds[i].revents & (POLLIN | POLLERR | POLLHUP)) read_peer(static_cast<int>(index), p);
        if (p.fd == fds[i].fd && (fds[i].revents & POLLOUT)) write_peer(static_cast<int>(index), p);
        break;
      }
      case Kind::Linger: {
        std::string ignored;
        if (!read_available(lingering_[index], ignored)) closed_lingering.push_back(index);
        break;
      }
      }
    }
    for (auto it = closed_lingering.rbegin(); it != closed_lingering.rend(); ++it) {
      close(lingering_[*it]);
      lingering_.erase(lingering_.begin() + static_cast<std::ptrdiff_t>(*it));
    }
    // A connection whose turn has not come keeps its messages after its socket closed.
    incoming_.erase(std::remove_if(incoming_.begin(), incoming_.end(),
                                   [](const Incoming &c) { return c.fd < 0 && c.state != InState::Active; }),
                    incoming_.end());
    if (!migrating_) kick_idle_peers();
    changed_.notify_all();
  }
}

void Communicator::read_directory() {
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::recv(settings_.directory_fd, buffer, sizeof buffer, 0);
    if (n > 0) {
      directory_in_.append(buffer, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) {
      warn("the location directory closed its link; channels to moved peers cannot be found any more");
      close(settings_.directory_fd);
      settings_.directory_fd = -1;
    }
    break;
  }
  for (std::size_t nl; (nl = directory_in_.find('\n')) != std::string::npos;) {
    const std::string line = directory_in_.substr(0, nl);
    directory_in_.erase(0, nl + 1);
    handle_directory_line(line);
  }
}

void Communicator::handle_directory_line(const std::string &line) {
  char word[32] = {}, address[256] = {};
  int rank = -1, port = 0;
  if (std::sscanf(line.c_str(), "location %d %255s %d", &rank, address, &port) == 3 && rank >= 0 &&
      rank < settings_.size && port > 0 && port < 65536) {
    Peer &p = peers_[static_cast<std::size_t>(rank)];
    p.location = std::make_pair(std::string(address), port);
    if (p.lookup_sent != Clock::time_point{}) {
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - p.lookup_sent).count();
      stats_.shortest_lookup_ms = stats_.lookups == 0 ? ms : std::min(stats_.shortest_lookup_ms, ms);
      stats_.longest_lookup_ms = std::max(stats_.longest_lookup_ms, ms);
      ++stats_.lookups;
      p.lookup_sent = Clock::time_point{};
    }
    if (p.state == OutState::LookingUp) {
      p.state = OutState::Idle;
      if (!migrating_) start_connect(rank, p);
    }
  } else if (std::sscanf(line.c_str(), "gone %d", &rank) == 1 && rank >= 0 && rank < settings_.size) {
    Peer &p = peers_[static_cast<std::size_t>(rank)];
    p.gone = true;
    if (p.state == OutState::LookingUp) p.state = OutState::Idle;
    std::size_t dropped = 0;
    for (const OutFrame &f : p.queue) dropped += f.marker ? 0 : 1;
    p.queue.clear();
    p.written = 0;
    if (dropped > 0) warn("rank " + std::to_string(rank) + " has ended; " + std::to_string(dropped) +
                          " message(s) to it are dropped");
  } else if (std::sscanf(line.c_str(), "%31s", word) == 1 && std::strcmp(word, "migrating-ok") == 0) {
    migrating_acknowledged_ = true;
  } else {
    warn("ignoring a line from the location directory: '" + line + "'");
  }
}

void Communicator::kick_idle_peers() {
  const auto now = Clock::now();
  for (std::size_t r = 0; r < peers_.size(); ++r) {
    Peer &p = peers_[r];
    if (p.state == OutState::LookingUp && now - p.lookup_asked >= kLookupRepeat) {
      p.lookup_asked = now;
      directory_line("lookup " + std::to_string(r));
      continue;
    }
    if (p.state != OutState::Idle || p.queue.empty() || p.gone || static_cast<int>(r) == settings_.rank) continue;
    if (p.failures > 0 && now < p.retry_at) continue;
    if (p.location) {
      start_connect(static_cast<int>(r), p);
    } else {
      p.state = OutState::LookingUp;
      p.lookup_sent = p.lookup_asked = now;
      directory_line("lookup " + std::to_string(r));
    }
  }
}

void Communicator::start_connect(int rank, Peer &p) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(p.location->second));
  if (fd < 0 || inet_pton(AF_INET, p.location->first.c_str(), &addr.sin_addr) != 1) {
    if (fd >= 0) close(fd);
    connection_failed(rank, p, "bad address '" + p.location->first + "'");
    return;
  }
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  p.fd = fd;
  p.in.clear();
  if (connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0 || errno == EINPROGRESS) {
    p.state = OutState::Connecting;
    return;
  }
  connection_failed(rank, p, std::strerror(errno));
}

void Communicator::connection_failed(int rank, Peer &p, const std::string &why) {
  (void)why;  // a moved or ended peer: the directory knows what happened
  (void)rank;
  if (p.fd >= 0) close(p.fd);
  p.fd = -1;
  p.state = OutState::Idle;
  p.location.reset();
  p.written = 0;  // a frame cut short is sent again whole on the next connection
  // Marker frames belong to the connection that ended.
  p.queue.erase(std::remove_if(p.queue.begin(), p.queue.end(), [](const OutFrame &f) { return f.marker; }),
                p.queue.end());
  ++p.failures;
  p.retry_at = Clock::now() + std::chrono::milliseconds(std::min(1000, 10 << std::min(p.failures, 7)));
}

void Communicator::read_peer(int rank, Peer &p) {
  if (p.state == OutState::Connecting) return;  // POLLOUT says how it went
  const bool open = read_available(p.fd, p.in);
  while (p.in.size() >= kFrameHeaderBytes) {
    std::string error;
    const std::optional<FrameHeader> h = decode_frame_header(reinterpret_cast<const unsigned char *>(p.in.data()), error);
    if (!h || h->payload_bytes != 0) {
      warn("rank " + std::to_string(rank) + " answered with a bad frame (" + (h ? "a payload" : error) + ")");
      connection_failed(rank, p, "bad frame");
      return;
    }
    p.in.erase(0, kFrameHeaderBytes);
    if (p.state == OutState::AwaitAccept && h->kind == FrameKind::Accept) {
      p.state = OutState::Open;
      p.failures = 0;
      ++p.next_connection;
      if (migrating_) p.queue.push_back({control_frame(FrameKind::Marker, settings_.rank, rank), true});
    } else if (p.state == OutState::AwaitAccept && h->kind == FrameKind::Redirect) {
      event("redirect " + std::to_string(rank));
      close(p.fd);
      p.fd = -1;
      p.state = OutState::Idle;
      p.location.reset();  // look it up again: the directory answers once it has moved
      return;
    } else if (p.state == OutState::Open && h->kind == FrameKind::Disc) {
      // The receiver is migrating: finish the frame being written, then MARKER;
      // what is still queued goes to its new location.
      const bool marked = std::any_of(p.queue.begin(), p.queue.end(), [](const OutFrame &f) { return f.marker; });
      if (!marked) {
        const auto at = p.written > 0 ? p.queue.begin() + 1 : p.queue.begin();
        p.queue.insert(at, {control_frame(FrameKind::Marker, settings_.rank, rank), true});
      }
      p.location.reset();
    } else {
      warn("rank " + std::to_string(rank) + " sent an unexpected " + frame_kind_name(h->kind));
    }
  }
  if (!open && p.fd >= 0 && p.state != OutState::Idle) {
    // The receiver went away without a REDIRECT (it ended or moved on).
    connection_failed(rank, p, "connection closed");
  }
}

void Communicator::write_peer(int rank, Peer &p) {
  if (p.state == OutState::Connecting) {
    int error = 0;
    socklen_t len = sizeof error;
    getsockopt(p.fd, SOL_SOCKET, SO_ERROR, &error, &len);
    if (error != 0) {
      connection_failed(rank, p, std::strerror(error));
      return;
    }
    FrameHeader h;
    h.kind = FrameKind::Connect;
    h.from = static_cast<std::uint32_t>(settings_.rank);
    h.to = static_cast<std::uint32_t>(rank);
    h.seq = p.next_connection;
    h.payload_bytes = static_cast<std::uint32_t>(settings_.group.size());
    if (!write_small(p.fd, encode_frame(h, settings_.group.data()))) {
      connection_failed(rank, p, "connection closed");
      return;
    }
    p.state = OutState::AwaitAccept;
    return;
  }
  while (!p.queue.empty()) {
    OutFrame &f = p.queue.front();
    const ssize_t n = ::send(p.fd, f.bytes.data() + p.written, f.bytes.size() - p.written, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
      connection_failed(rank, p, std::strerror(errno));
      return;
    }
    p.written += static_cast<std::size_t>(n);
    if (p.written < f.bytes.size()) return;
    const bool marker = f.marker;
    p.queue.pop_front();
    p.written = 0;
    if (marker) {
      end_connection(rank, p);
      return;
    }
  }
}

void Communicator::end_connection(int rank, Peer &p) {
  (void)rank;
  shutdown(p.fd, SHUT_WR);
  lingering_.push_back(p.fd);  // closed once the receiver has closed: no reset may cut the MARKER off
  p.fd = -1;
  p.state = OutState::Idle;
  p.in.clear();
  p.queue.erase(std::remove_if(p.queue.begin(), p.queue.end(), [](const OutFrame &f) { return f.marker; }),
                p.queue.end());
}

void Communicator::accept_incoming() {
  for (;;) {
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    Incoming c;
    c.fd = fd;
    incoming_.push_back(std::move(c));
  }
}

void Communicator::read_incoming(Incoming &c) {
  if (c.fd < 0) return;
  const bool open = read_available(c.fd, c.in);
  std::size_t at = 0;
  while (c.fd >= 0 && c.in.size() - at >= kFrameHeaderBytes) {
    std::string error;
    const std::optional<FrameHeader> h = decode_frame_header(reinterpret_cast<const unsigned char *>(c.in.data() + at), error,
                                                                settings_.max_message_bytes);
    if (!h) {
      warn("closing a channel" + (c.from >= 0 ? " from rank " + std::to_string(c.from) : std::string()) + ": " + error);
      close(c.fd);
      c.fd = -1;
      break;
    }
    if (c.in.size() - at < kFrameHeaderBytes + h->payload_bytes) break;
    std::string payload = c.in.substr(at + kFrameHeaderBytes, h->payload_bytes);
    at += kFrameHeaderBytes + h->payload_bytes;
    handle_incoming_frame(c, *h, std::move(payload));
  }
  if (c.fd >= 0) c.in.erase(0, at);
  if (!open && c.fd >= 0) {
    if (c.state == InState::Active && !c.marker)
      warn("the channel from rank " + std::to_string(c.from) + " ended without its end-of-channel marker");
    close(c.fd);
    c.fd = -1;
    if (c.state == InState::Active && !c.marker) {
      // Count it as ended so that a later connection from that rank is read.
      c.marker = true;
      deliver_in_order(c.from);
    }
  }
}

void Communicator::handle_incoming_frame(Incoming &c, const FrameHeader &h, std::string payload) {
  if (c.state == InState::AwaitConnect) {
    if (h.kind != FrameKind::Connect) {
      warn(std::string("a channel began with ") + frame_kind_name(h.kind) + " instead of CONNECT; closed");
      close(c.fd);
      c.fd = -1;
      return;
    }
    const int from = static_cast<int>(h.from);
    const bool ours = payload == settings_.group && static_cast<int>(h.to) == settings_.rank && from >= 0 &&
                      from < settings_.size && from != settings_.rank;
    if (!ours || migrating_ || h.seq < sources_[static_cast<std::size_t>(from)].expected_connection) {
      // Not for this incarnation (it is moving, or the sender's look-up was stale).
      if (ours && !migrating_) warn("rank " + std::to_string(from) + " reopened connection " + std::to_string(h.seq) + ", which was already read");
      write_small(c.fd, control_frame(FrameKind::Redirect, settings_.rank, from));
      shutdown(c.fd, SHUT_WR);
      lingering_.push_back(c.fd);
      c.fd = -1;
      return;
    }
    c.from = from;
    c.connection = h.seq;
    c.state = InState::Active;
    write_small(c.fd, control_frame(FrameKind::Accept, settings_.rank, from));
    return;
  }
  if (h.kind == FrameKind::Data) {
    Message m = message_of(h, std::move(payload));
    m.from = c.from;  // the connection's sender, whatever the frame says
    if (migrating_) ++drained_messages_;
    c.held.push_back(std::move(m));
  } else if (h.kind == FrameKind::Marker) {
    c.marker = true;
    // While migrating, each peer's end-of-channel marker is a step of the drain.
    if (migrating_) event("marker " + std::to_string(c.from));
  } else {
    warn(std::string("rank ") + std::to_string(c.from) + " sent an unexpected " + frame_kind_name(h.kind));
    return;
  }
  deliver_in_order(c.from);
}

// Moves held messages to the received queue from the connection whose turn it
// is, and on its MARKER on to the next connection of that sender.
void Communicator::deliver_in_order(int from) {
  Source &s = sources_[static_cast<std::size_t>(from)];
  for (bool progress = true; progress;) {
    progress = false;
    for (Incoming &c : incoming_) {
      if (c.state != InState::Active || c.from != from || c.connection != s.expected_connection) continue;
      for (Message &m : c.held) received_.push_back(std::move(m));
      c.held.clear();
      if (c.marker) {
        c.state = InState::Done;
        if (c.fd >= 0) {
          close(c.fd);
          c.fd = -1;
        }
        ++s.expected_connection;
        progress = true;
      }
      break;
    }
  }
  changed_.notify_all();
}

// ---- migration -----------------------------------------------------------

void Communicator::end_open_connections() {
  for (std::size_t r = 0; r < peers_.size(); ++r) {
    Peer &p = peers_[r];
    if (p.state == OutState::LookingUp) p.state = OutState::Idle;  // the answer will only be cached
    if (p.state != OutState::Open) continue;
    const bool marked = std::any_of(p.queue.begin(), p.queue.end(), [](const OutFrame &f) { return f.marker; });
    if (!marked) p.queue.push_back({control_frame(FrameKind::Marker, settings_.rank, static_cast<int>(r)), true});
  }
}

bool Communicator::drained() const {
  for (const Peer &p : peers_)
    if (p.state != OutState::Idle && p.state != OutState::LookingUp) return false;
  for (const Incoming &c : incoming_)
    if (c.fd >= 0 || c.state == InState::Active) return false;
  return lingering_.empty();
}

void Communicator::quiesce() {
  if (settings_.size == 1 || !started_) return;
  const auto started = Clock::now();
  const auto deadline = started + std::chrono::milliseconds(settings_.timeout_ms);
  std::unique_lock<std::mutex> lock(mutex_);
  migrating_ = true;
  migrating_acknowledged_ = false;
  drained_messages_ = 0;
  lock.unlock();
  // 1. Look-ups of this process wait from now on; CONNECTs are REDIRECTed.
  directory_line("migrating " + std::to_string(settings_.rank));
  lock.lock();
  if (!changed_.wait_until(lock, deadline, [&] { return migrating_acknowledged_ || settings_.directory_fd < 0; })) {
    lock.unlock();
    resume_here();
    throw std::runtime_error("the location directory did not acknowledge the migration");
  }
  // 2. MARKER on every outgoing connection, 3. DISC on every incoming one.
  end_open_connections();
  std::size_t peers = 0;
  for (Incoming &c : incoming_)
    if (c.state == InState::Active && c.fd >= 0) {
      write_small(c.fd, control_frame(FrameKind::Disc, settings_.rank, c.from));
      ++peers;
    }
  wake();
  // 4. Drain: every incoming connection up to its MARKER. Connections still
  // being set up are answered first (then ended at once, see read_peer).
  const bool done = changed_.wait_until(lock, deadline, [&] { return drained(); });
  if (!done) {
    std::string waiting;
    for (const Incoming &c : incoming_)
      if (c.fd >= 0 && c.from >= 0) waiting += " " + std::to_string(c.from);
    lock.unlock();
    resume_here();
    throw std::runtime_error("the message channels did not drain within " + std::to_string(settings_.timeout_ms / 1000) +
                             " s" + (waiting.empty() ? std::string() : "; no end-of-channel marker from rank(s)" + waiting));
  }
  const std::uint64_t messages = drained_messages_;
  lock.unlock();
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  char text[64];
  std::snprintf(text, sizeof text, "%.3f", ms);
  event("drain " + std::to_string(peers) + " " + std::to_string(messages) + " " + text);
}

void Communicator::resume_here() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!migrating_) return;
    migrating_ = false;
    kick_idle_peers();
  }
  directory_line("staying " + std::to_string(settings_.rank));
  wake();
}

void Communicator::abandon() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    abandoned_ = stopping_ = true;
  }
  wake();
  if (service_.joinable()) service_.join();
}

void Communicator::finish() {
  if (settings_.size == 1 || !started_ || abandoned_) return;
  const auto deadline = Clock::now() + std::chrono::milliseconds(settings_.timeout_ms);
  std::unique_lock<std::mutex> lock(mutex_);
  auto flushed = [&] {
    for (const Peer &p : peers_)
      if (!p.gone && (!p.queue.empty() || p.state != OutState::Idle)) return false;
    return lingering_.empty();
  };
  for (;;) {
    // Connections that have sent everything end with a MARKER.
    for (std::size_t r = 0; r < peers_.size(); ++r) {
      Peer &p = peers_[r];
      if (p.state == OutState::Open && (p.queue.empty() || !p.queue.back().marker) &&
          std::none_of(p.queue.begin(), p.queue.end(), [](const OutFrame &f) { return f.marker; }))
        p.queue.push_back({control_frame(FrameKind::Marker, settings_.rank, static_cast<int>(r)), true});
    }
    wake();
    if (flushed()) break;
    if (changed_.wait_until(lock, std::min(deadline, Clock::now() + std::chrono::milliseconds(50)), flushed)) break;
    if (Clock::now() >= deadline) {
      std::size_t left = 0;
      for (const Peer &p : peers_) left += p.gone ? 0 : p.queue.size();
      warn("exiting with " + std::to_string(left) + " message(s) not delivered after " +
           std::to_string(settings_.timeout_ms / 1000) + " s");
      break;
    }
  }
  stopping_ = true;
  const Stats stats = stats_;
  lock.unlock();
  wake();
  if (service_.joinable()) service_.join();
  if (settings_.stats)
    std::fprintf(stderr,
                 "snow: rank %d: %llu sends, the longest took %.1f us; %llu look-ups answered in %.3f to %.3f ms\n",
                 settings_.rank, static_cast<unsigned long long>(stats.sends), stats.longest_send_us,
                 static_cast<unsigned long long>(stats.lookups), stats.shortest_lookup_ms, stats.longest_lookup_ms);
}

// ---- the channels section ------------------------------------------------

namespace {

void put(std::string &out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_bytes(std::string &out, const std::string &s) {
  put(out, s.size());
  out += s;
}

class Reader {
public:
  explicit Reader(const std::string &b) : b_(b) {}
  std::uint64_t number() {
    need(8);
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(b_[at_++]);
    return v;
  }
  std::string bytes() {
    const std::uint64_t n = number();
    need(n);
    std::string s = b_.substr(at_, n);
    at_ += n;
    return s;
  }
  bool at_end() const { return at_ == b_.size(); }

private:
  void need(std::uint64_t n) const {
    if (n > b_.size() - at_) throw std::runtime_error("the channels section is truncated");
  }
  const std::string &b_;
  std::size_t at_ = 0;
};

constexpr std::uint64_t kSectionVersion = 1;

} // namespace

std::string Communicator::encode() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out;
  put(out, kSectionVersion);
  put(out, static_cast<std::uint64_t>(settings_.rank));
  put(out, static_cast<std::uint64_t>(settings_.size));
  put_bytes(out, settings_.group);
  for (std::size_t r = 0; r < peers_.size(); ++r) {
    const Peer &p = peers_[r];
    put(out, p.next_connection);
    put(out, p.next_seq);
    put(out, p.gone ? 1 : 0);
    std::uint64_t frames = 0;
    for (const OutFrame &f : p.queue) frames += f.marker ? 0 : 1;
    put(out, frames);
    for (const OutFrame &f : p.queue)
      if (!f.marker) put_bytes(out, f.bytes);
    put(out, sources_[r].expected_connection);
  }
  put(out, received_.size());
  for (const Message &m : received_) put_bytes(out, encode_frame(header_of(m, settings_.rank), m.payload.data()));
  return out;
}

std::unique_ptr<Communicator> Communicator::decode(const std::string &bytes, GroupSettings here) {
  Reader in(bytes);
  if (const std::uint64_t version = in.number(); version != kSectionVersion)
    throw std::runtime_error("the channels section has version " + std::to_string(version) + ", this runtime reads " +
                             std::to_string(kSectionVersion));
  const std::uint64_t rank = in.number(), size = in.number();
  if (size < 1 || size > (1u << 16) || rank >= size)
    throw std::runtime_error("the channels section names rank " + std::to_string(rank) + " of " + std::to_string(size));
  here.rank = static_cast<int>(rank);
  here.size = static_cast<int>(size);
  here.group = in.bytes();
  auto c = std::make_unique<Communicator>(here);
  auto frame = [](const std::string &f) {
    std::string error;
    if (f.size() < kFrameHeaderBytes) throw std::runtime_error("a message in the channels section is truncated");
    const auto h = decode_frame_header(reinterpret_cast<const unsigned char *>(f.data()), error);
    if (!h || h->kind != FrameKind::Data || f.size() != kFrameHeaderBytes + h->payload_bytes)
      throw std::runtime_error("a message in the channels section is malformed" + (error.empty() ? "" : ": " + error));
    return *h;
  };
  for (std::size_t r = 0; r < size; ++r) {
    Peer &p = c->peers_[r];
    p.next_connection = in.number();
    p.next_seq = in.number();
    const std::uint64_t gone = in.number();
    if (gone > 1) throw std::runtime_error("the channels section has a malformed peer record");
    p.gone = gone == 1;
    const std::uint64_t frames = in.number();
    for (std::uint64_t i = 0; i < frames; ++i) {
      std::string f = in.bytes();
      frame(f);
      p.queue.push_back({std::move(f), false});
    }
    c->sources_[r].expected_connection = in.number();
  }
  const std::uint64_t messages = in.number();
  for (std::uint64_t i = 0; i < messages; ++i) {
    const std::string f = in.bytes();
    const FrameHeader h = frame(f);
    if (h.from >= size || h.to != rank)
      throw std::runtime_error("a message in the channels section is from rank " + std::to_string(h.from) +
                               " to rank " + std::to_string(h.to) + ", in the state of rank " + std::to_string(rank) +
                               " of " + std::to_string(size));
    c->received_.push_back(message_of(h, f.substr(kFrameHeaderBytes)));
  }
  if (!in.at_end()) throw std::runtime_error("the channels section has bytes after its end");
  return c;
}

} // namespace snow::comm
