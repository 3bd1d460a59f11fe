// The memory state of the running migratable program: its Program (once
// snow_program_init has run) and its block registry. The C API operates on
// this one instance; the C++ classes take theirs explicitly so tests and
// tools can have several.
#pragma once

#include "block_registry.hpp"
#include "headed_heap.hpp"
#include "program.hpp"
#include "slab_heap.hpp"

#include <atomic>
#include <memory>
#include <string>

namespace snow::msr {

struct ProcessState {
  std::unique_ptr<Program> program;
  BlockRegistry registry;
  HeadedHeap heap;  // the typed allocator's blocks with a header (headed_heap.hpp)
  SlabHeap slabs;   // its small blocks, when slabs are on (slab_heap.hpp)
};

// Inline: snow_malloc and snow_free reach the registry through it on every call.
// Never destroyed: the registry must outlive every static destructor and
// atexit handler that may still free a registered block, and its pointers
// keep the program's blocks reachable until the process is gone (so that
// LeakSanitizer does not call a restored program's live blocks leaked).
//
// The allocator's hot paths take it as created_process_state(): one load, no
// guard variable and no constructor call inlined into them (which made every
// snow_malloc and snow_free save registers it needed only on that path).
// Null until the first process_state(), when no block is registered yet.
namespace detail {
inline std::atomic<ProcessState *> created_state{nullptr};
ProcessState &create_process_state();
} // namespace detail
inline ProcessState *created_process_state() { return detail::created_state.load(std::memory_order_acquire); }
// The headed heap, or null before the process state exists.
inline HeadedHeap *headed_heap() {
  ProcessState *state = created_process_state();
  return state ? &state->heap : nullptr;
}
inline ProcessState &process_state() {
  if (ProcessState *state = created_process_state()) return *state;
  return detail::create_process_state();
}

// Records the reason for a failed C API call (read by snow_last_error).
void set_last_error(const std::string &message);

} // namespace snow::msr
