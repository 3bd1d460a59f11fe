// libFuzzer target for what a live migration's two processes read from each
// other and from snowd (runtime/src/exec/migration_link.hpp):
//
//   the bytes on the connection   go through a real socket (a socketpair) into
//                                 MigrationLink::read_line, the reader of every
//                                 line of the conversation;
//   each line it returns          is decoded as every line of the protocol:
//                                 the source's hello (check_source_hello,
//                                 secrets_equal), the destination's verdict
//                                 (parse_restore_verdict), and snowd's control
//                                 line (parse_migrate_command).
//
// The first input byte sets read_line's line limit (1 + byte); the rest is
// what the peer sends, after which it closes the connection. Lines are read
// until read_line refuses (end of stream, an overlong line), which it must do
// with std::runtime_error. The checks, each an abort() when it fails:
//   - the lines and their newlines are exactly the input's first bytes, none
//     longer than the limit, none holding a newline;
//   - a refusal comes only at the end of the stream or for an overlong line;
//   - check_source_hello accepts exactly "SNOWMIG 1 " + the secret, and
//     secrets_equal agrees with ==, an empty expected secret matching nothing;
//   - a migrate command has a host, a port in 1..65535 and a secret, none
//     with blanks, and its canonical text parses to the same target.
#include "exec/migration_link.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

using namespace snow::exec;

namespace {

const std::string kSecret = "4f1c9a0e7d3b25e8";

bool has_blank(const std::string &s) { return s.find_first_of(" \t\n\v\f\r") != std::string::npos; }

void check_hello(const std::string &line) {
  const std::string prefix = kSourceHelloPrefix;
  const SourceHello hello = check_source_hello(line, kSecret);
  const bool expected = line == prefix + kSecret;
  if ((hello == SourceHello::Accepted) != expected) std::abort();
  if ((hello == SourceHello::NotASource) != (line.rfind(prefix, 0) != 0)) std::abort();
  if (hello == SourceHello::NotASource) return;
  const std::string offered = line.substr(prefix.size());
  if (secrets_equal(offered, kSecret) != (offered == kSecret)) std::abort();
  if (secrets_equal(offered, offered) != !offered.empty()) std::abort();
  if (secrets_equal(kSecret, offered) != (offered == kSecret)) std::abort();
  if (secrets_equal(offered, "")) std::abort();
}

void check_verdict(const std::string &line) {
  const RestoreVerdict verdict = parse_restore_verdict(line);
  if (verdict.restored != (line.rfind("restored", 0) == 0)) std::abort();
  if (verdict.restored && "restored" + verdict.detail != line) std::abort();
}

void check_control(const std::string &line) {
  const std::optional<MigrationTarget> target = parse_migrate_command(line);
  if (!target) return;
  if (target->host.empty() || target->secret.empty() || target->port == 0) std::abort();
  if (has_blank(target->host) || has_blank(target->secret)) std::abort();
  const auto again = parse_migrate_command("migrate " + target->host + " " + std::to_string(target->port) +
                                           " " + target->secret);
  if (!again || again->host != target->host || again->port != target->port || again->secret != target->secret)
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t max_length = 1 + data[0];
  const std::string sent(reinterpret_cast<const char *>(data + 1), size - 1);

  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) std::abort();
  // The whole input fits the socket's buffer (the fuzzer's -max_len is far below it).
  if (!sent.empty() && send(fds[1], sent.data(), sent.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(sent.size()))
    std::abort();
  shutdown(fds[1], SHUT_WR);

  MigrationLink link(fds[0]);
  std::size_t consumed = 0;
  for (;;) {
    std::string line;
    try {
      line = link.read_line(1000, max_length);
    } catch (const std::runtime_error &) {
      // Refused: the rest holds no newline within the limit.
      const std::size_t newline = sent.find('\n', consumed);
      if (newline != std::string::npos && newline - consumed <= max_length) std::abort();
      break;
    }
    if (line.size() > max_length || line.find('\n') != std::string::npos) std::abort();
    if (sent.compare(consumed, line.size() + 1, line + "\n") != 0) std::abort();
    consumed += line.size() + 1;
    check_hello(line);
    check_verdict(line);
    check_control(line);
  }
  close(fds[1]);
  return 0;
}
