#include "live_transfer.hpp"

#include "common/platform_table.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <netinet/in.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace snow::system {

namespace {
constexpr auto kAskInterval = std::chrono::milliseconds(200);

double number(const std::vector<std::string> &w, std::size_t i) {
  return i < w.size() ? std::strtod(w[i].c_str(), nullptr) : 0.0;
}
} // namespace

LiveTransfer::LiveTransfer(boost::asio::io_context &io, std::string address,
                           MigrationReports &reports, std::chrono::seconds poll_timeout)
    : io_(io), address_(std::move(address)), reports_(reports), poll_timeout_(poll_timeout) {}

LiveTransfer::~LiveTransfer() {
  for (auto &[process, s] : sessions_)
    if (s.listen_fd >= 0)
      close(s.listen_fd);
}

LiveTransfer::Incoming LiveTransfer::prepare_incoming(long process, long migration) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  if (inet_pton(AF_INET, address_.c_str(), &address.sin_addr) != 1)
    throw std::runtime_error("the host's address '" + address_ + "' is not an IPv4 address");
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  socklen_t length = sizeof address;
  if (bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 || listen(fd, 4) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) != 0) {
    const std::string why = std::strerror(errno);
    close(fd);
    throw std::runtime_error("cannot listen on " + address_ + " for the state: " + why);
  }
  Session &s = sessions_[process];
  s = Session{};
  s.migration = migration;
  s.listen_fd = fd;
  return {fd, ntohs(address.sin_port), address_};
}

std::vector<std::string> LiveTransfer::incoming_environment(const std::string &secret) const {
  return {"SNOW_RESTORE_FD=" + std::to_string(ChildProcess::kIncomingFd),
          "SNOW_MIGRATION_SECRET=" + secret};
}

void LiveTransfer::spawned(long process) {
  const auto it = sessions_.find(process);
  if (it != sessions_.end() && it->second.listen_fd >= 0) {
    close(it->second.listen_fd); // the child has its own copy: the only listener now
    it->second.listen_fd = -1;
  }
}

void LiveTransfer::begin_outgoing(long process, long migration, ChildProcess &child,
                                  const std::string &address, unsigned short port,
                                  const std::string &secret) {
  if (sessions_.count(process))
    throw std::runtime_error("process " + std::to_string(process) + " is already migrating");
  Session &s = sessions_[process];
  s.migration = migration;
  s.outgoing = true;
  s.timer = std::make_unique<boost::asio::steady_timer>(io_);
  child.request("migrate " + address + " " + std::to_string(port) + " " + secret);
  ask_again(process, child);
}

// The signal is repeated until the runtime takes the request: one sent
// before the runtime installed its handler was ignored (child_process.cpp);
// repeats after it are ignored by the runtime (no request is pending).
void LiveTransfer::ask_again(long process, ChildProcess &child) {
  Session &s = sessions_[process];
  if (s.streaming)
    return;
  if (std::chrono::steady_clock::now() - s.since > poll_timeout_) {
    // The request stays queued in the runtime, so a late poll-point would
    // still migrate: withdraw it by ending the session and telling the
    // runtime nothing more. It connects to a destination that is gone by
    // then (the scheduler kills it) and carries on.
    finish(process, "no poll-point was reached within " + std::to_string(poll_timeout_.count()) +
                        " s");
    return;
  }
  child.signal(SIGUSR1);
  s.timer->expires_after(kAskInterval);
  s.timer->async_wait([this, process, &child, migration = s.migration](boost::system::error_code ec) {
    const auto it = sessions_.find(process);
    if (ec || it == sessions_.end() || it->second.migration != migration)
      return;
    ask_again(process, child);
  });
}

void LiveTransfer::finish(long process, const std::string &failure) {
  const auto it = sessions_.find(process);
  if (it == sessions_.end())
    return;
  const long migration = it->second.migration;
  if (it->second.listen_fd >= 0)
    close(it->second.listen_fd);
  sessions_.erase(it);
  if (!failure.empty())
    reports_.failed(process, migration, failure);
}

void LiveTransfer::on_notice(long process, const std::string &line) {
  const auto it = sessions_.find(process);
  if (it == sessions_.end())
    return;
  Session &s = it->second;
  const std::vector<std::string> w = split_words(line);
  if (w.empty())
    return;
  if (s.outgoing && w[0] == "migration-streaming") {
    s.streaming = true;
    if (s.timer)
      s.timer->cancel();
  } else if (s.outgoing && w[0] == "migration-sent") {
    s.streaming = true;
    reports_.sent(process, s.migration,
                  static_cast<std::uint64_t>(number(w, 1)), number(w, 2));
  } else if (s.outgoing && w[0] == "migration-committed") {
    // The exit that follows is the migration's; it is reported once the
    // process has ended and all of its output is out (on_end).
    s.committed = true;
    s.bytes = static_cast<std::uint64_t>(number(w, 1));
    s.sent_ms = number(w, 2);
    s.restore_ms = number(w, 3);
  } else if (s.outgoing && w[0] == "migration-failed") {
    finish(process, line.substr(std::strlen("migration-failed ")));
  } else if (!s.outgoing && w[0] == "restored") {
    s.restored = true;
    const long migration = s.migration;
    sessions_.erase(it); // from here on the process is an ordinary one of this host
    reports_.restored(process, migration, number(w, 1));
  }
}

MigrationTransfer::EndMeaning LiveTransfer::on_end(long process, const ChildEnd &end,
                                                   const std::string &captured_stderr) {
  const auto it = sessions_.find(process);
  if (it == sessions_.end())
    return MigrationTransfer::EndMeaning::Unrelated;
  const Session s = std::move(it->second);
  if (s.outgoing && s.committed && end.status == 0) {
    sessions_.erase(it);
    reports_.committed(process, s.migration, s.bytes, s.sent_ms, s.restore_ms);
    return MigrationTransfer::EndMeaning::Collected;
  }
  if (s.outgoing) {
    // The program ended (by itself or killed) while a migration was asked
    // for: its end is the program's; the migration failed with it.
    finish(process, "the process ended before it migrated");
    return MigrationTransfer::EndMeaning::Unrelated;
  }
  std::string reason = end.signal
                           ? "it was killed by signal " + std::to_string(end.signal) + " before restoring"
                           : "it exited with status " + std::to_string(end.status) + " before restoring";
  if (!captured_stderr.empty())
    reason += ": " + captured_stderr;
  while (!reason.empty() && reason.back() == '\n')
    reason.pop_back();
  finish(process, reason);
  return MigrationTransfer::EndMeaning::Failed;
}

} // namespace snow::system
