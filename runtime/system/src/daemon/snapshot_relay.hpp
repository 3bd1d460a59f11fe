// snowd's part in a periodic checkpoint (`snow run --checkpoint-every`):
// it hands the scheduler's `snapshot-out` and `snapshot-order` requests to
// the process as control lines and turns the runtime's snapshot notices into
// reports (the steps are in runtime/src/exec/coordinated_snapshot.hpp).
//
// `snapshot-out` is repeated with SIGUSR1 every 200 ms until the runtime
// answers, as for `checkpoint-out`: a signal that arrives before the runtime
// has installed its handler is ignored. A pause is reported only once all
// the output the process wrote before it has gone to the scheduler, so the
// scheduler's count of a process's output at that report is the output that
// belongs before the checkpoint.
#pragma once

#include "child_process.hpp"
#include "protocol/message.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace snow::system {

class SnapshotRelay {
public:
  class Host {
  public:
    virtual ~Host() = default;
    virtual void snapshot_report(const std::string &report, const Json &args) = 0;
    // Calls `then` once everything the (paused) process wrote has been sent.
    virtual void settle_output(long process, std::function<void()> then) = 0;
  };

  SnapshotRelay(boost::asio::io_context &io, Host &host, std::chrono::seconds timeout);
  void begin(long process, long round, const std::string &file, ChildProcess &child);
  void order(long process, long round, const std::string &order, ChildProcess &child);
  // True when `line` was a snapshot notice (and was dealt with).
  bool on_notice(long process, const std::string &line);
  // The process has ended: nothing more to ask it.
  void forget(long process);

private:
  struct Asking {
    long round = 0;
    std::chrono::steady_clock::time_point since;
    std::unique_ptr<boost::asio::steady_timer> timer;
  };
  void ask_again(long process, ChildProcess &child);

  boost::asio::io_context &io_;
  Host &host_;
  std::chrono::seconds timeout_;
  std::map<long, Asking> asking_;
};

} // namespace snow::system
