#include "checkpoint_file_transfer.hpp"

#include <csignal>
#include <sys/stat.h>

namespace snow::system {

namespace {
constexpr auto kAskInterval = std::chrono::milliseconds(200);

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}
} // namespace

CheckpointFileTransfer::CheckpointFileTransfer(boost::asio::io_context &io, std::string spool_dir,
                                               MigrationReports &reports,
                                               std::chrono::seconds checkpoint_timeout)
    : io_(io), spool_dir_(std::move(spool_dir)), reports_(reports), timeout_(checkpoint_timeout) {}

std::vector<std::string>
CheckpointFileTransfer::spawn_environment(long process, const std::string &restore_from) {
  Session &s = sessions_[process];
  s = Session{};
  s.state_file = spool_dir_ + "/p" + std::to_string(process) + "-" +
                 std::to_string(next_instance_++) + ".snow";
  std::vector<std::string> env = {"SNOW_CHECKPOINT_FILE=" + s.state_file,
                                  "SNOW_CHECKPOINT_ACTION=exit", "SNOW_VERBOSE=1",
                                  "SNOW_CHECKPOINT_AT_POLL=", "SNOW_RESTART="};
  if (!restore_from.empty()) {
    env.back() = "SNOW_RESTART=" + restore_from;
    s.restoring = true;
    s.since = std::chrono::steady_clock::now();
  }
  return env;
}

void CheckpointFileTransfer::begin_outgoing(long process, long migration, ChildProcess &child) {
  Session &s = sessions_[process];
  s.outgoing = migration;
  s.since = std::chrono::steady_clock::now();
  s.timer = std::make_unique<boost::asio::steady_timer>(io_);
  child.request("checkpoint");
  ask_again(process, child);
}

// The request is repeated until the checkpoint is written: one sent before
// the runtime installed its handler was ignored (see child_process.cpp).
void CheckpointFileTransfer::ask_again(long process, ChildProcess &child) {
  Session &s = sessions_[process];
  if (!s.outgoing || s.checkpoint_written)
    return;
  if (std::chrono::steady_clock::now() - s.since > timeout_) {
    const long migration = s.outgoing;
    s.outgoing = 0;
    reports_.failed(process, migration,
                    "no poll-point was reached within " + std::to_string(timeout_.count()) + " s");
    return;
  }
  child.signal(SIGUSR1);
  s.timer->expires_after(kAskInterval);
  s.timer->async_wait(
      [this, process, &child, migration = s.outgoing](boost::system::error_code ec) {
        const auto it = sessions_.find(process);
        if (ec || it == sessions_.end() || it->second.outgoing != migration)
          return;
        ask_again(process, child);
      });
}

void CheckpointFileTransfer::begin_incoming(long process, long migration) {
  sessions_[process].incoming = migration ? migration : -1;
}

void CheckpointFileTransfer::on_notice(long process, const RuntimeNotice &notice) {
  const auto it = sessions_.find(process);
  if (it == sessions_.end())
    return;
  Session &s = it->second;
  switch (notice.kind) {
  case RuntimeNotice::CheckpointWritten:
    s.checkpoint_written = true;
    if (s.timer)
      s.timer->cancel();
    break;
  case RuntimeNotice::CheckpointFailed:
    if (s.outgoing) {
      const long migration = s.outgoing;
      s.outgoing = 0;
      if (s.timer)
        s.timer->cancel();
      reports_.failed(process, migration, "the checkpoint failed: " + notice.detail);
    }
    break;
  case RuntimeNotice::Restarted:
    if (s.restoring) {
      s.restoring = false;
      reports_.restored(process, s.incoming > 0 ? s.incoming : 0, ms_since(s.since));
    }
    break;
  default:
    break;
  }
}

MigrationTransfer::EndMeaning CheckpointFileTransfer::on_end(long process, const ChildEnd &end,
                                                             const std::string &captured_stderr,
                                                             std::string &state) {
  const auto it = sessions_.find(process);
  if (it == sessions_.end())
    return EndMeaning::Unrelated;
  Session s = std::move(it->second);
  sessions_.erase(it);
  if (s.restoring) {
    std::string reason =
        "it exited with status " + std::to_string(end.status) + " before restoring";
    if (end.signal)
      reason = "it was killed by signal " + std::to_string(end.signal) + " before restoring";
    if (!captured_stderr.empty())
      reason += ": " + captured_stderr;
    while (!reason.empty() && reason.back() == '\n')
      reason.pop_back();
    reports_.failed(process, s.incoming > 0 ? s.incoming : 0, reason);
    return EndMeaning::Failed;
  }
  struct stat info {};
  if (!s.checkpoint_written || end.status != 0 || stat(s.state_file.c_str(), &info) != 0)
    return EndMeaning::Unrelated;
  if (!s.outgoing) {
    state = s.state_file;
    return EndMeaning::Orphaned;
  }
  reports_.collected(process, s.outgoing, s.state_file, static_cast<std::uint64_t>(info.st_size),
                     ms_since(s.since));
  return EndMeaning::Collected;
}

} // namespace snow::system
