// A periodic checkpoint that the process survives (`snow run --checkpoint-every`,
// docs/fault-tolerance.md), served at a poll-point in three steps that the
// scheduler orders through snowd on the control channel:
//
//   snowd → process   snapshot <round> <path>      (with SIGUSR1)
//   process → snowd   snapshot-paused <round> <poll-count>
//                     … the process waits, its output flushed, its channels
//                     still open (peers' messages are buffered meanwhile) …
//   snowd → process   snapshot-go <round>          every member has paused
//                     | snapshot-skip <round>      pause again at the next poll-point
//                     | snapshot-cancel <round>    carry on, no checkpoint
//   process           quiesces its channels, writes <path>
//   process → snowd   snapshot-written <round> <bytes> <ms> <path>
//                     | snapshot-failed <round> <reason>
//   snowd → process   snapshot-resume <round>      every member has written
//                     | snapshot-cancel <round>
//   process           reopens its channels and carries on.
//
// For a message-passing group the two waits are the barriers that make the
// members' checkpoints one consistent cut: nobody runs user code between the
// first pause and the last write, so no message crosses the cut unrecorded.
// A process alone goes through the same steps with a group of one; the pause
// is where snowd counts its output, which is what lets a restart from this
// checkpoint repeat none of it.
//
// A wait that hears nothing for SNOW_MIGRATION_TIMEOUT seconds gives up
// (`snapshot-abandoned <round> <why>`) and carries on: a lost scheduler never
// stops the program.
#pragma once

#include <string>

namespace snow::exec {

// `request` is "snapshot <round> <path>"; false when it is not a snapshot request.
bool serve_snapshot(const std::string &request);

} // namespace snow::exec
