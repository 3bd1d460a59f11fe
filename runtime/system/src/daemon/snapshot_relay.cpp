#include "snapshot_relay.hpp"

#include "protocol/protocol_error.hpp"

#include <csignal>
#include <sstream>

namespace snow::system {

namespace {
constexpr auto kAskInterval = std::chrono::milliseconds(200);
} // namespace

SnapshotRelay::SnapshotRelay(boost::asio::io_context &io, Host &host, std::chrono::seconds timeout)
    : io_(io), host_(host), timeout_(timeout) {}

void SnapshotRelay::begin(long process, long round, const std::string &file, ChildProcess &child) {
  if (file.empty() || file[0] != '/' || file.find('\n') != std::string::npos)
    throw ProtocolError("invalid-arguments", "'file' must be an absolute path on one line");
  Asking &a = asking_[process];
  a.round = round;
  a.since = std::chrono::steady_clock::now();
  a.timer = std::make_unique<boost::asio::steady_timer>(io_);
  child.request("snapshot " + std::to_string(round) + " " + file);
  ask_again(process, child);
}

void SnapshotRelay::ask_again(long process, ChildProcess &child) {
  const auto it = asking_.find(process);
  if (it == asking_.end())
    return;
  Asking &a = it->second;
  if (std::chrono::steady_clock::now() - a.since > timeout_) {
    const long round = a.round;
    asking_.erase(it);
    host_.snapshot_report("snapshot-failed",
                          {{"process", process},
                           {"round", round},
                           {"reason", "no poll-point was reached within " +
                                          std::to_string(timeout_.count()) + " s"}});
    return;
  }
  child.signal(SIGUSR1);
  a.timer->expires_after(kAskInterval);
  a.timer->async_wait([this, process, &child, round = a.round](boost::system::error_code ec) {
    const auto again = asking_.find(process);
    if (ec || again == asking_.end() || again->second.round != round)
      return;
    ask_again(process, child);
  });
}

void SnapshotRelay::order(long process, long round, const std::string &order, ChildProcess &child) {
  if (order != "go" && order != "skip" && order != "cancel" && order != "resume")
    throw ProtocolError("invalid-arguments",
                        "'order' is go, skip, cancel or resume, not '" + order + "'");
  if (order == "cancel")
    forget(process); // it may not have heard the request yet: stop asking
  child.request("snapshot-" + order + " " + std::to_string(round));
}

bool SnapshotRelay::on_notice(long process, const std::string &line) {
  if (line.rfind("snapshot-", 0) != 0)
    return false;
  std::istringstream in(line);
  std::string kind;
  long round = 0;
  in >> kind >> round;
  if (!in)
    return true; // not one of ours after all; nothing to report
  forget(process); // any answer means the request arrived
  std::string rest;
  std::getline(in >> std::ws, rest);
  if (kind == "snapshot-paused") {
    long poll = 0;
    std::istringstream(rest) >> poll;
    host_.settle_output(process, [this, process, round, poll] {
      host_.snapshot_report("snapshot-paused",
                            {{"process", process}, {"round", round}, {"poll", poll}});
    });
  } else if (kind == "snapshot-written") {
    std::istringstream fields(rest);
    long long bytes = -1;
    double ms = 0;
    std::string file;
    fields >> bytes >> ms;
    std::getline(fields >> std::ws, file);
    host_.snapshot_report("snapshot-written", {{"process", process},
                                               {"round", round},
                                               {"bytes", bytes},
                                               {"ms", ms},
                                               {"file", file}});
  } else if (kind == "snapshot-deferred") {
    host_.snapshot_report("snapshot-deferred",
                          {{"process", process}, {"round", round}, {"reason", rest}});
  } else {
    // snapshot-failed, snapshot-abandoned
    host_.snapshot_report("snapshot-failed",
                          {{"process", process},
                           {"round", round},
                           {"reason", kind == "snapshot-failed" ? rest : kind.substr(9) + ": " + rest}});
  }
  return true;
}

void SnapshotRelay::forget(long process) { asking_.erase(process); }

} // namespace snow::system
