// snow-scheduler's logic: the peers connected to the API (clients and
// hosts), authentication, the commands, and the event stream. Everything
// runs on one io_context thread; the WebSocket server hands it whole
// messages and it answers through Connection::send.
//
// The control flow of a command that involves a host:
//   1. client → scheduler: request (e.g. run)
//   2. scheduler → snowd: request (spawn); snowd replies when the process exists
//   3. scheduler → client: reply; later events (process-output, process-exited)
// Migrations follow migration_coordinator.hpp.
#pragma once

#include "checkpoint_rounds.hpp"
#include "host_failure_recovery.hpp"
#include "location_directory.hpp"
#include <optional>

#include "common/manifest.hpp"
#include "host_registry.hpp"
#include "migration_coordinator.hpp"
#include "net/connection.hpp"
#include "process_table.hpp"
#include "trace_recorder.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>

namespace snow::system {

struct SchedulerOptions {
  std::string token;
  std::size_t max_message_bytes = 1u << 20;
  Manifest manifest;
  // A host whose last heartbeat (snowd sends one a second) is older than
  // this is lost (host_failure_recovery.hpp).
  double host_timeout = 5.0;
  // Where periodic checkpoints go: a directory every host can read at the
  // same path (the hosts share a filesystem).
  std::string checkpoint_dir = "/tmp";
};

class Scheduler : public ConnectionHandler {
public:
  using ReplyHandler = std::function<void(const Message &reply)>;

  explicit Scheduler(SchedulerOptions options);
  ~Scheduler() override;

  void on_open(const std::shared_ptr<Connection> &connection) override;
  void on_message(const std::shared_ptr<Connection> &connection, const std::string &text) override;
  void on_close(const std::shared_ptr<Connection> &connection) override;

  // Sends an event to subscribers, to the client that launched the process
  // it names, to `also_to`, and to the trace.
  // `at`: when it happened (scheduler seconds), if not now.
  void emit(const std::string &event, Json data, std::uint64_t also_to = 0,
            std::optional<double> at = std::nullopt);
  // Sends a request to a host's snowd; `on_reply` gets its reply, or a
  // synthetic error reply if the host leaves first.
  void request_host(const std::string &host, const std::string &command, const Json &args,
                    ReplyHandler on_reply);
  void record_trace(std::unique_ptr<TraceRecorder> recorder) { trace_ = std::move(recorder); }
  // Starts the clock of periodic checkpoints and of host heartbeats.
  void start_timers(boost::asio::io_context &io);
  // One step of that clock (public for tests).
  void tick();
  void flush_trace();

  // True once `connection` has said hello as a host (RequestLimiter exempts it).
  bool is_host_connection(std::uint64_t connection) const {
    const auto it = peers_.find(connection);
    return it != peers_.end() && it->second.role == Role::Host;
  }

  HostRegistry &hosts() { return hosts_; }
  ProcessTable &processes() { return processes_; }
  double now() const;

private:
  enum class Role { Unauthenticated, Client, Host };
  struct Peer {
    std::shared_ptr<Connection> connection;
    Role role = Role::Unauthenticated;
    bool subscribed = false;
    std::set<std::string> events; // empty: all
    std::string host;
  };
  struct PendingRequest {
    std::string host;
    ReplyHandler on_reply;
  };

  void handle(Peer &peer, const Message &message);
  void hello(Peer &peer, const Message &message);
  Json client_command(Peer &peer, const Message &message);
  void host_report(Peer &peer, const Message &message);
  void host_reply(const Message &message);

  // Commands that finish when a host answers reply through `respond`.
  using Respond = std::function<void(const Json &result)>;
  using Fail = std::function<void(const std::string &code, const std::string &message)>;
  void run(Peer &peer, const Json &args, Respond respond, Fail fail);
  void restart(Peer &peer, const Json &args, Respond respond, Fail fail);
  void kill(const Json &args, Respond respond, Fail fail);
  void spawn(ProcessRecord &record, const std::string &restart_file, long migration,
             Respond respond, Fail fail, const Json &skip_output = Json());
  void process_exited(const Json &args);
  // Starts a recovered process again from `restart_file` (empty: from the
  // beginning), dropping `skip_output` of what it repeats.
  void respawn(ProcessRecord &record, const std::string &restart_file, const Json &skip_output,
               int attempt = 0);
  // The host's connection closed or its heartbeats stopped.
  void host_gone(const std::string &host, const std::string &why);
  void run_group(Peer &peer, const ProcessRecord &candidate, const Json &args, Respond respond,
                 Fail fail);
  void directory_line(Peer &peer, const Json &args);
  void deliver(const std::vector<LocationDirectory::Reply> &replies);

  SchedulerOptions options_;
  HostRegistry hosts_;
  ProcessTable processes_;
  MigrationCoordinator migrations_;
  LocationDirectory directory_;
  CheckpointRounds rounds_;
  HostFailureRecovery recovery_;
  std::unique_ptr<boost::asio::steady_timer> tick_timer_;
  struct PendingRespawn {
    long process;
    std::string file;
    Json skip_output;
    int attempt;
  };
  std::vector<PendingRespawn> pending_respawns_; // retried at the next tick
  std::map<long, std::string> directory_hosts_; // process → the host its directory lines come from
  std::map<std::uint64_t, Peer> peers_;
  std::map<long, PendingRequest> pending_;
  long next_request_ = 1;
  std::unique_ptr<TraceRecorder> trace_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  double start_unix_ = 0; // start_ on the wall clock, for the processes' event times

  friend class MigrationCoordinator;
  friend class CheckpointRounds;
  friend class HostFailureRecovery;
};

} // namespace snow::system
