// The location directory of message-passing groups (docs/migration-protocol.md).
//
// Each member of a group talks to it in lines through its host's snowd
// (the "directory" report and request): `register <rank> <address> <port>`
// when its channels listen, `lookup <rank>` before connecting to a peer,
// `migrating <rank>` / `staying <rank>` around a migration, and `event …`
// for the message trace. A look-up is answered at once with
// `location <rank> <address> <port>`, or — while that rank migrates, or
// before it has registered — when it registers; `gone <rank>` once it has
// ended. Pure logic: the scheduler delivers the replies and emits the events.
#pragma once

#include "protocol/message.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace snow::system {

class LocationDirectory {
public:
  struct Reply {
    long process;
    std::string line;
  };
  struct Event {
    std::string name;  // message-sent, message-received, channel-drain, channel-marker, channel-redirect
    Json data;
    double unix_seconds = 0;  // when it happened, on the process's clock
  };
  struct Outcome {
    std::vector<Reply> replies;
    std::optional<Event> event;
    std::string error;  // a malformed line, named
  };
  struct Membership {
    long group = 0;
    int rank = 0;
  };

  // A new group of `size` members; its id (its name is "group-<id>").
  long create_group(int size);
  void add_member(long group, int rank, long process);
  std::size_t size_of(long group) const { return groups_.at(group).ranks.size(); }
  std::optional<Membership> member(long process) const;
  static std::string group_name(long group) { return "group-" + std::to_string(group); }

  Outcome on_line(long process, const std::string &line);
  // Every member of the group starts again from a checkpoint after a lost
  // host: look-ups wait for their new registrations, old ones are dropped.
  void restart_group(long group);
  // The process ended: look-ups of it are answered `gone`.
  std::vector<Reply> on_exit(long process);

private:
  struct Rank {
    long process = 0;
    std::optional<std::string> location;  // "<address> <port>"
    bool migrating = false;
    bool gone = false;
    std::vector<long> waiting;  // processes whose look-up is not answered yet
  };
  struct Group {
    std::vector<Rank> ranks;
  };
  std::vector<Reply> answer(Rank &target, int rank);

  std::map<long, Group> groups_;
  std::map<long, Membership> members_;
  long next_group_ = 1;
};

} // namespace snow::system
