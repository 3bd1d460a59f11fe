#include "scheduler.hpp"

#include <sys/time.h>

#include "common/token.hpp"
#include "placement.hpp"
#include "protocol/protocol_error.hpp"

#include <csignal>
#include <iostream>
#include <sstream>
#include <utility>
#include <sys/stat.h>

namespace snow::system {

Scheduler::Scheduler(SchedulerOptions options)
    : options_(std::move(options)), migrations_(*this), rounds_(*this, options_.checkpoint_dir),
      recovery_(*this, rounds_) {
  timeval tv{};
  gettimeofday(&tv, nullptr);
  start_unix_ = static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}
Scheduler::~Scheduler() = default;

double Scheduler::now() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Scheduler::on_open(const std::shared_ptr<Connection> &connection) {
  peers_[connection->id()].connection = connection;
}

void Scheduler::on_close(const std::shared_ptr<Connection> &connection) {
  const auto it = peers_.find(connection->id());
  if (it == peers_.end())
    return;
  const std::string host = it->second.role == Role::Host ? it->second.host : "";
  peers_.erase(it);
  if (host.empty())
    return;
  host_gone(host, "its connection closed");
}

void Scheduler::host_gone(const std::string &host, const std::string &why) {
  hosts_.remove(host);
  emit("host-left", {{"host", host}});
  // Requests the host will never answer fail now, in the order they were sent.
  std::vector<ReplyHandler> orphans;
  for (auto p = pending_.begin(); p != pending_.end();) {
    if (p->second.host == host) {
      orphans.push_back(std::move(p->second.on_reply));
      p = pending_.erase(p);
    } else {
      ++p;
    }
  }
  for (ReplyHandler &handler : orphans) {
    Message reply;
    reply.kind = MessageKind::Reply;
    reply.ok = false;
    reply.body = {{"code", "host-left"}, {"message", "the host '" + host + "' left"}};
    handler(reply);
  }
  migrations_.on_host_lost(host);
  recovery_.host_lost(host, why);
}

void Scheduler::start_timers(boost::asio::io_context &io) {
  tick_timer_ = std::make_unique<boost::asio::steady_timer>(io);
  auto schedule = std::make_shared<std::function<void()>>();
  *schedule = [this, schedule] {
    tick_timer_->expires_after(std::chrono::milliseconds(250));
    tick_timer_->async_wait([this, schedule](boost::system::error_code ec) {
      if (ec)
        return;
      tick();
      (*schedule)();
    });
  };
  (*schedule)();
}

void Scheduler::tick() {
  // Hosts whose heartbeats stopped: a dead machine or a cut link closes no
  // connection, so silence is how it shows.
  std::vector<std::string> silent;
  const auto now_steady = std::chrono::steady_clock::now();
  for (const Host *h : hosts_.all())
    if (std::chrono::duration<double>(now_steady - h->last_heartbeat).count() > options_.host_timeout)
      silent.push_back(h->name);
  for (const std::string &name : silent) {
    Host *h = hosts_.find(name);
    std::shared_ptr<Connection> connection = h->connection;
    if (auto peer = peers_.find(connection->id()); peer != peers_.end())
      peer->second.role = Role::Unauthenticated; // its close is no longer a host's
    std::ostringstream why;
    why << "no heartbeat for " << options_.host_timeout << " s";
    host_gone(name, why.str());
    connection->close("no heartbeat");
  }
  rounds_.tick(now());
  for (const PendingRespawn &r : std::exchange(pending_respawns_, {}))
    if (ProcessRecord *p = processes_.find(r.process); p && p->state == ProcessState::Starting)
      respawn(*p, r.file, r.skip_output, r.attempt);
}

void Scheduler::on_message(const std::shared_ptr<Connection> &connection, const std::string &text) {
  Peer &peer = peers_[connection->id()];
  Message message;
  try {
    message = parse_message(text, options_.max_message_bytes);
  } catch (const ProtocolError &e) {
    const Json id = e.code() == "message-too-large" ? Json() : recover_id(text);
    connection->send(make_error(id, e.code(), e.what()));
    if (peer.role == Role::Unauthenticated)
      connection->close("unauthenticated");
    return;
  }
  handle(peer, message);
}

void Scheduler::handle(Peer &peer, const Message &message) {
  if (peer.role == Role::Unauthenticated) {
    if (message.kind == MessageKind::Request && message.name == "hello")
      return hello(peer, message);
    peer.connection->send(
        make_error(message.id, "unauthenticated", "say hello with the token first"));
    peer.connection->close("unauthenticated");
    return;
  }
  if (message.kind == MessageKind::Reply) {
    if (peer.role == Role::Host)
      return host_reply(message);
    peer.connection->send(
        make_error(message.id, "invalid-message", "clients send requests, not replies"));
    return;
  }
  if (message.kind == MessageKind::Event) {
    peer.connection->send(
        make_error(message.id, "invalid-message", "clients send requests, not events"));
    return;
  }
  if (message.name == "hello") {
    peer.connection->send(
        make_error(message.id, "invalid-message", "this connection has said hello already"));
    return;
  }
  if (peer.role == Role::Host)
    return host_report(peer, message);

  // A client's command: most answer at once, some when a host has answered.
  auto connection = peer.connection;
  const Json id = message.id;
  Respond respond = [connection, id](const Json &result) {
    connection->send(make_reply(id, result));
  };
  Fail fail = [connection, id](const std::string &code, const std::string &text) {
    connection->send(make_error(id, code, text));
  };
  try {
    if (message.name == "run")
      return run(peer, message.body, respond, fail);
    if (message.name == "restart")
      return restart(peer, message.body, respond, fail);
    if (message.name == "kill")
      return kill(message.body, respond, fail);
    respond(client_command(peer, message));
  } catch (const ProtocolError &e) {
    fail(e.code(), e.what());
  }
}

void Scheduler::hello(Peer &peer, const Message &message) {
  const Json &args = message.body;
  if (!tokens_equal(args["token"].get<std::string>(), options_.token)) {
    peer.connection->send(make_error(message.id, "bad-token", "the token is wrong"));
    peer.connection->close("bad token");
    return;
  }
  const std::string role = args["role"].get<std::string>();
  try {
    if (role == "host") {
      if (!args.contains("host"))
        throw ProtocolError("invalid-arguments", "a host's hello needs 'host'");
      Host &host = hosts_.add(args["host"], peer.connection);
      peer.role = Role::Host;
      peer.host = host.name;
      peer.connection->send(
          make_reply(message.id, {{"server", "snow-scheduler"}, {"api", kApiVersion}}));
      emit("host-joined", host.to_json());
      return;
    }
    if (role != "client")
      throw ProtocolError("invalid-arguments", "'role' is 'client' or 'host'");
    peer.role = Role::Client;
    peer.connection->send(
        make_reply(message.id, {{"server", "snow-scheduler"}, {"api", kApiVersion}}));
  } catch (const ProtocolError &e) {
    peer.connection->send(make_error(message.id, e.code(), e.what()));
  }
}

Json Scheduler::client_command(Peer &peer, const Message &message) {
  const Json &args = message.body;
  if (message.name == "list-hosts") {
    Json list = Json::array();
    for (const Host *h : hosts_.all())
      list.push_back(h->to_json());
    return {{"hosts", list}};
  }
  if (message.name == "list-processes") {
    Json list = Json::array();
    for (const ProcessRecord *p : processes_.all())
      list.push_back(p->to_json());
    return {{"processes", list}};
  }
  if (message.name == "subscribe") {
    peer.subscribed = true;
    peer.events.clear();
    if (args.contains("events"))
      for (const Json &e : args["events"])
        peer.events.insert(e.get<std::string>());
    return {{"subscribed", args.value("events", Json::array())}};
  }
  if (message.name == "migrate" || message.name == "checkpoint") {
    ProcessRecord *process = processes_.find(args["process"].get<long>());
    if (!process)
      throw ProtocolError("no-such-process", "there is no process " + args["process"].dump());
    if (rounds_.in_round(process->id))
      throw ProtocolError("already-migrating",
                          "process " + std::to_string(process->id) +
                              " is taking part in a periodic checkpoint; try again in a moment");
    std::string keep;
    if (message.name == "checkpoint") {
      keep = args.value("file", "snow-checkpoint-p" + std::to_string(process->id) + ".snow");
      if (keep.empty() || keep[0] != '/')
        throw ProtocolError("invalid-arguments", "'file' must be an absolute path");
    }
    const std::string to =
        message.name == "migrate" ? args["host"].get<std::string>() : process->host;
    const long migration = migrations_.start(*process, to, peer.connection->id(), keep);
    Json result = {
        {"migration", migration}, {"process", process->id}, {"from", process->host}, {"to", to}};
    if (!keep.empty())
      result["file"] = keep;
    return result;
  }
  throw ProtocolError("unknown-command",
                      "'" + message.name + "' is a host's message, not a client's");
}

void Scheduler::run(Peer &peer, const Json &args, Respond respond, Fail fail) {
  const std::string program = args["program"].get<std::string>();
  const std::string on = args.value("on", "");
  ProcessRecord candidate;
  if (const MigratableProgram *p = options_.manifest.find(program)) {
    candidate.program = p->name;
    candidate.executables = p->executables;
    candidate.migratable_single = true;
  } else {
    struct stat info {};
    if (program.empty() || program[0] != '/' || stat(program.c_str(), &info) != 0 ||
        !S_ISREG(info.st_mode))
      throw ProtocolError(
          "no-such-program",
          "'" + program + "' is neither a program of the manifest (" +
              (options_.manifest.path().empty() ? "none loaded" : options_.manifest.path()) +
              ") nor an absolute path to an executable");
    // A plain executable runs where asked, or natively; it cannot migrate.
    const Host *host = on.empty() ? nullptr : hosts_.find(on);
    candidate.program = program;
    candidate.executables[host ? host->platform : "x86_64"] = program;
  }
  const double every = args.value("checkpoint_every", 0.0);
  if (args.contains("checkpoint_every") && !(every >= 0.1 && every <= 86400 * 365))
    throw ProtocolError("invalid-arguments",
                        "'checkpoint_every' is seconds from 0.1 on, not " + args["checkpoint_every"].dump());
  if (every > 0 && !candidate.migratable())
    throw ProtocolError("invalid-arguments",
                        "'" + program + "' is not a migratable program: it cannot be checkpointed");
  if (args.contains("ranks") || args.contains("hosts"))
    return run_group(peer, candidate, args, respond, fail);
  Host &host = place_process(hosts_, candidate.executables, on);
  ProcessRecord &record = processes_.create();
  const long id = record.id;
  record.program = candidate.program;
  record.executables = candidate.executables;
  record.migratable_single = candidate.migratable_single;
  if (args.contains("args"))
    record.args = args["args"].get<std::vector<std::string>>();
  record.host = host.name;
  record.launcher = peer.connection->id();
  spawn(record, "", 0, respond, fail);
  if (every > 0)
    rounds_.add_unit({id}, every);
}

// `snow run -n N`: N processes of one program, ranks 0..N-1 of a new group,
// on the hosts named (rank i on hosts[i % n]) or spread round-robin over the
// hosts with a build. The reply comes when every rank has started.
void Scheduler::run_group(Peer &peer, const ProcessRecord &candidate, const Json &args,
                          Respond respond, Fail fail) {
  const long ranks = args.value("ranks", 1L);
  if (ranks < 1 || ranks > 4096)
    throw ProtocolError("invalid-arguments",
                        "'ranks' must be from 1 to 4096, not " + std::to_string(ranks));
  std::vector<std::string> names = args.value("hosts", std::vector<std::string>{});
  if (names.empty() && args.contains("on"))
    names.push_back(args["on"].get<std::string>());
  if (names.empty()) {
    for (const Host *h : hosts_.all())
      if (candidate.executables.count(h->platform))
        names.push_back(h->name);
    if (names.empty()) // place_process names the problem
      place_process(hosts_, candidate.executables, "");
  }
  std::vector<std::string> placed;
  for (long r = 0; r < ranks; ++r)
    placed.push_back(place_process(hosts_, candidate.executables,
                                   names[static_cast<std::size_t>(r) % names.size()])
                         .name);
  const long group = directory_.create_group(static_cast<int>(ranks));
  std::vector<long> members;
  struct Gathering {
    Json processes = Json::array();
    long started = 0;
    bool failed = false;
    std::vector<long> members;
  };
  auto gathering = std::make_shared<Gathering>();
  gathering->processes = Json::array();
  for (long r = 0; r < ranks && !gathering->failed; ++r) {
    ProcessRecord &record = processes_.create();
    record.program = candidate.program;
    record.executables = candidate.executables;
    record.migratable_single = candidate.migratable_single;
    if (args.contains("args"))
      record.args = args["args"].get<std::vector<std::string>>();
    record.host = placed[static_cast<std::size_t>(r)];
    record.launcher = peer.connection->id();
    record.group = group;
    record.rank = static_cast<int>(r);
    directory_.add_member(group, static_cast<int>(r), record.id);
    members.push_back(record.id);
    gathering->members.push_back(record.id);
    gathering->processes.push_back(nullptr);
    spawn(
        record, "", 0,
        [this, gathering, r, ranks, group, respond](const Json &result) {
          gathering->processes[static_cast<std::size_t>(r)] = result["process"];
          if (++gathering->started == ranks && !gathering->failed)
            respond({{"group", group}, {"processes", gathering->processes}});
        },
        [this, gathering, r, fail](const std::string &code, const std::string &text) {
          if (!gathering->failed)
            fail(code, "rank " + std::to_string(r) + ": " + text);
          gathering->failed = true;
          // A group without one of its ranks would wait for it forever.
          for (long other : gathering->members)
            if (ProcessRecord *p = processes_.find(other); p && p->state != ProcessState::Exited)
              request_host(p->host, "kill", {{"process", other}, {"signal", SIGKILL}},
                           [](const Message &) {});
        });
  }
  if (args.value("checkpoint_every", 0.0) > 0 && !gathering->failed)
    rounds_.add_unit(members, args["checkpoint_every"].get<double>());
}

void Scheduler::restart(Peer &peer, const Json &args, Respond respond, Fail fail) {
  const std::string file = args["file"].get<std::string>();
  struct stat info {};
  if (file.empty() || file[0] != '/' || stat(file.c_str(), &info) != 0)
    throw ProtocolError("no-such-file",
                        "there is no checkpoint file '" + file + "' (give an absolute path)");
  std::string program = args.value("program", migrations_.program_of_file(file));
  if (program.empty())
    throw ProtocolError("invalid-arguments",
                        "say which program wrote '" + file + "' with 'program'");
  const MigratableProgram *p = options_.manifest.find(program);
  if (!p)
    throw ProtocolError("no-such-program", "'" + program + "' is not a program of the manifest");
  Host &host = place_process(hosts_, p->executables, args.value("on", ""));
  ProcessRecord &record = processes_.create();
  record.program = p->name;
  record.executables = p->executables;
  record.migratable_single = true;
  record.host = host.name;
  record.launcher = peer.connection->id();
  spawn(record, file, 0, respond, fail);
}

void Scheduler::respawn(ProcessRecord &record, const std::string &restart_file,
                        const Json &skip_output, int attempt) {
  if (record.group && attempt == 0)
    directory_.restart_group(record.group);
  const long id = record.id;
  spawn(
      record, restart_file, 0, [](const Json &) {},
      [this, id, restart_file, skip_output, attempt](const std::string &, const std::string &text) {
        ProcessRecord *p = processes_.find(id);
        // The host may still be reaping an earlier copy (a migration's
        // destination killed when its source was lost): try again shortly.
        if (text.find("already runs") != std::string::npos && attempt < 40) {
          p->state = ProcessState::Starting;
          pending_respawns_.push_back({id, restart_file, skip_output, attempt + 1});
          return;
        }
        p->state = ProcessState::Running; // so that it can be reported exited
        process_exited({{"process", id}, {"status", -1}, {"reason", "recovery failed: " + text}});
      },
      skip_output);
}

void Scheduler::spawn(ProcessRecord &record, const std::string &restart_file, long migration,
                      Respond respond, Fail fail, const Json &skip_output) {
  const long id = record.id;
  if (record.started_at == 0)
    record.started_at = now();
  recovery_.unfence(record.host, id);
  const Host *host = hosts_.find(record.host);
  Json request = {{"process", id},
                  {"executable", record.executables.at(host->platform)},
                  {"args", record.args}};
  if (!restart_file.empty())
    request["restart"] = restart_file;
  if (migration)
    request["migration"] = migration;
  if (skip_output.is_object())
    request["skip_output"] = skip_output;
  if (record.group)
    request["group"] = {{"name", LocationDirectory::group_name(record.group)},
                        {"rank", record.rank},
                        {"size", static_cast<long>(directory_.size_of(record.group))}};
  request_host(record.host, "spawn", request,
               [this, id, respond, fail, restart_file, migration, skip_output](const Message &reply) {
    ProcessRecord *p = processes_.find(id);
    const std::string code = reply.ok ? "" : reply.body.value("code", "");
    if (!reply.ok && migration == 0 && (code == "host-left" || code == "no-such-host")) {
      // The host it was placed on is gone: any other with a build will do.
      try {
        p->host = place_process(hosts_, p->executables, "").name;
        return spawn(*p, restart_file, 0, respond, fail, skip_output);
      } catch (const ProtocolError &) {
        // no host left: report the first failure
      }
    }
    if (!reply.ok) {
      p->state = ProcessState::Exited;
      p->exit_reason = reply.body.value("message", "spawn failed");
      return fail("spawn-failed",
                  "cannot start the process on '" + p->host + "': " + p->exit_reason);
    }
    p->pid = reply.body.value("pid", 0L);
    // Counted now, not at the host's next heartbeat, so that several runs in
    // a row spread over the hosts.
    if (Host *h = hosts_.find(p->host))
      ++h->processes;
    if (p->state == ProcessState::Starting)
      p->state = ProcessState::Running;
    Json started = {{"process", id}, {"program", p->program}, {"host", p->host}, {"pid", p->pid}};
    if (p->group) {
      started["group"] = p->group;
      started["rank"] = p->rank;
    }
    emit("process-started", started);
    respond({{"process", p->to_json()}});
  });
}

void Scheduler::kill(const Json &args, Respond respond, Fail fail) {
  ProcessRecord *process = processes_.find(args["process"].get<long>());
  if (!process)
    throw ProtocolError("no-such-process", "there is no process " + args["process"].dump());
  if (process->state == ProcessState::Exited)
    throw ProtocolError("not-running", "process " + std::to_string(process->id) + " has exited");
  const Json request = {{"process", process->id}, {"signal", args.value("signal", 15)}};
  request_host(process->host, "kill", request, [respond, fail](const Message &reply) {
    if (reply.ok)
      return respond({{"killed", true}});
    fail(reply.body.value("code", "kill-failed"), reply.body.value("message", "?"));
  });
}

void Scheduler::host_report(Peer &peer, const Message &message) {
  const Json &args = message.body;
  Host *host = hosts_.find(peer.host);
  if (message.name == "heartbeat") {
    host->load = args["load"].get<double>();
    host->processes = args["processes"].get<int>();
    host->last_heartbeat = std::chrono::steady_clock::now();
    emit("host-load", {{"host", host->name}, {"load", host->load}, {"processes", host->processes}});
    return;
  }
  const bool known = args.contains("process") && processes_.find(args["process"].get<long>());
  if (!known) {
    peer.connection->send(
        make_error(message.id, "no-such-process", "the report names no process of this scheduler"));
    return;
  }
  if (recovery_.stale(peer.host, args["process"].get<long>())) {
    if (!message.id.is_null())
      peer.connection->send(make_reply(message.id, Json::object()));
    return; // a copy that was replaced after its host was lost
  }
  if (message.name == "directory") {
    directory_line(peer, args);
    return; // a notification: the answer, if any, goes to the process
  }
  if (message.name == "output") {
    if (!migrations_.hold_output(peer.host, args))
      emit("process-output",
         {{"process", args["process"]}, {"stream", args["stream"]}, {"data", args["data"]}});
  } else if (message.name == "exited") {
    if (!recovery_.exit_expected(args["process"].get<long>()) &&
        !migrations_.hold_exit(peer.host, args))
      process_exited(args);
  } else if (message.name == "snapshot-paused") {
    rounds_.on_paused(args);
  } else if (message.name == "snapshot-written") {
    rounds_.on_written(args);
  } else if (message.name == "snapshot-failed" || message.name == "snapshot-deferred") {
    rounds_.on_failed(args, message.name == "snapshot-deferred");
  } else if (message.name == "checkpointed") {
    migrations_.on_checkpointed(args);
  } else if (message.name == "migration-sent") {
    migrations_.on_sent(args);
  } else if (message.name == "migrated-out") {
    migrations_.on_migrated_out(args);
  } else if (message.name == "restored") {
    if (args["migration"].get<long>() == 0) { // a restart, not a migration
      ProcessRecord *p = processes_.find(args["process"].get<long>());
      p->state = ProcessState::Running;
      emit("process-restored", {{"process", p->id},
                                {"program", p->program},
                                {"host", p->host},
                                {"restore_ms", args["restore_ms"]}});
    } else {
      migrations_.on_restored(args);
    }
  } else if (message.name == "migration-failed") {
    if (args["migration"].get<long>() == 0) {
      process_exited({{"process", args["process"]}, {"status", -1}, {"reason", args["reason"]}});
    } else {
      Json report = args;
      report["host"] = peer.host; // source or destination: they mean different things
      migrations_.on_failed(report);
    }
  } else {
    peer.connection->send(
        make_error(message.id, "unknown-command", "'" + message.name + "' is not a host's report"));
    return;
  }
  if (!message.id.is_null())
    peer.connection->send(make_reply(message.id, Json::object()));
}

void Scheduler::process_exited(const Json &args) {
  ProcessRecord *p = processes_.find(args["process"].get<long>());
  p->state = ProcessState::Exited;
  p->exit_status = args["status"].get<int>();
  p->exit_signal = args.value("signal", 0);
  p->exit_reason = args.value("reason", "");
  Json data = {
      {"process", p->id}, {"program", p->program}, {"host", p->host}, {"status", p->exit_status}};
  if (p->exit_signal)
    data["signal"] = p->exit_signal;
  if (args.contains("poll_points"))
    data["poll_points"] = args["poll_points"];
  if (!p->exit_reason.empty())
    data["reason"] = p->exit_reason;
  migrations_.on_process_exited(*p);
  rounds_.cancel_rounds_of(p->id, "process " + std::to_string(p->id) + " exited");
  rounds_.forget_if_finished(p->id);
  emit("process-exited", data);
  deliver(directory_.on_exit(p->id));
}

void Scheduler::directory_line(Peer &peer, const Json &args) {
  const long process = args["process"].get<long>();
  // Answers go to the host the process last spoke from: a migrated process
  // speaks from its new host. But not back to the source of a migration once
  // the destination has spoken, nor to a host the process has left: the old
  // incarnation's late lines (trace events, written while the new one
  // already runs) would send the new incarnation's answers where nobody
  // waits for them, and a member waiting for a look-up waits for ever.
  const std::string destination = migrations_.live_destination_host(process);
  const auto spoke = directory_hosts_.find(process);
  const ProcessRecord *record = processes_.find(process);
  const bool current = destination.empty() ? (record == nullptr || peer.host == record->host)
                                           : (peer.host == destination || spoke == directory_hosts_.end() ||
                                              spoke->second != destination);
  if (current)
    directory_hosts_[process] = peer.host;
  LocationDirectory::Outcome outcome = directory_.on_line(process, args["line"].get<std::string>());
  if (!outcome.error.empty())
    std::cerr << "snow-scheduler: process " << process << ": " << outcome.error << "\n";
  if (outcome.event) {
    // The process's clock, on the scheduler's time line (the hosts share a clock here).
    const double at = outcome.event->unix_seconds - start_unix_;
    emit(outcome.event->name, outcome.event->data, 0, at);
  }
  deliver(outcome.replies);
}

void Scheduler::deliver(const std::vector<LocationDirectory::Reply> &replies) {
  for (const LocationDirectory::Reply &r : replies) {
    const auto host = directory_hosts_.find(r.process);
    if (host == directory_hosts_.end())
      continue; // it never spoke to the directory: nothing waits for the answer
    request_host(host->second, "directory", {{"process", r.process}, {"line", r.line}},
                 [](const Message &) {});
  }
}

void Scheduler::host_reply(const Message &message) {
  if (!message.id.is_number_integer())
    return;
  const auto it = pending_.find(message.id.get<long>());
  if (it == pending_.end())
    return;
  ReplyHandler handler = std::move(it->second.on_reply);
  pending_.erase(it);
  handler(message);
}

void Scheduler::request_host(const std::string &host_name, const std::string &command,
                             const Json &args, ReplyHandler on_reply) {
  Host *host = hosts_.find(host_name);
  if (!host) {
    Message reply;
    reply.kind = MessageKind::Reply;
    reply.ok = false;
    reply.body = {{"code", "no-such-host"},
                  {"message", "the host '" + host_name + "' is not registered"}};
    return on_reply(reply);
  }
  const long id = next_request_++;
  pending_[id] = {host_name, std::move(on_reply)};
  host->connection->send(make_request(id, command, args));
}

void Scheduler::emit(const std::string &event, Json data, std::uint64_t also_to,
                     std::optional<double> at) {
  const double t = at ? *at : now();
  if (trace_)
    trace_->record(event, t, data);
  std::uint64_t launcher = 0;
  if (data.contains("process") && data["process"].is_number_integer())
    if (const ProcessRecord *p = processes_.find(data["process"].get<long>()))
      launcher = p->launcher;
  if (event == "process-output")
    if (ProcessRecord *p = processes_.find(data["process"].get<long>()))
      (data["stream"] == "stdout" ? p->stdout_bytes : p->stderr_bytes) +=
          data["data"].get_ref<const std::string &>().size();
  const std::string text = make_event(event, t, data);
  for (auto &[id, peer] : peers_) {
    if (peer.role != Role::Client)
      continue;
    const bool wanted = peer.subscribed && (peer.events.empty() || peer.events.count(event));
    if (wanted || id == launcher || id == also_to)
      peer.connection->send(text);
  }
}

void Scheduler::flush_trace() {
  if (trace_)
    trace_->flush();
}

} // namespace snow::system
