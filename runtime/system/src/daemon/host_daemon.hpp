// snowd: one per host. It registers with the scheduler, heartbeats its load,
// starts processes (natively or under the host's emulator prefix), forwards
// their output in order, reports their ends, and carries out its half of
// migrations through a MigrationTransfer.
#pragma once

#include "checkpoint_file_transfer.hpp"
#include "live_transfer.hpp"
#include "snapshot_relay.hpp"
#include "child_process.hpp"
#include "net/websocket_client.hpp"
#include "protocol/message.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace snow::system {

struct HostDaemonOptions {
  std::string name;
  std::string platform;
  std::string byte_order;
  int word_size = 0;
  int cpus = 1;
  std::vector<std::string> emulator;
  std::string scheduler_host = "127.0.0.1";
  // Where this host's waiting processes listen for a live migration's state.
  std::string address = "127.0.0.1";
  unsigned short scheduler_port = 0;
  std::string token;
  std::string spool_dir;
  std::chrono::seconds checkpoint_timeout{300};
  // Every wait of a live migration inside the processes (SNOW_MIGRATION_TIMEOUT).
  int migration_timeout = 60;
  // When set, a lost link is re-established with the endpoint and token the
  // (possibly restarted) scheduler wrote there; processes run on meanwhile.
  std::string state_dir;
};

class HostDaemon : private MigrationReports, private SnapshotRelay::Host {
public:
  HostDaemon(boost::asio::io_context &io, HostDaemonOptions options);
  ~HostDaemon() override;
  void start();
  // Kills every process this host runs (snowd is stopping).
  void end_processes();

private:
  struct ManagedProcess {
    std::unique_ptr<ChildProcess> child;
    std::string executable;
    std::vector<std::string> args;
    bool restoring = false;
    std::string held_stdout;     // written while restoring; sent once restored
    std::string partial_stdout;  // an incomplete UTF-8 character at the end of the last read
    std::string captured_stderr; // the reason, if the restore fails
    std::uint64_t poll_points = 0;
    bool has_poll_points = false;
    // A restart after a lost host repeats output the scheduler has already
    // delivered: this much of each stream is dropped (spawn's skip_output).
    std::uint64_t skip_stdout = 0;
    std::uint64_t skip_stderr = 0;
  };

  void connect();
  void on_link_lost(const std::string &why);
  void on_message(const std::string &text);
  void on_request(const Message &request);
  Json spawn(const Json &args);
  // `group`: SNOW_GROUP/SNOW_RANK/SNOW_SIZE for a member of a message-passing group.
  void start_process(long process, const std::string &executable,
                     const std::vector<std::string> &args, const std::string &restore_from,
                     long migration, const std::string &secret = "", int incoming_fd = -1,
                     const std::vector<std::string> &group = {});
  Json prepare_incoming(const Json &args);
  void on_output(long process, ChildProcess::Stream stream, const std::string &data);
  void on_end(long process, const ChildEnd &end);
  void release_held_output(long process);
  void send_output(long process, const char *stream, const std::string &data);
  void notify(const std::string &report, const Json &args);
  void heartbeat();
  void reap();

  void collected(long process, long migration, const std::string &state, std::uint64_t bytes,
                 double collect_ms) override;
  void restored(long process, long migration, double restore_ms) override;
  void failed(long process, long migration, const std::string &reason) override;
  void sent(long process, long migration, std::uint64_t bytes, double sent_ms) override;
  void committed(long process, long migration, std::uint64_t bytes, double sent_ms,
                 double restore_ms) override;
  void snapshot_report(const std::string &report, const Json &args) override;
  void settle_output(long process, std::function<void()> then) override;

  boost::asio::io_context &io_;
  HostDaemonOptions options_;
  std::unique_ptr<WebSocketClient> link_;
  CheckpointFileTransfer transfer_;
  LiveTransfer live_;
  SnapshotRelay snapshots_;
  boost::asio::signal_set child_signals_;
  boost::asio::steady_timer heartbeat_timer_;
  boost::asio::steady_timer reconnect_timer_;
  std::map<long, ManagedProcess> processes_;
  bool registered_ = false;
};

} // namespace snow::system
