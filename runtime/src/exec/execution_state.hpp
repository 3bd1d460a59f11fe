// The execution state of the running program: its frames (the shadow stack
// that snow_enter/snow_leave maintain), what a poll-point does when its
// trigger fires, and resuming frames from a checkpoint.
#pragma once

#include "migration_link.hpp"
#include "msr/chunk_stream.hpp"
#include "msr/state_decoder.hpp"
#include "snow/exec.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace snow::exec {

struct CheckpointSettings {
  std::string path = "snow-checkpoint.snow";
  enum class After { Exit, Continue, Stop };
  After after = After::Exit;  // SNOW_CHECKPOINT_ACTION=exit|continue|stop
  bool verbose = false;     // SNOW_VERBOSE=1: a line on stderr per checkpoint/restart
  int notice_fd = -1;       // SNOW_NOTICE_FD=n: machine-readable notices for snowd
  int control_fd = -1;      // SNOW_CONTROL_FD=n: requests from snowd ("migrate <host> <port> <secret>")
  int migration_timeout_ms = 60000;  // SNOW_MIGRATION_TIMEOUT=seconds: every wait of a live migration
};

// One line on the notice descriptor, if there is one ("checkpoint-written
// 1234 0.5 path", "restored", "checkpoint-failed reason"); best effort.
void notice(const std::string &line);

CheckpointSettings &checkpoint_settings();

// The frames from main (index 0) to the innermost.
std::vector<snow_frame *> active_frames();

// Writes the whole state — the open-files section, the globals, then every
// frame outermost first — to `sink`. Throws msr::StateError or
// std::runtime_error; the program is unaffected either way.
void encode_state(msr::ChunkSink &sink);

// Writes the whole state to
// `path`. Returns false (with the reason in snow_last_error) and leaves no
// file behind on failure; the program is unaffected either way.
bool write_checkpoint(const std::string &path);

// A checkpoint being resumed: open from snow_start until the innermost frame
// has been restored.
struct RestartSession {
  std::string path;         // the checkpoint file, or "the migration from <peer>"
  int link_fd = -1;         // a live migration's connection to its source
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::FILE *file = nullptr;
  std::unique_ptr<msr::FileSource> source;
  std::unique_ptr<msr::StateDecoder> decoder;
  ~RestartSession();
};

void begin_restart(const std::string &path);

// The destination of a live migration (migration_link.hpp): waits on
// `listen_fd` for the source that knows `secret`, then restores from the
// connection as the stream arrives.
void begin_incoming(int listen_fd, const std::string &secret);

// The source of a live migration, at a poll-point: streams the state to the
// destination and exits once it has committed; on any failure it returns and
// the program carries on.
void migrate_to(const MigrationTarget &target);

// A pending request from snowd on the control descriptor, if any.
std::string take_control_request();

// The next line on the control descriptor, waiting up to `timeout_ms`;
// nothing when the time is up or snowd has gone.
std::optional<std::string> wait_control_line(int timeout_ms);

// Serves `request` at the next poll-point instead of this one.
void defer_to_next_poll(const std::string &request);

[[noreturn]] void fatal(const std::string &message);

} // namespace snow::exec
