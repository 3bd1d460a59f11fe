// The process table and the location directory: every process the
// scheduler started, which host it runs on now, and its state.
#pragma once

#include "protocol/message.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace snow::system {

enum class ProcessState { Starting, Running, Migrating, Exited };
const char *state_name(ProcessState state);

struct ProcessRecord {
  long id = 0;
  std::string program;                            // the manifest's name, or the path run
  std::map<std::string, std::string> executables; // platform → path; one entry for a plain path
  std::vector<std::string> args;
  std::string host; // location directory: where it runs now
  ProcessState state = ProcessState::Starting;
  long pid = 0;
  long migration = 0;         // the migration in flight, 0 if none
  int migrations = 0;         // completed ones
  std::uint64_t launcher = 0; // connection that gets its output
  int exit_status = -1;
  int exit_signal = 0;
  std::string exit_reason;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  long group = 0; // a message-passing group (location_directory.hpp), 0 if none
  int rank = 0;
  // Output delivered so far (bytes of process-output data), which a restart
  // from a checkpoint must not deliver again (host_failure_recovery.hpp).
  std::uint64_t stdout_bytes = 0;
  std::uint64_t stderr_bytes = 0;
  double started_at = 0; // scheduler seconds
  int restarts = 0;      // after lost hosts

  Json to_json() const;
  bool migratable() const { return executables.size() > 1 || migratable_single; }
  bool migratable_single = false; // a manifest program built for one platform
};

class ProcessTable {
public:
  ProcessRecord &create();
  ProcessRecord *find(long id);
  std::vector<const ProcessRecord *> all() const;

private:
  std::map<long, ProcessRecord> processes_;
  long next_id_ = 1;
};

} // namespace snow::system
