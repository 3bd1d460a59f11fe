#include "migration_coordinator.hpp"

#include "common/token.hpp"
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
  scheduler_.recovery_.unfence(destination, process.id); // its destination speaks for it
  if (!process.executables.count(to->platform) || !process.migratable())
    throw ProtocolError("no-build-for-platform", "'" + process.program + "' has no build for " +
                                                     to->platform + " (host '" + destination +
                                                     "')");
  if (keep_file.empty() && destination == process.host)
    throw ProtocolError("same-host", what + " already runs on '" + destination + "'");
  Migration m;
  m.id = next_id_++;
  m.live = keep_file.empty();
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
  if (stored.live) {
    start_live(stored, process);
    return stored.id;
  }
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

void MigrationCoordinator::start_live(Migration &m, ProcessRecord &process) {
  m.stage = Stage::Prepare;
  const Host *to = scheduler_.hosts().find(m.to);
  const std::string secret = generate_token(); // one-time: only this source may hand over
  const long id = m.id;
  scheduler_.request_host(
      m.to, "prepare-incoming",
      {{"process", m.process},
       {"migration", m.id},
       {"executable", process.executables.at(to->platform)},
       {"args", process.args},
       {"secret", secret}},
      [this, id, secret](const Message &reply) {
        const auto it = migrations_.find(id);
        if (it == migrations_.end())
          return;
        Migration &m = it->second;
        if (!reply.ok)
          return fail(m, "the destination '" + m.to + "' could not start the program: " +
                             reply.body.value("message", "?"));
        m.destination_started = true;
        m.stage = Stage::Stream;
        scheduler_.request_host(m.from, "migrate-out",
                                {{"process", m.process},
                                 {"migration", m.id},
                                 {"address", reply.body["address"]},
                                 {"port", reply.body["port"]},
                                 {"secret", secret}},
                                [this, id](const Message &reply) {
                                  const auto it = migrations_.find(id);
                                  if (!reply.ok && it != migrations_.end())
                                    fail(it->second, "the source host refused: " +
                                                         reply.body.value("message", "?"));
                                });
      });
}

void MigrationCoordinator::on_sent(const Json &report) {
  Migration *m = find(report);
  if (!m || !m->live)
    return;
  m->bytes = report["bytes"].get<std::uint64_t>();
  // Collection and transfer run as one pipeline: they end together.
  m->collect_ms = m->transfer_ms = report["sent_ms"].get<double>();
  for (const char *phase : {"collect", "transfer"})
    scheduler_.emit("migration-phase",
                    {{"migration", m->id},
                     {"process", m->process},
                     {"phase", phase},
                     {"state", "end"},
                     {"bytes", m->bytes},
                     {"ms", m->collect_ms}},
                    m->requester);
}

void MigrationCoordinator::on_migrated_out(const Json &report) {
  Migration *m = find(report);
  if (!m || !m->live)
    return;
  m->source_gone = true;
  if (m->restored)
    return finish_live(*m);
  if (!m->failure.empty()) // the destination failed, the source committed all the same
    on_failed({{"process", m->process},
               {"migration", m->id},
               {"host", m->to},
               {"reason", m->failure}});
}

// The live migration whose destination is `host`, of the process a report
// names; null when there is none.
MigrationCoordinator::Migration *MigrationCoordinator::live_destination(const std::string &host,
                                                                        const Json &report) {
  const ProcessRecord *process = scheduler_.processes().find(report["process"].get<long>());
  if (!process || !process->migration)
    return nullptr;
  const auto it = migrations_.find(process->migration);
  if (it == migrations_.end() || !it->second.live || host != it->second.to)
    return nullptr;
  return &it->second;
}

std::string MigrationCoordinator::live_destination_host(long process) const {
  const ProcessRecord *record = scheduler_.processes().find(process);
  if (!record || !record->migration)
    return "";
  const auto it = migrations_.find(record->migration);
  return it != migrations_.end() && it->second.live ? it->second.to : "";
}

bool MigrationCoordinator::hold_output(const std::string &host, const Json &report) {
  Migration *m = live_destination(host, report);
  if (!m)
    return false;
  m->held_output.push_back(report);
  return true;
}

bool MigrationCoordinator::hold_exit(const std::string &host, const Json &report) {
  Migration *m = live_destination(host, report);
  // Only a destination that has restored finished the program; one that
  // dies before restoring fails the migration (the source runs on).
  if (!m || !m->restored)
    return false;
  m->held_exit = report;
  return true;
}

void MigrationCoordinator::finish_live(Migration &m) {
  ProcessRecord *process = scheduler_.processes().find(m.process);
  process->state = ProcessState::Running;
  process->migration = 0;
  process->host = m.to;
  ++process->migrations;
  scheduler_.emit("migration-phase",
                  {{"migration", m.id},
                   {"process", m.process},
                   {"phase", "restore"},
                   {"state", "end"},
                   {"bytes", m.bytes},
                   {"ms", m.restore_ms}},
                  m.requester);
  Json done = describe(m);
  done.update({{"bytes", m.bytes},
               {"collect_ms", m.collect_ms},
               {"transfer_ms", m.transfer_ms},
               {"restore_ms", m.restore_ms},
               {"total_ms", ms_since(m.started)},
               {"pipelined", true}});
  scheduler_.emit("migration-done", done, m.requester);
  for (const Json &output : m.held_output)
    scheduler_.emit("process-output", {{"process", output["process"]},
                                       {"stream", output["stream"]},
                                       {"data", output["data"]}});
  const Json exit = std::move(m.held_exit);
  migrations_.erase(m.id);
  if (!exit.is_null())
    scheduler_.process_exited(exit);
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
  if (m->live) {
    m->restored = true;
    m->restore_ms = report["restore_ms"].get<double>();
    if (m->source_gone)
      finish_live(*m);
    return;
  }
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
  if (m->live) {
    const std::string reporter = report.value("host", "");
    if (reporter == m->to && !m->restored && !m->source_gone) {
      // The source finds out through the broken connection and reports its
      // own failure (it runs on); keep the destination's reason for it.
      m->failure = "the destination '" + m->to + "' did not restore the process: " + reason;
      m->destination_started = false;
      return;
    }
    if (reporter == m->to) { // after the commit: the process is lost with it
      process->state = ProcessState::Exited;
      process->migration = 0;
      process->exit_reason = "lost: the destination '" + m->to +
                             "' failed after the source had committed: " + reason;
      scheduler_.emit("process-exited", {{"process", m->process},
                                         {"program", process->program},
                                         {"status", -1},
                                         {"reason", process->exit_reason}});
      return fail(*m, process->exit_reason);
    }
    // The source's own words name an address; say which host that was.
    std::string why = "the source did not hand its state to '" + m->to + "': " + reason;
    if (!m->failure.empty())
      why = m->failure + " (the source: " + reason + ")";
    return fail(*m, why + "; the process continues on '" + m->from + "'");
  }
  switch (m->stage) {
  case Stage::Collect: // the process never stopped and keeps running where it is
    process->state = ProcessState::Running;
    process->migration = 0;
    return fail(*m, "the source did not checkpoint: " + reason);
  case Stage::Restore: // the source's state is still in the file: it continues there
    m->failure = "the destination '" + m->to + "' did not restore the process: " + reason;
    return restore_on(*m, m->from);
  case Stage::Prepare:
  case Stage::Stream: // live migrations returned above
    break;
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
  if (m.live) {
    ProcessRecord *process = scheduler_.processes().find(m.process);
    if (process && process->state == ProcessState::Migrating) {
      process->state = ProcessState::Running;
      process->migration = 0;
    }
    if (m.destination_started && !m.restored)
      scheduler_.request_host(m.to, "kill", {{"process", m.process}, {"signal", 9}},
                              [](const Message &) {}); // it may have ended already
  }
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

void MigrationCoordinator::abandon(long process, const std::string &reason) {
  for (auto &[id, m] : migrations_)
    if (m.process == process) {
      if (m.live && m.restored) {
        // Past the commit the destination is the process: it is the copy to
        // kill (the caller kills it where the record places it), and the
        // source, on its way out, is fenced so that its last reports do not
        // speak for the restarted process.
        if (ProcessRecord *p = scheduler_.processes().find(process))
          p->host = m.to;
        scheduler_.recovery_.fence(m.from, process);
      }
      return fail(m, reason);
    }
}

void MigrationCoordinator::on_host_lost(const std::string &host) {
  std::vector<long> ids;
  for (const auto &[id, m] : migrations_)
    if (m.to == host || m.from == host)
      ids.push_back(id);
  for (long id : ids) {
    const auto it = migrations_.find(id);
    if (it == migrations_.end())
      continue;
    Migration &m = it->second;
    ProcessRecord *process = scheduler_.processes().find(m.process);
    const std::string lost = "the host '" + host + "' was lost";
    if (m.live && m.to == host && (m.restored || m.source_gone)) {
      // Committed: the destination was the process, and it is gone.
      fail(m, lost + " after the migration had committed");
      process->state = ProcessState::Running;
      process->host = host;
      continue;
    }
    if (m.live && m.from == host && m.restored) {
      // Committed: the destination runs it; the source's last words are lost.
      m.source_gone = true;
      finish_live(m);
      continue;
    }
    if (!m.live && m.to == host && m.from != host && m.stage == Stage::Restore) {
      m.failure = "the destination '" + m.to + "' did not restore the process: " + lost;
      restore_on(m, m.from); // the state is still in the file
      continue;
    }
    fail(m, lost + (m.from == host ? "" : "; the process continues on '" + m.from + "'"));
  }
}

} // namespace snow::system
