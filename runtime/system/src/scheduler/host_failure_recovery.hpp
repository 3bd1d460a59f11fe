// What the scheduler does when a host is lost: its snowd's connection
// closed, or no heartbeat came for --host-timeout seconds (snowd sends one
// every second). docs/fault-tolerance.md.
//
// Every process that ran there and was started with --checkpoint-every is
// restarted from its unit's latest committed snapshot (checkpoint_rounds.hpp)
// — from the start of the program when no round has committed yet — on the
// least loaded surviving host with a build, whatever its platform. A group
// is restarted whole: its members on other hosts are killed first, since
// their state has moved past the snapshot that the lost ones return to.
// The output the processes repeat is not delivered twice: snowd drops as
// much of it as was delivered after the snapshot (spawn's skip_output).
// `process-recovered` says where each went and how much work was lost.
//
// Processes without periodic checkpoints are reported exited ("lost with
// its host"). Reports that a lost host sends about a process restarted
// elsewhere (it may come back after a partition) are dropped, and that copy
// is killed.
#pragma once

#include "protocol/message.hpp"

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace snow::system {

class Scheduler;
class CheckpointRounds;
struct ProcessRecord;

class HostFailureRecovery {
public:
  HostFailureRecovery(Scheduler &scheduler, CheckpointRounds &rounds)
      : scheduler_(scheduler), rounds_(rounds) {}

  // The host is gone (already removed from the registry).
  void host_lost(const std::string &host, const std::string &why);
  // True when the exit of `process` was one recovery caused (not reported).
  bool exit_expected(long process);
  // True when a report from `host` about `process` belongs to a copy that
  // was replaced: drop it (the copy is killed).
  bool stale(const std::string &host, long process);
  // A new copy of `process` is being started on `host` (a spawn, or a
  // migration's destination): its reports are not stale, whatever ran there
  // before.
  void unfence(const std::string &host, long process) { fenced_.erase({host, process}); }
  // The copy of `process` on `host` is replaced: its reports are dropped from now on.
  void fence(const std::string &host, long process) { fenced_.insert({host, process}); }

private:
  struct Recovery {
    std::vector<long> members;
    std::set<long> awaiting_exit; // members killed on surviving hosts
    std::string lost_host;
    double lost_at = 0;
  };
  void restart_when_ready(long key);
  void restart(const Recovery &recovery);

  Scheduler &scheduler_;
  CheckpointRounds &rounds_;
  std::map<long, Recovery> recoveries_;          // keyed by the unit's first member
  std::set<std::pair<std::string, long>> fenced_; // (host, process) copies that were replaced
};

} // namespace snow::system
