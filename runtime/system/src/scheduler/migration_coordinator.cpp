#include "migration_coordinator.hpp"

#include "protocol/protocol_error.hpp"
#include "scheduler.hpp"

#include <cstdio>
#include <fstream>

namespace snow::system {

namespace {
double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

bool copy_file(const std::string &from, const std::string &to) {
  std::ifstream in(from, std::ios::binary);
  std::ofstream out(to, std::ios::binary | std::ios::trunc);
  if (!in || !out)
    return false;
  out << in.rdbuf();
  return static_cast<bool>(out);
}
} // namespace

long MigrationCoordinator::start(ProcessRecord &process, const std::string &destination,
                                 std::uint64_t requester, const std::string &keep_file) {
  const std::string what = "process " + std::to_string(process.id);
  if (process.state == ProcessState::Migrating)
    throw ProtocolError("already-migrating", what + " is already migrating (migration " +
                                                 std::to_string(process.migration) +
                                                 " is in flight)");
  if (process.state != ProcessState::Running)
    throw ProtocolError("not-running", what + " is " + state_name(process.state));
  Host *to = scheduler_.hosts().find(destination);
  if (!to)
    throw ProtocolError("no-such-host", "there is no host '" + destination + "'");
  if (!process.executables.count(to->platform) || !process.migratable())
    throw ProtocolError("no-build-for-platform", "'" + process.program + "' has no build for " +
                                                     to->platform + " (host '" + destination +
                                                     "')");
  Migration m;
  m.id = next_id_++;
  m.process = process.id;
  m.from = process.host;
  m.to = destination;
  m.requester = requester;
  m.keep_file = keep_file;
  process.state = ProcessState::Migrating;
  process.migration = m.id;
  Migration &stored = migrations_[m.id] = m;
  scheduler_.emit(keep_file.empty() ? "migration-started" : "checkpoint-started", describe(stored),
                  requester);
  scheduler_.emit(
      "migration-phase",
      {{"migration", m.id}, {"process", m.process}, {"phase", "collect"}, {"state", "begin"}},
      requester);
  const long id = m.id;
  scheduler_.request_host(m.from, "checkpoint-out", {{"process", m.process}, {"migration", m.id}},
                          [this, id](const Message &reply) {
                            const auto it = migrations_.find(id);
                            if (!reply.ok && it != migrations_.end())
                              fail(it->second,
                                   "the source host refused: " + reply.body.value("message", "?"));
                          });
  return m.id;
}

MigrationCoordinator::Migration *MigrationCoordinator::find(const Json &report) {
  const auto it = migrations_.find(report["migration"].get<long>());
  if (it == migrations_.end() || it->second.process != report["process"].get<long>())
    return nullptr;
  return &it->second;
}

Json MigrationCoordinator::describe(const Migration &m) const {
  Json j = {{"migration", m.id}, {"process", m.process}, {"from", m.from}, {"to", m.to}};
  if (const ProcessRecord *p = scheduler_.processes().find(m.process))
    j["program"] = p->program;
  if (!m.keep_file.empty())
    j["file"] = m.keep_file;
  return j;
}

void MigrationCoordinator::on_checkpointed(const Json &report) {
  Migration *m = find(report);
  if (!m || m->stage != Stage::Collect)
    return;
  m->file = report["file"].get<std::string>();
  m->bytes = report["bytes"].get<std::uint64_t>();
  m->collect_ms = report["collect_ms"].get<double>();
  scheduler_.emit("migration-phase",
                  {{"migration", m->id},
                   {"process", m->process},
                   {"phase", "collect"},
                   {"state", "end"},
                   {"bytes", m->bytes},
                   {"ms", m->collect_ms}},
                  m->requester);
  // The file is on the filesystem both hosts share: the transfer is the
  // rename that published it. A copy kept for `snow checkpoint` is made now.
  const auto transfer_start = std::chrono::steady_clock::now();
  if (!m->keep_file.empty() && !copy_file(m->file, m->keep_file))
    m->failure = "cannot write the checkpoint to '" + m->keep_file + "'";
  else if (!m->keep_file.empty())
    kept_files_[m->keep_file] = scheduler_.processes().find(m->process)->program;
  m->transfer_ms = ms_since(transfer_start);
  scheduler_.emit("migration-phase",
                  {{"migration", m->id},
                   {"process", m->process},
                   {"phase", "transfer"},
                   {"state", "end"},
                   {"bytes", m->bytes},
                   {"ms", m->transfer_ms}},
                  m->requester);
  restore_on(*m, m->failure.empty() ? m->to : m->from);
}

void MigrationCoordinator::restore_on(Migration &m, const std::string &host_name) {
  ProcessRecord *process = scheduler_.processes().find(m.process);
  Host *host = scheduler_.hosts().find(host_name);
  m.stage = host_name == m.to && m.failure.empty() ? Stage::Restore : Stage::Rollback;
  if (!host) {
    if (m.stage == Stage::Restore) {
      m.failure = "the destination host '" + host_name + "' has left";
      return restore_on(m, m.from);
    }
    process->state = ProcessState::Exited;
    process->exit_reason = "lost: neither the destination nor the source host could restore it";
    scheduler_.emit("process-exited", {{"process", m.process},
                                       {"program", process->program},
                                       {"status", -1},
                                       {"reason", process->exit_reason}});
    scheduler_.emit("migration-failed",
                    {{"migration", m.id}, {"process", m.process}, {"reason", process->exit_reason}},
                    m.requester);
    migrations_.erase(m.id);
    return;
  }
  process->host = host_name;
  scheduler_.emit("migration-phase",
                  {{"migration", m.id},
                   {"process", m.process},
                   {"phase", m.stage == Stage::Restore ? "restore" : "rollback"},
                   {"state", "begin"},
                   {"host", host_name}},
                  m.requester);
  const long id = m.id;
  scheduler_.request_host(host_name, "spawn",
                          {{"process", m.process},
                           {"executable", process->executables.at(host->platform)},
                           {"args", process->args},
                           {"restart", m.file},
                           {"migration", m.id}},
                          [this, id](const Message &reply) {
                            const auto it = migrations_.find(id);
                            if (reply.ok || it == migrations_.end())
                              return;
                            on_failed({{"process", it->second.process},
                                       {"migration", id},
                                       {"reason", reply.body.value("message", "spawn failed")}});
                          });
}

void MigrationCoordinator::on_restored(const Json &report) {
  Migration *m = find(report);
  if (!m)
    return;
  ProcessRecord *process = scheduler_.processes().find(m->process);
  process->state = ProcessState::Running;
  process->migration = 0;
  const double restore_ms = report["restore_ms"].get<double>();
  scheduler_.emit("migration-phase",
                  {{"migration", m->id},
                   {"process", m->process},
                   {"phase", m->stage == Stage::Restore ? "restore" : "rollback"},
                   {"state", "end"},
                   {"bytes", m->bytes},
                   {"ms", restore_ms}},
                  m->requester);
  if (m->stage == Stage::Rollback) {
    fail(*m, m->failure + "; the process continues on '" + m->from + "'");
    return;
  }
  if (m->keep_file.empty())
    ++process->migrations; // a checkpoint stays where it was
  Json done = describe(*m);
  done.update({{"bytes", m->bytes},
               {"collect_ms", m->collect_ms},
               {"transfer_ms", m->transfer_ms},
               {"restore_ms", restore_ms},
               {"total_ms", ms_since(m->started)}});
  scheduler_.emit(m->keep_file.empty() ? "migration-done" : "checkpoint-done", done, m->requester);
  std::remove(m->file.c_str());
  migrations_.erase(m->id);
}

void MigrationCoordinator::on_failed(const Json &report) {
  Migration *m = find(report);
  if (!m)
    return;
  const std::string reason = report["reason"].get<std::string>();
  ProcessRecord *process = scheduler_.processes().find(m->process);
  switch (m->stage) {
  case Stage::Collect: // the process never stopped and keeps running where it is
    process->state = ProcessState::Running;
    process->migration = 0;
    return fail(*m, "the source did not checkpoint: " + reason);
  case Stage::Restore: // the source's state is still in the file: it continues there
    m->failure = "the destination '" + m->to + "' did not restore the process: " + reason;
    return restore_on(*m, m->from);
  case Stage::Rollback:
    process->state = ProcessState::Exited;
    process->migration = 0;
    process->exit_reason = m->failure + "; restoring it on '" + m->from + "' failed too: " + reason;
    scheduler_.emit("process-exited", {{"process", m->process},
                                       {"program", process->program},
                                       {"status", -1},
                                       {"reason", process->exit_reason}});
    return fail(*m, process->exit_reason);
  }
}

void MigrationCoordinator::fail(Migration &m, const std::string &reason) {
  Json data = describe(m);
  data["reason"] = reason;
  if (const ProcessRecord *p = scheduler_.processes().find(m.process))
    data["host"] = p->host;
  scheduler_.emit(m.keep_file.empty() ? "migration-failed" : "checkpoint-failed", data,
                  m.requester);
  if (!m.file.empty())
    std::remove(m.file.c_str());
  migrations_.erase(m.id);
}

void MigrationCoordinator::on_process_exited(ProcessRecord &process) {
  if (!process.migration)
    return;
  const auto it = migrations_.find(process.migration);
  process.migration = 0;
  if (it != migrations_.end())
    fail(it->second, "the process exited (status " + std::to_string(process.exit_status) +
                         ") before it reached a poll-point");
}

std::string MigrationCoordinator::program_of_file(const std::string &file) const {
  const auto it = kept_files_.find(file);
  return it == kept_files_.end() ? "" : it->second;
}

} // namespace snow::system
