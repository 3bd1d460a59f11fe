#include "host_failure_recovery.hpp"

#include "checkpoint_rounds.hpp"
#include "placement.hpp"
#include "protocol/protocol_error.hpp"
#include "scheduler.hpp"

#include <csignal>

namespace snow::system {

void HostFailureRecovery::host_lost(const std::string &host, const std::string &why) {
  scheduler_.emit("host-lost", {{"host", host}, {"reason", why}});
  std::vector<long> lost;
  for (const ProcessRecord *p : scheduler_.processes().all())
    if (p->host == host && p->state != ProcessState::Exited)
      lost.push_back(p->id);
  for (long id : lost) {
    ProcessRecord *p = scheduler_.processes().find(id);
    if (p->state == ProcessState::Exited)
      continue; // handled with its group
    fenced_.insert({host, id});
    if (!rounds_.covers(id)) {
      scheduler_.process_exited({{"process", id},
                                 {"status", -1},
                                 {"reason", "lost with its host '" + host + "' (" + why +
                                                "); run it with --checkpoint-every to survive that"}});
      continue;
    }
    const std::vector<long> members = rounds_.unit_members(id);
    if (recoveries_.count(members.front()))
      continue;
    rounds_.cancel_rounds_of(id, "the host '" + host + "' was lost");
    Recovery &r = recoveries_[members.front()];
    r.members = members;
    r.lost_host = host;
    r.lost_at = scheduler_.now();
    for (long m : members) {
      ProcessRecord *member = scheduler_.processes().find(m);
      if (member->host != host && member->state != ProcessState::Exited &&
          scheduler_.hosts().find(member->host)) {
        // On a surviving host, past the snapshot: it goes back too.
        if (member->migration)
          scheduler_.migrations_.abandon(m, "its group restarts from a checkpoint: the host '" + host +
                                                "' was lost");
        r.awaiting_exit.insert(m);
        scheduler_.request_host(member->host, "kill", {{"process", m}, {"signal", SIGKILL}},
                                [this, key = members.front(), m](const Message &reply) {
                                  if (reply.ok)
                                    return; // its exit report follows
                                  auto it = recoveries_.find(key);
                                  if (it != recoveries_.end() && it->second.awaiting_exit.erase(m))
                                    restart_when_ready(key);
                                });
      }
      member->state = ProcessState::Starting; // not running anywhere the scheduler counts on
    }
    restart_when_ready(members.front());
  }
}

bool HostFailureRecovery::exit_expected(long process) {
  for (auto &[key, r] : recoveries_)
    if (r.awaiting_exit.erase(process)) {
      restart_when_ready(key);
      return true;
    }
  return false;
}

bool HostFailureRecovery::stale(const std::string &host, long process) {
  if (!fenced_.count({host, process}))
    return false;
  const ProcessRecord *p = scheduler_.processes().find(process);
  if (p && p->host == host)
    return false; // it was restarted on that host again: this is the new copy
  scheduler_.request_host(host, "kill", {{"process", process}, {"signal", SIGKILL}},
                          [](const Message &) {});
  return true;
}

void HostFailureRecovery::restart_when_ready(long key) {
  const auto it = recoveries_.find(key);
  if (it == recoveries_.end() || !it->second.awaiting_exit.empty())
    return;
  const Recovery recovery = std::move(it->second);
  recoveries_.erase(it);
  restart(recovery);
}

void HostFailureRecovery::restart(const Recovery &recovery) {
  const Snapshot *snapshot = rounds_.latest(recovery.members.front());
  const double now = scheduler_.now();
  for (long m : recovery.members) {
    ProcessRecord *p = scheduler_.processes().find(m);
    const std::string from = p->host;
    const MemberSnapshot *state = nullptr;
    if (snapshot) {
      const auto s = snapshot->members.find(m);
      if (s != snapshot->members.end())
        state = &s->second;
    }
    Json data = {{"process", m}, {"program", p->program}, {"from", from},
                 {"lost_host", recovery.lost_host}, {"round", snapshot ? snapshot->round : 0}};
    if (p->group) {
      data["group"] = p->group;
      data["rank"] = p->rank;
    }
    try {
      Host &host = place_process(scheduler_.hosts(), p->executables, "");
      p->host = host.name;
      ++host.processes; // now, so that the next member goes elsewhere (heartbeats correct it)
    } catch (const ProtocolError &e) {
      scheduler_.process_exited(
          {{"process", m}, {"status", -1}, {"reason", std::string("cannot be recovered: ") + e.what()}});
      continue;
    }
    if (p->host != from)
      fenced_.insert({from, m});
    const std::uint64_t repeat_out = p->stdout_bytes - (state ? state->stdout_bytes : 0);
    const std::uint64_t repeat_err = p->stderr_bytes - (state ? state->stderr_bytes : 0);
    data["to"] = p->host;
    data["lost_s"] = now - (snapshot ? snapshot->taken_at : p->started_at);
    data["repeated_bytes"] = repeat_out + repeat_err;
    scheduler_.emit("process-recovered", data);
    p->state = ProcessState::Starting;
    p->migration = 0;
    p->restarts += 1;
    scheduler_.respawn(*p, state ? state->file : std::string(),
                       {{"stdout", repeat_out}, {"stderr", repeat_err}});
  }
  rounds_.restarted(recovery.members.front(), now);
}

} // namespace snow::system
