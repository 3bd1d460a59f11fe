// The scheduler's side of a migration (and of a checkpoint, which is a
// migration that keeps its file and stays on its host). This first version
// moves the state through a checkpoint file on the shared filesystem; the
// hosts' MigrationTransfer (daemon/migration_transfer.hpp) does the work.
//
//   1. migrate(process, host): refused if the process is not running, is
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
  void on_process_exited(ProcessRecord &process);
  // The program that wrote a checkpoint file this scheduler kept, if any.
  std::string program_of_file(const std::string &file) const;

private:
  enum class Stage { Collect, Restore, Rollback };
  struct Migration {
    long id = 0;
    long process = 0;
    std::string from, to, keep_file, file, failure;
    std::uint64_t requester = 0;
    Stage stage = Stage::Collect;
    std::uint64_t bytes = 0;
    double collect_ms = 0, transfer_ms = 0;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  };

  Migration *find(const Json &report);
  void restore_on(Migration &m, const std::string &host);
  void fail(Migration &m, const std::string &reason);
  void finish(Migration &m);
  Json describe(const Migration &m) const;

  Scheduler &scheduler_;
  std::map<long, Migration> migrations_;
  std::map<std::string, std::string> kept_files_; // checkpoint file → program
  long next_id_ = 1;
};

} // namespace snow::system
