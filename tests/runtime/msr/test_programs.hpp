// Shared fixtures for the memory-state tests: the state graph collected to and
// restored from memory, and a small builder for hand-written programs.
#pragma once

#include "state_graph.h"

#include "msr/block_registry.hpp"
#include "msr/program.hpp"
#include "msr/state_decoder.hpp"
#include "msr/state_encoder.hpp"
#include "msr/state_error.hpp"

#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace snow::test {

// Initialises the state-graph program once per process.
void init_state_graph();

// The state graph's heap is the test program's memory: a GraphHeap frees the
// heap blocks made while it lives (built or restored graphs), as the program
// would free them, so that what LeakSanitizer reports in the asan preset is
// the runtime's own leak. Blocks that were there before stay.
class GraphHeap {
public:
  GraphHeap();
  ~GraphHeap();
  GraphHeap(const GraphHeap &) = delete;
  GraphHeap &operator=(const GraphHeap &) = delete;

private:
  std::set<std::uintptr_t> before_;
};

// Builds the state graph with `seed` and collects it into memory.
std::vector<unsigned char> collect_state_graph(int seed, msr::EncoderOptions options = {});

// The outcome of restoring a stream into the state-graph program.
struct RestoreResult {
  std::optional<msr::StateErrorCode> error;  // empty: restored
  std::string message;
  int failed_checks = 0;                     // state_graph_verify after a successful restore
};

// Restores `stream` into the state-graph program (globals in place, the frame
// registered as the stack root) and verifies the graph against `seed`.
RestoreResult restore_state_graph(const std::vector<unsigned char> &stream, int seed,
                                  msr::DecoderOptions options = {});

// A program description written by hand in a test. Add types in order; the
// returned ids index the table.
class ProgramBuilder {
public:
  snow_type_id scalar(const char *name, snow_type_kind kind, std::uint32_t wire_size, std::size_t size);
  snow_type_id pointer(const char *name, snow_type_id to, std::size_t size = sizeof(void *));
  snow_type_id function(const char *name);
  snow_type_id array(const char *name, snow_type_id element, std::size_t count, std::size_t size);
  snow_type_id record(const char *name, snow_type_kind kind, std::size_t size, std::vector<snow_field_desc> fields);
  snow_type_id unsupported(const char *name, std::size_t size);
  void global(const char *name, void *address, snow_type_id type, std::size_t count = 1);
  void function_entry(const char *name, snow_function_address address);

  snow_program_desc desc(const char *name = "test") const;
  msr::Program build(const char *name = "test") const { return msr::Program::from_desc(desc(name)); }

private:
  std::vector<snow_type_desc> types_;
  std::deque<std::vector<snow_field_desc>> fields_;  // stable addresses
  std::vector<snow_global_desc> globals_;
  std::vector<snow_function_desc> functions_;
};

} // namespace snow::test
