// Periodic checkpoints (`snow run --checkpoint-every <seconds>`) and the
// store of each process's latest one — what a restart after a lost host
// starts from (host_failure_recovery.hpp). docs/fault-tolerance.md has the
// algorithm and why it is consistent.
//
// A unit is what is checkpointed together: one process, or every member of
// a message-passing group. A round of a unit:
//   1. scheduler → each member's snowd: snapshot-out (round, file). Each
//      member pauses at its next poll-point; its snowd reports
//      snapshot-paused once all the output it wrote before has been
//      forwarded, so the process's output count then is where its
//      checkpoint stands in its output.
//   2. All paused: snapshot-order go. Each member quiesces its channels and
//      writes its file (snapshot-written). A member that pauses while
//      another cannot reach a poll-point (it waits for a message from a
//      paused one) would wait forever, so members paused for longer than the
//      nudge time are told to skip to their next poll-point; the nudge time
//      doubles with each skip (0.25 s, 0.5 s, … 8 s), so members of a
//      lock-step program line up at one poll-point within a few tries.
//   3. All written: the round is committed as the unit's latest snapshot
//      (the previous one's files are deleted), then snapshot-order resume.
//   Any failure, a member exiting or a member's host leaving cancels the
//   round (snapshot-order cancel to the others; its files are deleted); the
//   unit tries again after the next interval.
#pragma once

#include "protocol/message.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace snow::system {

class Scheduler;

// One member's part of a committed snapshot.
struct MemberSnapshot {
  std::string file;
  std::uint64_t bytes = 0;
  std::uint64_t stdout_bytes = 0; // the process's output before the checkpoint
  std::uint64_t stderr_bytes = 0;
  long poll = 0;
};

struct Snapshot {
  long round = 0;
  double taken_at = 0; // scheduler seconds, when the last member wrote
  std::map<long, MemberSnapshot> members;
};

class CheckpointRounds {
public:
  CheckpointRounds(Scheduler &scheduler, std::string directory)
      : scheduler_(scheduler), directory_(std::move(directory)) {}

  // Checkpoint these processes together every `every` seconds from now.
  void add_unit(const std::vector<long> &members, double every);
  bool covers(long process) const { return unit_of_.count(process) != 0; }
  // Every member of the process's unit (itself alone, or its group).
  std::vector<long> unit_members(long process) const;
  const Snapshot *latest(long process) const;
  // Whether a round involving it is in flight (migrations wait).
  bool in_round(long process) const;

  // Called every scheduler tick: starts due rounds, nudges, times out.
  void tick(double now);
  void on_paused(const Json &report);
  void on_written(const Json &report);
  void on_failed(const Json &report, bool deferred);
  // The process ended (or its host is gone): rounds of its unit stop here.
  void cancel_rounds_of(long process, const std::string &why);
  // The process has exited: once every member of its unit has, the unit is
  // done and its latest snapshot's files are deleted (nothing can restart it).
  void forget_if_finished(long process);
  // A unit restarted from its latest snapshot: rounds start again later.
  void restarted(long process, double now);
  const std::string &directory() const { return directory_; }

private:
  struct Round {
    long id = 0;
    bool writing = false;
    std::map<long, MemberSnapshot> paused; // with the output counts at the pause
    std::set<long> written;
    double started = 0, last_pause = 0, nudge_after = 0.25;
    int skips = 0;
  };
  struct Unit {
    long id = 0;
    std::vector<long> members;
    double every = 0;
    double next_due = 0;
    std::optional<Round> round;
    std::optional<Snapshot> latest;
  };

  Unit *unit_of(long process);
  const Unit *unit_of(long process) const;
  void start_round(Unit &unit, double now);
  void order(const std::vector<long> &members, long round, const std::string &what);
  void cancel(Unit &unit, const std::string &why);
  void commit(Unit &unit);
  std::string file_for(long process, long round) const;

  Scheduler &scheduler_;
  std::string directory_;
  std::map<long, Unit> units_;
  std::map<long, long> unit_of_; // process → unit id
  long next_unit_ = 1;
  long next_round_ = 1;
};

} // namespace snow::system
