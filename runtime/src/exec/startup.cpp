// Start-up of a precompiled program: the units become one program, argv
// becomes memory blocks (main's argv is live state like any other), the
// checkpoint trigger is armed, and a restart begins when SNOW_RESTART says so.
//
// Environment (docs/checkpoint-restart.md):
//   SNOW_CHECKPOINT_FILE    where a checkpoint goes (default snow-checkpoint.snow)
//   SNOW_CHECKPOINT_AT_POLL checkpoint at the k-th poll-point (counted across restarts)
//   SNOW_CHECKPOINT_ACTION  exit (default), continue, or stop (SIGSTOP itself: the caller
//                           kills it once the state is safe elsewhere, or resumes it)
//   SNOW_NOTICE_FD          n: one line per event on descriptor n, for snowd
//                           ("checkpoint-written <bytes> <ms> <path>", "checkpoint-failed <reason>",
//                           "restored")
//   SNOW_RESTART            resume from this checkpoint instead of starting afresh
//   SNOW_CONTROL_FD         n: requests from snowd, one line each, announced by SIGUSR1
//                           ("checkpoint", "migrate <host> <port> <secret>"); with it, a
//                           SIGUSR1 without a request does nothing
//   SNOW_RESTORE_FD         n: a listening TCP socket: wait there for a live migration's
//                           source (it must present SNOW_MIGRATION_SECRET) and restore
//                           from it as the stream arrives (migration_link.hpp)
//   SNOW_MIGRATION_TIMEOUT  seconds every wait of a live migration may take (default 60)
//   SNOW_VERBOSE            1: one line on stderr per checkpoint and restart, and at
//                           exit the number of poll-points passed (tests pick k from it)
// SIGUSR1 asks the next poll-point to checkpoint.
#include "execution_state.hpp"
#include "program_units.hpp"
#include "open_streams.hpp"
#include "random.hpp"

#include "msr/process_state.hpp"
#include "msr/state_error.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

using namespace snow;

#if defined(__SANITIZE_ADDRESS__)
#define SNOW_ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SNOW_ADDRESS_SANITIZER 1
#endif
#endif
#ifdef SNOW_ADDRESS_SANITIZER
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif

namespace {

// The runtime's own unit: state that lives in the runtime but belongs to the
// program's execution (the poll-point count), and the types argv needs.
enum : snow_type_id { kCountType, kCharType, kCharPointerType, kUint32Type, kFileType, kRuntimeTypeCount };
const snow_type_desc runtime_types[] = {
    {"unsigned long long", SNOW_KIND_UNSIGNED, 8, sizeof(unsigned long long), SNOW_NO_TYPE, 0, nullptr, 0},
    {"char", SNOW_KIND_UNSIGNED, 1, 1, SNOW_NO_TYPE, 0, nullptr, 0},
    {"char *", SNOW_KIND_POINTER, 0, sizeof(char *), kCharType, 0, nullptr, 0},
    {"uint32_t", SNOW_KIND_UNSIGNED, 4, sizeof(std::uint32_t), SNOW_NO_TYPE, 0, nullptr, 0},
    // Opaque: an open stream travels as its index (open_streams.hpp). The
    // precompiler describes glibc's FILE the same way, so the two merge.
    {"FILE", SNOW_KIND_STRUCT, 0, sizeof(std::FILE), SNOW_NO_TYPE, 0, nullptr, 0},
};
// The random generator's state as one array of words: table, taps, seeded.
static_assert(sizeof(exec::RandomState) == 34 * sizeof(std::uint32_t), "RandomState is 34 words");
const snow_global_desc runtime_globals[] = {
    {"snow_poll_count", &snow_poll_count, kCountType, 1, 0},
    {"snow_random_state", &exec::random_state, kUint32Type, 34, 0},
};
snow_type_id runtime_type_ids[kRuntimeTypeCount];
const snow_unit_desc runtime_unit = {
    {"\x01snow-runtime", runtime_types, kRuntimeTypeCount, nullptr, 0, runtime_globals,
     sizeof runtime_globals / sizeof runtime_globals[0], nullptr, 0},
    runtime_type_ids,
    nullptr,
};

void on_checkpoint_signal(int) { snow_request_checkpoint(); }

void register_heap(void *address, std::size_t bytes, snow_type_id type) {
  msr::MemoryBlock b;
  b.base = reinterpret_cast<std::uintptr_t>(address);
  b.bytes = bytes;
  b.type = type;
  msr::process_state().registry.insert(b);
}

const char *env(const char *name) {
  const char *v = std::getenv(name);
  return v && *v ? v : nullptr;
}

// -1 when unset; a descriptor number, or a clear fatal error.
int descriptor_from(const char *name) {
  const char *text = env(name);
  if (!text) return -1;
  char *end = nullptr;
  const long n = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || n < 0 || n > 1023)
    exec::fatal(std::string(name) + " is '" + text + "'; give a file descriptor");
  return static_cast<int>(n);
}

// Set by snow_keep_heap_plain(), from a unit's constructor: before main.
bool heap_kept_plain = false;

void report_poll_count() {
  std::fprintf(stderr, "snow: exiting after %llu poll-points\n", static_cast<unsigned long long>(snow_poll_count));
}

} // namespace

extern "C" {

void snow_register_unit(const snow_unit_desc *unit) { exec::registered_units().add(unit); }

void snow_keep_heap_plain(void) { heap_kept_plain = true; }

void snow_start(int *argc, char ***argv) {
  exec::ProgramUnits &units = exec::registered_units();
  units.add(&runtime_unit);
  const char *name = argv && *argv && (*argv)[0] ? (*argv)[0] : "program";
  if (const char *slash = std::strrchr(name, '/')) name = slash + 1;
  try {
    const snow_program_desc &program = units.merge(name);
    if (snow_program_init(&program) != 0) exec::fatal(snow_last_error());
  } catch (const std::runtime_error &e) {
    exec::fatal(std::string("the program's descriptions are inconsistent: ") + e.what());
  }

  exec::open_streams().start(runtime_type_ids[kFileType]);

  if (argc && argv && *argv) {
    // argv and its strings are not from malloc but are live state of main.
    register_heap(*argv, (static_cast<std::size_t>(*argc) + 1) * sizeof(char *), runtime_type_ids[kCharPointerType]);
    for (int i = 0; i < *argc; ++i)
      register_heap((*argv)[i], std::strlen((*argv)[i]) + 1, runtime_type_ids[kCharType]);
  }

  // From here on the typed allocator puts a header in front of each block
  // (msr/headed_heap.hpp) unless a unit may hand blocks to the C library's
  // free or realloc, or SNOW_PLAIN_HEAP asks for plain blocks (a library the
  // precompiler did not see frees the program's blocks). Blocks allocated
  // before, by constructors, stay plain.
  // SNOW_HEAP_RECYCLE=0 gives every freed block back to the C library at
  // once, for a memory checker's sake (headed_heap.hpp, "Recycling").
  const char *plain = env("SNOW_PLAIN_HEAP");
  const char *recycle = env("SNOW_HEAP_RECYCLE");
  if (!heap_kept_plain && !(plain && std::strcmp(plain, "0") != 0)) {
    const bool recycling = !(recycle && std::strcmp(recycle, "0") == 0);
    msr::process_state().heap.enable(recycling);
    // Small blocks from slabs (slab_heap.hpp); not under AddressSanitizer,
    // which should keep checking the program's blocks.
    if (recycling && !kAddressSanitizer) msr::process_state().slabs.enable();
  }

  exec::CheckpointSettings &settings = exec::checkpoint_settings();
  if (const char *file = env("SNOW_CHECKPOINT_FILE")) settings.path = file;
  if (const char *action = env("SNOW_CHECKPOINT_ACTION")) {
    using After = exec::CheckpointSettings::After;
    if (std::strcmp(action, "exit") == 0) settings.after = After::Exit;
    else if (std::strcmp(action, "continue") == 0) settings.after = After::Continue;
    else if (std::strcmp(action, "stop") == 0) settings.after = After::Stop;
    else exec::fatal(std::string("SNOW_CHECKPOINT_ACTION is '") + action + "'; use exit, continue or stop");
  }
  settings.notice_fd = descriptor_from("SNOW_NOTICE_FD");
  settings.control_fd = descriptor_from("SNOW_CONTROL_FD");
  if (const char *seconds = env("SNOW_MIGRATION_TIMEOUT")) {
    char *end = nullptr;
    const long n = std::strtol(seconds, &end, 10);
    if (end == seconds || *end != '\0' || n < 1 || n > 86400)
      exec::fatal(std::string("SNOW_MIGRATION_TIMEOUT is '") + seconds + "'; give seconds from 1 to 86400");
    settings.migration_timeout_ms = static_cast<int>(n * 1000);
  }
  settings.verbose = env("SNOW_VERBOSE") && std::strcmp(env("SNOW_VERBOSE"), "0") != 0;
  if (settings.verbose) std::atexit(report_poll_count);
  struct sigaction action {};
  action.sa_handler = on_checkpoint_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGUSR1, &action, nullptr);

  const int restore_fd = descriptor_from("SNOW_RESTORE_FD");
  if (restore_fd >= 0 && env("SNOW_RESTART")) exec::fatal("SNOW_RESTORE_FD and SNOW_RESTART are both set; give one");
  if (restore_fd >= 0) {
    const char *secret = env("SNOW_MIGRATION_SECRET");
    if (!secret) exec::fatal("SNOW_RESTORE_FD is set but SNOW_MIGRATION_SECRET is not");
    const std::string kept = secret;
    unsetenv("SNOW_MIGRATION_SECRET");  // one-time: not for the program or its children
    exec::begin_incoming(restore_fd, kept);
  } else if (const char *path = env("SNOW_RESTART")) {
    exec::begin_restart(path);
  }
  // The trigger is set after a restart has restored the poll count, which is
  // committed with the other globals once the innermost frame is restored;
  // it is compared against the count, so setting it now is right either way.
  if (const char *at = env("SNOW_CHECKPOINT_AT_POLL")) {
    char *end = nullptr;
    const unsigned long long k = std::strtoull(at, &end, 10);
    if (end == at || *end != '\0' || k == 0) exec::fatal(std::string("SNOW_CHECKPOINT_AT_POLL is '") + at + "'; give a count from 1");
    snow_poll_trigger = k;
  }
}

} // extern "C"
