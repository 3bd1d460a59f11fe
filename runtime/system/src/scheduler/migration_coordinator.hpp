// The scheduler's side of a migration and of a checkpoint.
//
// A migration is live (docs/live-migration.md): the state streams straight
// from the source process to a destination process started for it.
//   1. migrate(process, host): refused if the process is not running, is
//      already migrating, the destination is its own host, or the
//      destination's platform has no build.
//   2. scheduler → destination snowd: prepare-incoming with a one-time secret.
//      The program starts there and listens; the reply says where.
//   3. scheduler → source snowd: migrate-out (address, port, secret). At its
//      next poll-point the process connects and streams its state, which the
//      destination restores as it arrives. Reports: migration-sent (bytes,
//      sent_ms) from the source; restored (restore_ms) from the destination,
//      once the source has committed; migrated-out from the source once it
//      has exited and all of its output has been forwarded.
//   4. Both reports in: the location directory says the destination, and the
//      destination's output, held until the source's last line was out, flows.
//   Failures before the commit: the source reports migration-failed and runs
//   on; the destination is killed. After it: the destination's failure loses
//   the process (reported as its exit).
//
// A checkpoint (`snow checkpoint`) goes through a file on the shared
// filesystem and the hosts' CheckpointFileTransfer:
//   1. checkpoint(process): refused if the process is not running, is
//      already migrating, or the destination's platform has no build.
//   2. scheduler → source snowd: checkpoint-out. The process stops at its next
//      poll-point, writes its state and exits (its output is flushed first).
//      snowd forwards the output, then reports checkpointed (bytes, collect).
//   3. scheduler → destination snowd: spawn with the state to restore.
//      snowd reports restored once the innermost frame is back (restore).
//   4. The location directory now says the destination: migration-done.
//   Failures: at 2 the process never stopped (migration-failed from the
//   source; it keeps running); at 3 the destination did not restore — the
//   source host restores the same state instead, so the process continues
//   where it stood, and the migration is reported failed.
#pragma once

#include "protocol/message.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace snow::system {

class Scheduler;
struct ProcessRecord;

class MigrationCoordinator {
public:
  explicit MigrationCoordinator(Scheduler &scheduler) : scheduler_(scheduler) {}

  // Starts a migration; returns its id. `keep_file` non-empty makes it a
  // checkpoint: the state is also copied there. Throws ProtocolError.
  long start(ProcessRecord &process, const std::string &destination, std::uint64_t requester,
             const std::string &keep_file);

  void on_checkpointed(const Json &report);
  void on_restored(const Json &report);
  void on_failed(const Json &report);
  // Live migrations: the source's reports, and whether an output report of
  // `host` is held back (true: do not emit it now).
  void on_sent(const Json &report);
  void on_migrated_out(const Json &report);
  bool hold_output(const std::string &host, const Json &report);
  // Whether an exit report of `host` is held back: the destination of a live
  // migration may finish the program before the source's migrated-out is in.
  // Its exit is reported after the migration (and its held output) is done.
  // The destination host of a live migration of `process` in progress, or
  // "" when there is none.
  std::string live_destination_host(long process) const;
  bool hold_exit(const std::string &host, const Json &report);
  void on_process_exited(ProcessRecord &process);
  // A host is gone: migrations to or from it end. A process whose only
  // copy was there afterwards (its destination, after the commit) is left
  // with that host as its location, for host_failure_recovery.hpp.
  void on_host_lost(const std::string &host);
  // The process is being killed (its group restarts): its migration, if any, ends.
  void abandon(long process, const std::string &reason);
  // The program that wrote a checkpoint file this scheduler kept, if any.
  std::string program_of_file(const std::string &file) const;

private:
  enum class Stage { Collect, Restore, Rollback, Prepare, Stream };
  struct Migration {
    long id = 0;
    long process = 0;
    std::string from, to, keep_file, file, failure;
    bool live = false;
    bool destination_started = false;
    bool source_gone = false;  // migrated-out: the source exited, its output is all out
    bool restored = false;
    double restore_ms = 0;
    std::vector<Json> held_output; // the destination's, until source_gone
    Json held_exit;                // the destination's exit report, if it came first
    std::uint64_t requester = 0;
    Stage stage = Stage::Collect;
    std::uint64_t bytes = 0;
    double collect_ms = 0, transfer_ms = 0;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  };

  Migration *find(const Json &report);
  Migration *live_destination(const std::string &host, const Json &report);
  void restore_on(Migration &m, const std::string &host);
  void start_live(Migration &m, ProcessRecord &process);
  void finish_live(Migration &m);
  void fail(Migration &m, const std::string &reason);
  void finish(Migration &m);
  Json describe(const Migration &m) const;

  Scheduler &scheduler_;
  std::map<long, Migration> migrations_;
  std::map<std::string, std::string> kept_files_; // checkpoint file → program
  long next_id_ = 1;
};

} // namespace snow::system
