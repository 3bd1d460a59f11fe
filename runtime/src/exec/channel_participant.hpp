// The message channels' part in a checkpoint or migration.
//
// The execution state does not depend on the message library: a program that
// never sends a message does not link it. When it is linked, it registers
// itself here (a static initializer in comm/comm_api.cpp), and the poll-point
// asks it to take part: quiesce the channels before the state is collected,
// write the channels' state (the received-but-unconsumed messages, the send
// queues, the connection counters) as a section of the stream, and restart
// the channels where the state lands (docs/migration-protocol.md).
#pragma once

#include <string>

namespace snow::exec {

class ChannelParticipant {
public:
  virtual ~ChannelParticipant() = default;
  // At a migration poll-point. False (with `why`) when the channels cannot be
  // quiesced now (a non-blocking receive is outstanding); the request then
  // stays pending for the next poll-point. Throws std::runtime_error when
  // quiescing failed; the channels are then resumed.
  virtual bool quiesce(std::string &why) = 0;
  // Whether quiesce() would go ahead now, without doing it (a coordinated
  // snapshot asks before it pauses).
  virtual bool can_quiesce(std::string &why) = 0;
  // The channels' state as bytes (empty: there are no channels to move).
  virtual std::string encode() = 0;
  // The migration did not happen: carry on here.
  virtual void resume_here() = 0;
  // The state is elsewhere and this process ends: stop without delivering
  // what is queued (the state's new home does).
  virtual void moved() = 0;
  // At the destination, before the program resumes: the section's bytes.
  virtual void restore(const std::string &bytes) = 0;
  // At the destination, once the migration has committed: reconnect.
  virtual void start_after_restore() = 0;
};

// For the channels' service thread, once it runs: the control channel from
// snowd (-1 when there is none), which the thread watches from now on to
// announce requests to the next poll-point. SIGUSR1, snowd's announcement,
// is ignored from then on. A process with a second thread must not take
// signals for this: qemu-i386 (the i686 hosts) gives the main thread the
// last-created thread's TLS after a signal handler returns in a threaded
// program, so that the program's exit fails in pthread_join with EDEADLK
// (docs/fault-tolerance.md, "qemu-i386 and signals").
int watch_control_from_a_thread();

// The registered participant, or null when the program has no channels.
ChannelParticipant *&channel_participant();

// The stream section that carries the channels' state (after the open files).
inline constexpr const char *kChannelsSectionMagic = "snow-channels 1";

} // namespace snow::exec
