#include "process_table.hpp"

namespace snow::system {

const char *state_name(ProcessState state) {
  switch (state) {
  case ProcessState::Starting:
    return "starting";
  case ProcessState::Running:
    return "running";
  case ProcessState::Migrating:
    return "migrating";
  case ProcessState::Exited:
    return "exited";
  }
  return "?";
}

Json ProcessRecord::to_json() const {
  const auto age = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
  Json platforms = Json::array();
  for (const auto &[platform, exe] : executables)
    platforms.push_back(platform);
  Json j = {{"id", id},
            {"program", program},
            {"args", args},
            {"host", host},
            {"state", state_name(state)},
            {"pid", pid},
            {"migrations", migrations},
            {"platforms", platforms},
            {"age", age.count()}};
  if (migration)
    j["migration"] = migration;
  if (restarts)
    j["restarts"] = restarts;
  if (group) {
    j["group"] = group;
    j["rank"] = rank;
  }
  if (state == ProcessState::Exited) {
    j["status"] = exit_status;
    if (exit_signal)
      j["signal"] = exit_signal;
    if (!exit_reason.empty())
      j["reason"] = exit_reason;
  }
  return j;
}

ProcessRecord &ProcessTable::create() {
  ProcessRecord &record = processes_[next_id_];
  record.id = next_id_++;
  return record;
}

ProcessRecord *ProcessTable::find(long id) {
  const auto it = processes_.find(id);
  return it == processes_.end() ? nullptr : &it->second;
}

std::vector<const ProcessRecord *> ProcessTable::all() const {
  std::vector<const ProcessRecord *> list;
  for (const auto &[id, p] : processes_)
    list.push_back(&p);
  return list;
}

} // namespace snow::system
