// The memory state of the running migratable program: its Program (once
// snow_program_init has run) and its block registry. The C API operates on
// this one instance; the C++ classes take theirs explicitly so tests and
// tools can have several.
#pragma once

#include "block_registry.hpp"
#include "program.hpp"

#include <memory>
#include <string>

namespace snow::msr {

struct ProcessState {
  std::unique_ptr<Program> program;
  BlockRegistry registry;
};

// Inline: snow_malloc and snow_free reach the registry through it on every call.
// Never destroyed: the registry must outlive every static destructor and
// atexit handler that may still free a registered block, and its pointers
// keep the program's blocks reachable until the process is gone (so that
// LeakSanitizer does not call a restored program's live blocks leaked).
inline ProcessState &process_state() {
  static ProcessState &state = *new ProcessState;
  return state;
}

// Records the reason for a failed C API call (read by snow_last_error).
void set_last_error(const std::string &message);

} // namespace snow::msr
