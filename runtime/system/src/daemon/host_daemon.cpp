#include "host_daemon.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

#include "common/state_dir.hpp"
#include "common/token.hpp"
#include "protocol/protocol_error.hpp"
#include "utf8_boundary.hpp"

#include <csignal>
#include <fstream>
#include <iostream>
#include <sys/wait.h>

namespace snow::system {

namespace {
constexpr auto kHeartbeatInterval = std::chrono::seconds(1);

double load_average() {
  std::ifstream in("/proc/loadavg");
  double load = 0;
  in >> load;
  return load;
}
} // namespace

HostDaemon::HostDaemon(boost::asio::io_context &io, HostDaemonOptions options)
    : io_(io), options_(std::move(options)),
      transfer_(io, options_.spool_dir, *this, options_.checkpoint_timeout),
      live_(io, options_.address, *this, options_.checkpoint_timeout),
      snapshots_(io, *this, options_.checkpoint_timeout),
      child_signals_(io, SIGCHLD), heartbeat_timer_(io), reconnect_timer_(io) {}

HostDaemon::~HostDaemon() = default;

void HostDaemon::start() {
  reap();
  connect();
}

void HostDaemon::end_processes() {
  for (auto &[id, p] : processes_)
    if (p.child)
      p.child->signal(SIGKILL);
}

void HostDaemon::connect() {
  WebSocketClient::Callbacks callbacks;
  callbacks.on_open = [this] {
    const Json host = {{"name", options_.name},
                       {"platform", options_.platform},
                       {"byte_order", options_.byte_order},
                       {"word_size", options_.word_size},
                       {"cpus", options_.cpus},
                       {"emulator", options_.emulator}};
    link_->send(
        make_request(0, "hello", {{"token", options_.token}, {"role", "host"}, {"host", host}}));
  };
  callbacks.on_message = [this](const std::string &text) { on_message(text); };
  callbacks.on_close = [this](const std::string &why) { on_link_lost(why); };
  link_ = std::make_unique<WebSocketClient>(io_, std::move(callbacks));
  link_->connect(options_.scheduler_host, options_.scheduler_port);
}

// The processes keep running (their output is dropped while there is no
// scheduler); the host registers again when a scheduler is back.
void HostDaemon::on_link_lost(const std::string &why) {
  if (registered_ || options_.state_dir.empty())
    std::cerr << "snowd " << options_.name << ": the link to the scheduler ended: " << why
              << std::endl;
  registered_ = false;
  heartbeat_timer_.cancel();
  if (options_.state_dir.empty()) {
    io_.stop();
    return;
  }
  reconnect_timer_.expires_after(std::chrono::seconds(1));
  reconnect_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec)
      return;
    try {
      std::ifstream in(endpoint_path(options_.state_dir));
      const Json endpoint = in ? Json::parse(in, nullptr, false) : Json();
      if (endpoint.is_object() && endpoint.contains("port"))
        options_.scheduler_port = endpoint["port"].get<unsigned short>();
      options_.token = read_token_file(token_path(options_.state_dir));
    } catch (const std::exception &) {
      // No scheduler yet: try the last known one; failing, the timer runs again.
    }
    connect();
  });
}

void HostDaemon::reap() {
  child_signals_.async_wait([this](boost::system::error_code ec, int) {
    if (ec)
      return;
    int status = 0;
    for (pid_t pid; (pid = waitpid(-1, &status, WNOHANG)) > 0;)
      for (auto &[id, p] : processes_)
        if (p.child && p.child->pid() == pid) {
          p.child->reaped(status);
          break;
        }
    reap();
  });
}

void HostDaemon::on_message(const std::string &text) {
  Message message;
  try {
    message = parse_message(text, SIZE_MAX);
  } catch (const ProtocolError &e) {
    std::cerr << "snowd " << options_.name << ": a bad message from the scheduler: " << e.what()
              << "\n";
    return;
  }
  if (message.kind == MessageKind::Reply) {
    if (message.id == Json(0)) { // the hello
      if (!message.ok) {
        std::cerr << "snowd " << options_.name << ": the scheduler refused to register this host: "
                  << message.body.value("message", "?") << "\n";
        options_.state_dir.clear(); // not worth retrying
        io_.stop();
        return;
      }
      registered_ = true;
      std::cerr << "snowd " << options_.name << ": registered with the scheduler" << std::endl;
      heartbeat();
    } else if (!message.ok) {
      std::cerr << "snowd " << options_.name
                << ": the scheduler rejected a report: " << message.body.value("message", "?")
                << "\n";
    }
    return;
  }
  if (message.kind == MessageKind::Request)
    on_request(message);
}

void HostDaemon::on_request(const Message &request) {
  const Json &args = request.body;
  try {
    Json result = Json::object();
    const long process = args.value("process", 0L);
    if (request.name == "spawn") {
      result = spawn(args);
    } else if (request.name == "directory") {
      // The location directory's answer to one of the process's look-ups.
      const auto it = processes_.find(process);
      if (it != processes_.end() && it->second.child)
        it->second.child->directory(args["line"].get<std::string>());
    } else if (request.name == "prepare-incoming") {
      result = prepare_incoming(args);
    } else if (request.name == "migrate-out") {
      const auto it = processes_.find(process);
      if (it == processes_.end() || !it->second.child)
        throw ProtocolError("no-such-process", "process " + std::to_string(process) +
                                                   " does not run on '" + options_.name + "'");
      live_.begin_outgoing(process, args["migration"].get<long>(), *it->second.child,
                           args["address"].get<std::string>(), args["port"].get<unsigned short>(),
                           args["secret"].get<std::string>());
    } else if (request.name == "snapshot-out" || request.name == "snapshot-order") {
      const auto it = processes_.find(process);
      if (it == processes_.end() || !it->second.child)
        throw ProtocolError("no-such-process", "process " + std::to_string(process) +
                                                   " does not run on '" + options_.name + "'");
      if (request.name == "snapshot-out")
        snapshots_.begin(process, args["round"].get<long>(), args["file"].get<std::string>(),
                         *it->second.child);
      else
        snapshots_.order(process, args["round"].get<long>(), args["order"].get<std::string>(),
                         *it->second.child);
    } else if (request.name == "checkpoint-out" || request.name == "kill") {
      const auto it = processes_.find(process);
      if (it == processes_.end() || !it->second.child)
        throw ProtocolError("no-such-process", "process " + std::to_string(process) +
                                                   " does not run on '" + options_.name + "'");
      if (request.name == "kill")
        it->second.child->signal(args.value("signal", SIGTERM));
      else
        transfer_.begin_outgoing(process, args["migration"].get<long>(), *it->second.child);
    } else {
      throw ProtocolError("unknown-command", "snowd does not do '" + request.name + "'");
    }
    link_->send(make_reply(request.id, result));
  } catch (const ProtocolError &e) {
    link_->send(make_error(request.id, e.code(), e.what()));
  } catch (const std::exception &e) {
    link_->send(make_error(request.id, "spawn-failed", e.what()));
  }
}

Json HostDaemon::spawn(const Json &args) {
  const long process = args["process"].get<long>();
  if (processes_.count(process))
    throw ProtocolError("process-exists", "process " + std::to_string(process) +
                                              " already runs on '" + options_.name + "'");
  const std::vector<std::string> program_args = args.value("args", std::vector<std::string>{});
  std::vector<std::string> group;
  if (args.contains("group")) {
    const Json &g = args["group"];
    if (!g.is_object() || !g.contains("name") || !g.contains("rank") || !g.contains("size") ||
        !g["name"].is_string() || !g["rank"].is_number_integer() || !g["size"].is_number_integer())
      throw ProtocolError("invalid-arguments", "'group' must be {\"name\", \"rank\", \"size\"}");
    group = {"SNOW_GROUP=" + g["name"].get<std::string>(),
             "SNOW_RANK=" + std::to_string(g["rank"].get<long>()),
             "SNOW_SIZE=" + std::to_string(g["size"].get<long>())};
  }
  start_process(process, args["executable"].get<std::string>(), program_args,
                args.value("restart", ""), args.value("migration", 0L), "", -1, group);
  ManagedProcess &started = processes_[process];
  if (args.contains("skip_output")) {
    const Json &skip = args["skip_output"];
    started.skip_stdout = skip.value("stdout", std::uint64_t{0});
    started.skip_stderr = skip.value("stderr", std::uint64_t{0});
  }
  return {{"pid", started.child->pid()}};
}

// The destination of a live migration: the program starts at once and
// waits, listening, for the source's state (live_transfer.hpp).
Json HostDaemon::prepare_incoming(const Json &args) {
  const long process = args["process"].get<long>();
  if (processes_.count(process))
    throw ProtocolError("process-exists", "process " + std::to_string(process) +
                                              " already runs on '" + options_.name + "'");
  const long migration = args["migration"].get<long>();
  const LiveTransfer::Incoming incoming = live_.prepare_incoming(process, migration);
  try {
    start_process(process, args["executable"].get<std::string>(),
                  args.value("args", std::vector<std::string>{}), "", migration,
                  args["secret"].get<std::string>(), incoming.fd);
  } catch (...) {
    live_.cancel(process);
    throw;
  }
  live_.spawned(process);
  return {{"address", incoming.address},
          {"port", incoming.port},
          {"pid", processes_[process].child->pid()}};
}

void HostDaemon::start_process(long process, const std::string &executable,
                               const std::vector<std::string> &args,
                               const std::string &restore_from, long migration,
                               const std::string &secret, int incoming_fd,
                               const std::vector<std::string> &group) {
  SpawnRequest request;
  request.command = options_.emulator;
  request.command.push_back(executable);
  request.command.insert(request.command.end(), args.begin(), args.end());
  request.environment = transfer_.spawn_environment(process, restore_from);
  // Every child gets the control channel; only a live migration's
  // destination gets the listening socket and the secret.
  const std::string control = std::to_string(ChildProcess::kControlFd);
  request.environment.push_back("SNOW_CONTROL_FD=" + control);
  request.environment.push_back("SNOW_NOTICE_FD=" + control);
  request.environment.push_back("SNOW_MIGRATION_TIMEOUT=" +
                                std::to_string(options_.migration_timeout));
  // Message channels: look-ups through this daemon, listening on its address.
  request.environment.push_back("SNOW_DIRECTORY_FD=" +
                                std::to_string(ChildProcess::kDirectoryFd));
  request.environment.push_back("SNOW_COMM_ADDRESS=" + options_.address);
  if (group.empty()) {
    for (const char *name : {"SNOW_GROUP=", "SNOW_RANK=", "SNOW_SIZE="})
      request.environment.push_back(name); // not inherited from snowd's environment
  }
  for (const std::string &e : group)
    request.environment.push_back(e);
  if (!secret.empty()) {
    for (const std::string &e : live_.incoming_environment(secret))
      request.environment.push_back(e);
    request.incoming = incoming_fd;
  } else {
    request.environment.push_back("SNOW_RESTORE_FD=");
    request.environment.push_back("SNOW_MIGRATION_SECRET=");
  }
  ManagedProcess managed;
  managed.executable = executable;
  managed.args = args;
  managed.restoring = !restore_from.empty() || !secret.empty();
  managed.child = std::make_unique<ChildProcess>(
      io_, request,
      ChildProcess::Callbacks{[this, process](ChildProcess::Stream s, const std::string &data) {
                                on_output(process, s, data);
                              },
                              [this, process](const ChildEnd &end) { on_end(process, end); }});
  processes_[process] = std::move(managed);
  if (!restore_from.empty())
    transfer_.begin_incoming(process, migration);
}

// What a restoring process printed (nothing, normally) is held until it is
// restored: its output must follow the report that it moved.
void HostDaemon::release_held_output(long process) {
  ManagedProcess &p = processes_[process];
  p.restoring = false;
  if (!p.held_stdout.empty())
    send_output(process, "stdout", p.held_stdout);
  if (!p.captured_stderr.empty())
    send_output(process, "stderr", p.captured_stderr);
  p.held_stdout.clear();
  p.captured_stderr.clear();
}

void HostDaemon::on_output(long process, ChildProcess::Stream stream, const std::string &data) {
  ManagedProcess &p = processes_[process];
  if (stream == ChildProcess::Stream::Directory) {
    notify("directory", {{"process", process}, {"line", data}});
    return;
  }
  if (stream == ChildProcess::Stream::Notice) {
    if (snapshots_.on_notice(process, data))
      return;
    if (!live_.involved(process))
      return; // checkpoints and restarts are followed through stderr (runtime_notice.hpp)
    const bool restored = p.restoring && data.rfind("restored ", 0) == 0;
    live_.on_notice(process, data); // reports restored before the output that follows it
    if (restored)
      release_held_output(process);
    return;
  }
  if (stream == ChildProcess::Stream::Stdout) {
    // Whole characters only (utf8_boundary.hpp); the rest waits for the next read.
    std::string text = std::move(p.partial_stdout) + data;
    p.partial_stdout = text.substr(complete_utf8_prefix(text));
    text.resize(text.size() - p.partial_stdout.size());
    if (p.restoring)
      p.held_stdout += text;
    else if (!text.empty())
      send_output(process, "stdout", text);
    return;
  }
  const RuntimeNotice notice = parse_runtime_notice(data);
  if (notice.kind == RuntimeNotice::None) {
    if (p.restoring)
      p.captured_stderr += data;
    else
      send_output(process, "stderr", data);
    return;
  }
  if (notice.kind == RuntimeNotice::PollCount) {
    p.poll_points = notice.count;
    p.has_poll_points = true;
  }
  if (notice.kind == RuntimeNotice::Restarted && p.restoring && !live_.involved(process)) {
    transfer_.on_notice(process, notice); // reports restored before the output that follows it
    release_held_output(process);
    return;
  }
  transfer_.on_notice(process, notice);
}

void HostDaemon::on_end(long process, const ChildEnd &end) {
  snapshots_.forget(process);
  ManagedProcess p = std::move(processes_[process]);
  processes_.erase(process);
  if (!p.partial_stdout.empty()) // the program ended in the middle of a character
    send_output(process, "stdout", p.partial_stdout);
  std::string state;
  MigrationTransfer::EndMeaning meaning = live_.on_end(process, end, p.captured_stderr);
  if (meaning == MigrationTransfer::EndMeaning::Unrelated)
    meaning = transfer_.on_end(process, end, p.captured_stderr, state);
  switch (meaning) {
  case MigrationTransfer::EndMeaning::Collected:
  case MigrationTransfer::EndMeaning::Failed:
    break;
  case MigrationTransfer::EndMeaning::Orphaned:
    try {
      start_process(process, p.executable, p.args, state, 0);
    } catch (const std::exception &e) {
      notify("exited", {{"process", process}, {"status", -1}, {"reason", e.what()}});
    }
    break;
  case MigrationTransfer::EndMeaning::Unrelated: {
    Json report = {{"process", process}, {"status", end.status}};
    if (end.signal)
      report["signal"] = end.signal;
    if (p.has_poll_points)
      report["poll_points"] = p.poll_points;
    notify("exited", report);
    break;
  }
  }
  io_.post([child = std::shared_ptr<ChildProcess>(std::move(p.child))] {
  }); // destroyed after its callback returns
}

void HostDaemon::send_output(long process, const char *stream, const std::string &data) {
  std::string_view text = data;
  const auto p = processes_.find(process);
  if (p != processes_.end()) {
    // Output a restarted process repeats: its first run delivered it already.
    std::uint64_t &skip = std::string_view(stream) == "stdout" ? p->second.skip_stdout : p->second.skip_stderr;
    const std::size_t dropped = static_cast<std::size_t>(std::min<std::uint64_t>(skip, text.size()));
    skip -= dropped;
    text.remove_prefix(dropped);
  }
  if (!text.empty())
    notify("output", {{"process", process}, {"stream", stream}, {"data", std::string(text)}});
}

void HostDaemon::snapshot_report(const std::string &report, const Json &args) {
  notify(report, args);
}

// The process is paused at a poll-point with its output flushed: once the
// pipes are empty and every read already done has been handled (a posted
// handler runs after those queued before it), everything it wrote before
// the pause has been sent.
void HostDaemon::settle_output(long process, std::function<void()> then) {
  const auto it = processes_.find(process);
  if (it == processes_.end() || !it->second.child)
    return then();
  if (it->second.child->unread_output() > 0) {
    auto timer = std::make_shared<boost::asio::steady_timer>(io_, std::chrono::milliseconds(1));
    timer->async_wait([this, process, then = std::move(then), timer](boost::system::error_code) mutable {
      settle_output(process, std::move(then));
    });
    return;
  }
  io_.post([this, process, then = std::move(then)] {
    const auto p = processes_.find(process);
    if (p != processes_.end() && p->second.child) {
      p->second.child->flush_partial_stderr();
      if (!p->second.partial_stdout.empty() && !p->second.restoring)
        send_output(process, "stdout", std::exchange(p->second.partial_stdout, std::string()));
    }
    then();
  });
}

void HostDaemon::notify(const std::string &report, const Json &args) {
  if (registered_)
    link_->send(make_request(nullptr, report, args));
}

void HostDaemon::heartbeat() {
  notify("heartbeat",
         {{"load", load_average()}, {"processes", static_cast<long>(processes_.size())}});
  heartbeat_timer_.expires_after(kHeartbeatInterval);
  heartbeat_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec)
      heartbeat();
  });
}

void HostDaemon::collected(long process, long migration, const std::string &state,
                           std::uint64_t bytes, double collect_ms) {
  notify("checkpointed", {{"process", process},
                          {"migration", migration},
                          {"file", state},
                          {"bytes", bytes},
                          {"collect_ms", collect_ms}});
}

void HostDaemon::restored(long process, long migration, double restore_ms) {
  notify("restored", {{"process", process}, {"migration", migration}, {"restore_ms", restore_ms}});
}

void HostDaemon::sent(long process, long migration, std::uint64_t bytes, double sent_ms) {
  notify("migration-sent",
         {{"process", process}, {"migration", migration}, {"bytes", bytes}, {"sent_ms", sent_ms}});
}

void HostDaemon::committed(long process, long migration, std::uint64_t bytes, double sent_ms,
                           double restore_ms) {
  notify("migrated-out", {{"process", process},
                          {"migration", migration},
                          {"bytes", bytes},
                          {"sent_ms", sent_ms},
                          {"restore_ms", restore_ms}});
}

void HostDaemon::failed(long process, long migration, const std::string &reason) {
  notify("migration-failed", {{"process", process}, {"migration", migration}, {"reason", reason}});
}

} // namespace snow::system
