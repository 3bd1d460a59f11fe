// The C entry points that are not allocation: program set-up, errors, and
// whole-stream checkpoint files.
#include "process_state.hpp"
#include "state_decoder.hpp"
#include "state_encoder.hpp"
#include "state_error.hpp"

#include <cstdio>
#include <string>

namespace snow::msr {

namespace {
thread_local std::string last_error;
}

ProcessState &detail::create_process_state() {
  static ProcessState &state = *new ProcessState;
  created_state.store(&state, std::memory_order_release);
  return state;
}

void set_last_error(const std::string &message) { last_error = message; }

} // namespace snow::msr

using namespace snow::msr;

extern "C" {

const char *snow_last_error(void) { return last_error.c_str(); }

int snow_program_init(const snow_program_desc *desc) {
  try {
    auto program = std::make_unique<Program>(Program::from_desc(*desc));
    ProcessState &state = process_state();
    register_program_globals(state.registry, *program);
    state.program = std::move(program);
    return 0;
  } catch (const StateError &e) {
    set_last_error(std::string("snow_program_init: ") + e.what());
    return -1;
  }
}

int snow_save_state_file(const char *path, void *const *roots, size_t root_count) {
  ProcessState &state = process_state();
  if (!state.program) {
    set_last_error("snow_save_state_file: snow_program_init has not been called");
    return -1;
  }
  // Write beside the target and rename, so a failure never leaves half a file.
  const std::string temp = std::string(path) + ".partial";
  std::FILE *file = std::fopen(temp.c_str(), "wb");
  if (file == nullptr) {
    set_last_error("snow_save_state_file: cannot create '" + temp + "'");
    return -1;
  }
  try {
    FileSink sink(file);
    const HeadedBlocksInRegistry headed(state.heap, state.slabs, state.registry);
    StateEncoder encoder(*state.program, state.registry, sink);
    for (std::size_t i = 0; i < root_count; ++i) encoder.add_root(roots[i]);
    encoder.finish();
    if (std::fclose(file) != 0) {
      file = nullptr;
      throw StateError(StateErrorCode::Io, "closing '" + temp + "' failed");
    }
    file = nullptr;
    if (std::rename(temp.c_str(), path) != 0) throw StateError(StateErrorCode::Io, std::string("cannot rename to '") + path + "'");
    return 0;
  } catch (const StateError &e) {
    if (file) std::fclose(file);
    std::remove(temp.c_str());
    set_last_error(std::string("snow_save_state_file: ") + e.what());
    return -1;
  }
}

int snow_restore_state_file(const char *path) {
  ProcessState &state = process_state();
  if (!state.program) {
    set_last_error("snow_restore_state_file: snow_program_init has not been called");
    return -1;
  }
  std::FILE *file = std::fopen(path, "rb");
  if (file == nullptr) {
    set_last_error(std::string("snow_restore_state_file: cannot open '") + path + "'");
    return -1;
  }
  try {
    FileSource source(file);
    StateDecoder decoder(state.program.get(), state.registry, source);
    decoder.restore_all();
    std::fclose(file);
    return 0;
  } catch (const StateError &e) {
    std::fclose(file);
    set_last_error(std::string("snow_restore_state_file: '") + path + "': " + e.what());
    return -1;
  }
}

} // extern "C"
