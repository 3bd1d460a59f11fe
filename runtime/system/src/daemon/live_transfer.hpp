// snowd's half of a live migration (docs/live-migration.md): the state goes
// straight from the source process to the destination process over TCP
// (runtime/src/exec/migration_link.hpp); snowd only sets the two ends up and
// relays what the runtime notices on its control channel.
//
// Destination host: prepare_incoming opens a listening socket on the host's
//   address; the program starts with it (SNOW_RESTORE_FD) and the one-time
//   secret, and waits. Notice "restored <ms>" → MigrationReports::restored;
//   an end before it → failed (never "exited": the process lives elsewhere).
// Source host: begin_outgoing writes "migrate <address> <port> <secret>" on
//   the control channel and signals until the next poll-point takes it.
//   "migration-sent" → sent; "migration-committed" → committed and the
//   process's exit is the migration's, not the program's; "migration-failed"
//   → failed, and the process simply runs on.
#pragma once

#include "migration_transfer.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace snow::system {

class LiveTransfer {
public:
  LiveTransfer(boost::asio::io_context &io, std::string address, MigrationReports &reports,
               std::chrono::seconds poll_timeout);
  ~LiveTransfer();

  // A listening socket for `process`'s state; the port it listens on. The
  // descriptor is handed to the child (SpawnRequest::incoming) and closed here
  // once the child has it (spawned()).
  struct Incoming {
    int fd = -1;
    unsigned short port = 0;
    std::string address;
  };
  Incoming prepare_incoming(long process, long migration);
  std::vector<std::string> incoming_environment(const std::string &secret) const;
  void spawned(long process);
  // Forgets a session whose process could not be started (no report).
  void cancel(long process) { finish(process, ""); }

  void begin_outgoing(long process, long migration, ChildProcess &child, const std::string &address,
                      unsigned short port, const std::string &secret);

  // Whether this transfer owns the process's notices and end right now.
  bool involved(long process) const { return sessions_.count(process) != 0; }
  void on_notice(long process, const std::string &line);
  MigrationTransfer::EndMeaning on_end(long process, const ChildEnd &end,
                                       const std::string &captured_stderr);

private:
  struct Session {
    long migration = 0;
    bool outgoing = false;
    bool streaming = false; // the source took the request and connected
    bool committed = false;
    bool restored = false;
    std::uint64_t bytes = 0;
    double sent_ms = 0, restore_ms = 0;
    int listen_fd = -1;
    std::chrono::steady_clock::time_point since = std::chrono::steady_clock::now();
    std::unique_ptr<boost::asio::steady_timer> timer;
  };
  void ask_again(long process, ChildProcess &child);
  void finish(long process, const std::string &failure);

  boost::asio::io_context &io_;
  std::string address_;
  MigrationReports &reports_;
  std::chrono::seconds poll_timeout_;
  std::map<long, Session> sessions_;
};

} // namespace snow::system
