// The first MigrationTransfer: the source checkpoints to a file at its next
// poll-point and exits (SNOW_CHECKPOINT_ACTION=exit); the destination starts
// the program with SNOW_RESTART on that file. Hosts on one machine share the
// filesystem, so the transfer itself is the rename that publishes the file.
//
// The source exits before the destination has restored; atomicity comes from
// the file instead: if the destination fails, the scheduler has the source
// host restore the same file, so the process continues where it stopped.
#pragma once

#include "migration_transfer.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <map>
#include <memory>

namespace snow::system {

class CheckpointFileTransfer : public MigrationTransfer {
public:
  CheckpointFileTransfer(boost::asio::io_context &io, std::string spool_dir,
                         MigrationReports &reports, std::chrono::seconds checkpoint_timeout);

  std::vector<std::string> spawn_environment(long process,
                                             const std::string &restore_from) override;
  void begin_outgoing(long process, long migration, ChildProcess &child) override;
  void begin_incoming(long process, long migration) override;
  void on_notice(long process, const RuntimeNotice &notice) override;
  EndMeaning on_end(long process, const ChildEnd &end, const std::string &captured_stderr,
                    std::string &state) override;

private:
  struct Session {
    std::string state_file; // where this instance checkpoints
    long outgoing = 0;      // migration asking it to checkpoint
    long incoming = 0;      // migration it restores for (-1: a plain restart)
    bool restoring = false;
    bool checkpoint_written = false;
    std::chrono::steady_clock::time_point since;
    std::unique_ptr<boost::asio::steady_timer> timer;
  };
  void ask_again(long process, ChildProcess &child);

  boost::asio::io_context &io_;
  std::string spool_dir_;
  MigrationReports &reports_;
  std::chrono::seconds timeout_;
  std::map<long, Session> sessions_;
  std::uint64_t next_instance_ = 1;
};

} // namespace snow::system
