// The lines the runtime writes on stderr under SNOW_VERBOSE=1
// (runtime/src/exec/startup.cpp, execution_state.cpp). snowd sets
// SNOW_VERBOSE for every process it starts and reads these lines as the
// phases of a checkpoint and a restart; they are not the program's output.
#pragma once

#include <cstdint>
#include <string>

namespace snow::system {

struct RuntimeNotice {
  enum Kind {
    None,              // not a runtime line: the program's own output
    CheckpointWritten, // "snow: checkpoint written to '<file>' at poll-point <k>"
    CheckpointFailed,  // "snow: checkpoint at poll-point <k> failed, the program continues: <why>"
    Restarting,        // "snow: restarting from '<file>' (written on <platform>)"
    Restarted,         // "snow: restarted from '<file>' at depth <d>"
    PollCount,         // "snow: exiting after <n> poll-points"
    // A live migration's lines: "snow: restarting|restarted from the migration
    // from <peer> …", "snow: migrated to <peer> …", "snow: migration at
    // poll-point <k> failed, the program continues here: <why>". Its phases
    // come through the control channel (live_transfer.hpp); these only stay
    // out of the program's output.
    LiveMigration,
  };
  Kind kind = None;
  std::string detail;      // the file, or the reason a checkpoint failed
  std::uint64_t count = 0; // poll-points, for PollCount
};

RuntimeNotice parse_runtime_notice(const std::string &line);

} // namespace snow::system
