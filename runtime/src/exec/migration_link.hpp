// The direct state transfer of a live migration: the source process streams
// its state over one TCP connection to the destination process, which
// restores it chunk by chunk as it arrives (docs/live-migration.md).
//
// The conversation on the connection, all lines but the state itself:
//
//   source → destination   "SNOWMIG 1 <secret>\n"      the one-time migration secret
//   destination → source   "accepted\n"                 or "refused <why>\n", then close
//   source → destination   <open-files section><state stream>   (the checkpoint format)
//   destination → source   "restored <ms>\n"            every frame is back
//                          or "failed <why>\n"           the restore failed; it exits
//   source → destination   "commit\n"                   the source exits; the destination runs on
//
// Atomicity: the destination runs on only after "commit", and the source
// sends "commit" only after "restored". Anything else — a refused secret, a
// broken connection, a timeout, a failed restore — and the source carries on
// as if nothing had happened. The one window left is the classic one: a
// "commit" written by the source but never delivered loses the process
// (the destination gives up waiting and exits with kNoCommitStatus).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace snow::exec {

// The destination's exit status when the source never committed.
constexpr int kNoCommitStatus = 75;  // EX_TEMPFAIL

struct MigrationTarget {
  std::string host;  // numeric IPv4/IPv6 address or a name
  std::uint16_t port = 0;
  std::string secret;
};

// Parses a control line "migrate <host> <port> <secret>"; nullopt if it is not one.
std::optional<MigrationTarget> parse_migrate_command(const std::string &line);

// The lines of the conversation above, decoded: pure functions on a line that
// MigrationLink::read_line returned, so that they can be tested and fuzzed
// without a connection (tests/fuzz/fuzz_migration_link.cpp).
inline constexpr char kSourceHelloPrefix[] = "SNOWMIG 1 ";

enum class SourceHello { Accepted, WrongSecret, NotASource };
// The destination's check of the source's first line against its secret.
SourceHello check_source_hello(const std::string &line, const std::string &secret);

struct RestoreVerdict {
  bool restored = false;
  // restored: what follows "restored" (the destination's restore time);
  // otherwise why it failed, or what it answered instead.
  std::string detail;
};
// The source's reading of the destination's answer to the state.
RestoreVerdict parse_restore_verdict(const std::string &line);

// A connected, blocking TCP socket with deadlines on every wait.
class MigrationLink {
public:
  explicit MigrationLink(int fd) : fd_(fd) {}
  ~MigrationLink();
  MigrationLink(const MigrationLink &) = delete;
  MigrationLink &operator=(const MigrationLink &) = delete;
  MigrationLink(MigrationLink &&other) noexcept : fd_(other.fd_), peer_(std::move(other.peer_)) { other.fd_ = -1; }

  // Connects within `timeout_ms`, which also bounds every later send and
  // receive; throws std::runtime_error naming the peer.
  static MigrationLink connect_to(const std::string &host, std::uint16_t port, int timeout_ms);
  // Waits up to `timeout_ms` on a listening socket for one connection, whose
  // every send and receive may then block for `io_timeout_ms` at most.
  static MigrationLink accept_from(int listen_fd, int timeout_ms, int io_timeout_ms);

  int fd() const { return fd_; }
  const std::string &peer() const { return peer_; }
  // All of it, or throws (never SIGPIPE).
  void send_all(const void *data, std::size_t size);
  void send_line(const std::string &line) { send_all((line + "\n").data(), line.size() + 1); }
  // One line without its newline; throws on timeout, end of stream or a line
  // longer than `max_length`.
  std::string read_line(int timeout_ms, std::size_t max_length = 512);
  // Gives up ownership (the stream reader takes the descriptor).
  int release();

private:
  int fd_;
  std::string peer_;
};

// Constant-time comparison: the secret is not leaked through timing.
bool secrets_equal(const std::string &a, const std::string &b);

}  // namespace snow::exec
