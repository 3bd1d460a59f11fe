// The execution state of the running program: its frames (the shadow stack
// that snow_enter/snow_leave maintain), what a poll-point does when its
// trigger fires, and resuming frames from a checkpoint.
#pragma once

#include "msr/chunk_stream.hpp"
#include "msr/state_decoder.hpp"
#include "snow/exec.h"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace snow::exec {

struct CheckpointSettings {
  std::string path = "snow-checkpoint.snow";
  enum class After { Exit, Continue, Stop };
  After after = After::Exit;  // SNOW_CHECKPOINT_ACTION=exit|continue|stop
  bool verbose = false;     // SNOW_VERBOSE=1: a line on stderr per checkpoint/restart
  int notice_fd = -1;       // SNOW_NOTICE_FD=n: machine-readable notices for snowd
};

// One line on the notice descriptor, if there is one ("checkpoint-written
// 1234 path", "restored", "checkpoint-failed reason"); best effort.
void notice(const std::string &line);

CheckpointSettings &checkpoint_settings();

// The frames from main (index 0) to the innermost.
std::vector<snow_frame *> active_frames();

// Writes the whole state — globals, then every frame outermost first — to
// `path`. Returns false (with the reason in snow_last_error) and leaves no
// file behind on failure; the program is unaffected either way.
bool write_checkpoint(const std::string &path);

// A checkpoint being resumed: open from snow_start until the innermost frame
// has been restored.
struct RestartSession {
  std::string path;
  std::FILE *file = nullptr;
  std::unique_ptr<msr::FileSource> source;
  std::unique_ptr<msr::StateDecoder> decoder;
  ~RestartSession();
};

void begin_restart(const std::string &path);

[[noreturn]] void fatal(const std::string &message);

} // namespace snow::exec
