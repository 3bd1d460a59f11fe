// snowd's half of moving a process's state: through a checkpoint file on a
// shared filesystem for `snow checkpoint` and restarts
// (checkpoint_file_transfer.hpp), and for live migrations as a direct TCP
// stream between the two processes (live_transfer.hpp).
//
// Source host:      begin_outgoing → … → MigrationReports::collected (or failed)
// Destination host: spawn with spawn_environment(restore_from) → begin_incoming
//                   → … → MigrationReports::restored (or failed)
// The daemon feeds the transfer the runtime's notices and the process's end.
#pragma once

#include "child_process.hpp"
#include "runtime_notice.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace snow::system {

class MigrationReports {
public:
  virtual ~MigrationReports() = default;
  // The source's state is complete at `state` (bytes long; collection took ms).
  virtual void collected(long process, long migration, const std::string &state,
                         std::uint64_t bytes, double collect_ms) = 0;
  // The destination has rebuilt every frame and runs on.
  virtual void restored(long process, long migration, double restore_ms) = 0;
  virtual void failed(long process, long migration, const std::string &reason) = 0;
  // Live migrations (live_transfer.hpp): the source has streamed all of its
  // state (collection and transfer overlap, so they end together) …
  virtual void sent(long process, long migration, std::uint64_t bytes, double sent_ms) = 0;
  // … and, once the destination restored it, committed: the source exits.
  virtual void committed(long process, long migration, std::uint64_t bytes, double sent_ms,
                         double restore_ms) = 0;
};

class MigrationTransfer {
public:
  // What the end of a process meant to the transfer.
  enum class EndMeaning {
    Unrelated, // the program ended by itself (or was killed): report its exit
    Collected, // it gave up its state for a migration: reported through collected()
    Failed,    // a restore did not complete: reported through failed()
    Orphaned,  // it checkpointed after its migration was abandoned: restore it here
  };

  virtual ~MigrationTransfer() = default;
  // Environment of a process started on this host, so that it can later be
  // migrated; with `restore_from`, it restores that state instead of starting.
  virtual std::vector<std::string> spawn_environment(long process,
                                                     const std::string &restore_from) = 0;
  virtual void begin_outgoing(long process, long migration, ChildProcess &child) = 0;
  virtual void begin_incoming(long process, long migration) = 0;
  virtual void on_notice(long process, const RuntimeNotice &notice) = 0;
  // `state` is set for Orphaned: the file to restore from.
  virtual EndMeaning on_end(long process, const ChildEnd &end, const std::string &captured_stderr,
                            std::string &state) = 0;
};

} // namespace snow::system
