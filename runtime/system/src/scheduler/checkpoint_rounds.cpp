#include "checkpoint_rounds.hpp"

#include "process_table.hpp"
#include "scheduler.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace snow::system {

namespace {
constexpr double kFirstNudge = 0.25;
constexpr double kLongestNudge = 8.0;
// A round that has not committed after this long is given up.
constexpr double kRoundTimeout = 120.0;
} // namespace

void CheckpointRounds::add_unit(const std::vector<long> &members, double every) {
  Unit &unit = units_[next_unit_];
  unit.id = next_unit_++;
  unit.members = members;
  unit.every = every;
  unit.next_due = scheduler_.now() + every;
  for (long m : members)
    unit_of_[m] = unit.id;
}

CheckpointRounds::Unit *CheckpointRounds::unit_of(long process) {
  const auto it = unit_of_.find(process);
  return it == unit_of_.end() ? nullptr : &units_.at(it->second);
}

const CheckpointRounds::Unit *CheckpointRounds::unit_of(long process) const {
  const auto it = unit_of_.find(process);
  return it == unit_of_.end() ? nullptr : &units_.at(it->second);
}

std::vector<long> CheckpointRounds::unit_members(long process) const {
  const Unit *unit = unit_of(process);
  return unit ? unit->members : std::vector<long>{process};
}

const Snapshot *CheckpointRounds::latest(long process) const {
  const Unit *unit = unit_of(process);
  return unit && unit->latest ? &*unit->latest : nullptr;
}

bool CheckpointRounds::in_round(long process) const {
  const Unit *unit = unit_of(process);
  return unit && unit->round;
}

std::string CheckpointRounds::file_for(long process, long round) const {
  return directory_ + "/p" + std::to_string(process) + "-r" + std::to_string(round) + ".snow";
}

void CheckpointRounds::tick(double now) {
  for (auto &[id, unit] : units_) {
    if (!unit.round) {
      if (now >= unit.next_due)
        start_round(unit, now);
      continue;
    }
    Round &round = *unit.round;
    if (now - round.started > kRoundTimeout) {
      cancel(unit, "the round did not complete within " + std::to_string(int(kRoundTimeout)) + " s");
      continue;
    }
    // Paused members wait for one that cannot get to a poll-point: let them
    // go on to their next one, and wait longer next time.
    if (!round.writing && !round.paused.empty() && now - round.last_pause > round.nudge_after) {
      std::vector<long> paused;
      for (const auto &[process, _] : round.paused)
        paused.push_back(process);
      round.paused.clear();
      round.nudge_after = std::min(round.nudge_after * 2, kLongestNudge);
      ++round.skips;
      round.last_pause = now;
      order(paused, round.id, "skip");
    }
  }
}

void CheckpointRounds::start_round(Unit &unit, double now) {
  // Every member must be running here and now; otherwise try at the next tick.
  for (long m : unit.members) {
    const ProcessRecord *p = scheduler_.processes().find(m);
    if (!p || p->state != ProcessState::Running || p->migration != 0)
      return;
  }
  Round round;
  round.id = next_round_++;
  round.started = round.last_pause = now;
  round.nudge_after = kFirstNudge;
  unit.round = round;
  for (long m : unit.members) {
    const ProcessRecord *p = scheduler_.processes().find(m);
    const long round_id = round.id, unit_id = unit.id;
    scheduler_.request_host(
        p->host, "snapshot-out", {{"process", m}, {"round", round.id}, {"file", file_for(m, round.id)}},
        [this, unit_id, round_id](const Message &reply) {
          if (reply.ok)
            return;
          // The unit may be gone: all of its processes exited meanwhile.
          const auto it = units_.find(unit_id);
          if (it != units_.end() && it->second.round && it->second.round->id == round_id)
            cancel(it->second, reply.body.value("message", "a host refused the checkpoint"));
        });
  }
}

void CheckpointRounds::order(const std::vector<long> &members, long round,
                             const std::string &what) {
  for (long m : members) {
    const ProcessRecord *p = scheduler_.processes().find(m);
    if (!p || p->state == ProcessState::Exited)
      continue;
    scheduler_.request_host(p->host, "snapshot-order",
                            {{"process", m}, {"round", round}, {"order", what}},
                            [](const Message &) {});
  }
}

void CheckpointRounds::on_paused(const Json &report) {
  const long process = report["process"].get<long>();
  Unit *unit = unit_of(process);
  if (!unit || !unit->round || unit->round->id != report["round"].get<long>() || unit->round->writing)
    return;
  Round &round = *unit->round;
  const ProcessRecord *p = scheduler_.processes().find(process);
  MemberSnapshot &m = round.paused[process];
  m.file = file_for(process, round.id);
  m.poll = report["poll"].get<long>();
  m.stdout_bytes = p->stdout_bytes;
  m.stderr_bytes = p->stderr_bytes;
  round.last_pause = scheduler_.now();
  if (round.paused.size() == unit->members.size()) {
    round.writing = true;
    order(unit->members, round.id, "go");
  }
}

void CheckpointRounds::on_written(const Json &report) {
  const long process = report["process"].get<long>();
  Unit *unit = unit_of(process);
  if (!unit || !unit->round || unit->round->id != report["round"].get<long>() || !unit->round->writing)
    return;
  Round &round = *unit->round;
  round.paused[process].bytes = static_cast<std::uint64_t>(std::max<long long>(0, report["bytes"].get<long long>()));
  round.written.insert(process);
  if (round.written.size() == unit->members.size())
    commit(*unit);
}

void CheckpointRounds::commit(Unit &unit) {
  Round round = std::move(*unit.round);
  unit.round.reset();
  const double now = scheduler_.now();
  if (unit.latest)
    for (const auto &[process, m] : unit.latest->members)
      std::remove(m.file.c_str());
  Snapshot snapshot;
  snapshot.round = round.id;
  snapshot.taken_at = now;
  snapshot.members = round.paused;
  unit.latest = snapshot;
  unit.next_due = now + unit.every;
  order(unit.members, round.id, "resume");
  std::uint64_t bytes = 0;
  Json members = Json::array();
  for (const auto &[process, m] : snapshot.members) {
    bytes += m.bytes;
    members.push_back(process);
  }
  Json data = {{"process", unit.members.front()},
               {"processes", members},
               {"round", round.id},
               {"bytes", bytes},
               {"ms", (now - round.started) * 1000.0},
               {"skips", round.skips}};
  if (const ProcessRecord *p = scheduler_.processes().find(unit.members.front()); p && p->group)
    data["group"] = p->group;
  scheduler_.emit("checkpoint-committed", data);
}

void CheckpointRounds::on_failed(const Json &report, bool deferred) {
  const long process = report["process"].get<long>();
  Unit *unit = unit_of(process);
  if (!unit || !unit->round || unit->round->id != report["round"].get<long>())
    return;
  if (deferred)
    return; // it pauses at its next poll-point by itself
  cancel(*unit, "process " + std::to_string(process) + ": " + report["reason"].get<std::string>());
}

void CheckpointRounds::cancel(Unit &unit, const std::string &why) {
  if (!unit.round)
    return;
  const long round = unit.round->id;
  order(unit.members, round, "cancel");
  for (long m : unit.members)
    std::remove(file_for(m, round).c_str());
  unit.round.reset();
  unit.next_due = scheduler_.now() + unit.every;
  scheduler_.emit("checkpoint-round-failed",
                  {{"process", unit.members.front()}, {"round", round}, {"reason", why}});
}

void CheckpointRounds::cancel_rounds_of(long process, const std::string &why) {
  if (Unit *unit = unit_of(process))
    cancel(*unit, why);
}

void CheckpointRounds::forget_if_finished(long process) {
  const auto it = unit_of_.find(process);
  if (it == unit_of_.end())
    return;
  const long id = it->second;
  Unit &unit = units_.at(id);
  for (long m : unit.members) {
    const ProcessRecord *p = scheduler_.processes().find(m);
    if (p && p->state != ProcessState::Exited)
      return;
  }
  if (unit.latest)
    for (const auto &[member, m] : unit.latest->members)
      std::remove(m.file.c_str());
  for (long m : unit.members)
    unit_of_.erase(m);
  units_.erase(id);
}

void CheckpointRounds::restarted(long process, double now) {
  if (Unit *unit = unit_of(process)) {
    unit->round.reset();
    unit->next_due = now + unit->every;
  }
}

} // namespace snow::system
