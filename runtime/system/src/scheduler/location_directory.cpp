#include "location_directory.hpp"

#include <algorithm>
#include <sstream>

namespace snow::system {

long LocationDirectory::create_group(int size) {
  const long id = next_group_++;
  groups_[id].ranks.resize(static_cast<std::size_t>(size));
  return id;
}

void LocationDirectory::add_member(long group, int rank, long process) {
  groups_.at(group).ranks.at(static_cast<std::size_t>(rank)).process = process;
  members_[process] = {group, rank};
}

std::optional<LocationDirectory::Membership> LocationDirectory::member(long process) const {
  const auto it = members_.find(process);
  if (it == members_.end())
    return std::nullopt;
  return it->second;
}

std::vector<LocationDirectory::Reply> LocationDirectory::answer(Rank &target, int rank) {
  std::vector<Reply> replies;
  for (long asker : target.waiting)
    replies.push_back({asker, target.gone ? "gone " + std::to_string(rank)
                                          : "location " + std::to_string(rank) + " " + *target.location});
  target.waiting.clear();
  return replies;
}

LocationDirectory::Outcome LocationDirectory::on_line(long process, const std::string &line) {
  Outcome out;
  const auto m = members_.find(process);
  if (m == members_.end()) {
    out.error = "process " + std::to_string(process) + " is in no message-passing group (start groups with `snow run -n N`)";
    return out;
  }
  Group &group = groups_.at(m->second.group);
  const int self = m->second.rank;
  const int size = static_cast<int>(group.ranks.size());
  std::istringstream words(line);
  std::string verb;
  words >> verb;
  if (verb == "event") {
    std::string kind;
    words >> kind;
    long long a = 0, b = 0, c = 0, d = 0, micros = 0;
    double ms = 0;
    Json data = {{"process", process}, {"group", m->second.group}, {"rank", self}};
    auto peer_process = [&](long long rank) -> Json {
      return rank >= 0 && rank < size ? Json(group.ranks[static_cast<std::size_t>(rank)].process) : Json(nullptr);
    };
    long long waited_us = 0;
    const bool sent = kind == "sent";
    if ((kind == "sent" || kind == "received") && (words >> a >> b >> c >> d) && (sent || (words >> waited_us)) &&
        (words >> micros) && a >= 0 && a < size) {
      if (!sent)
        data["wait_ms"] = static_cast<double>(waited_us) / 1000.0;
      data[sent ? "to_rank" : "from_rank"] = a;
      data[sent ? "to_process" : "from_process"] = peer_process(a);
      data["tag"] = b;
      data["bytes"] = c;
      data["seq"] = d;
      out.event = Event{sent ? "message-sent" : "message-received", data, static_cast<double>(micros) / 1e6};
    } else if (kind == "drain" && (words >> a >> b >> ms >> micros)) {
      data["peers"] = a;
      data["messages"] = b;
      data["ms"] = ms;
      out.event = Event{"channel-drain", data, static_cast<double>(micros) / 1e6};
    } else if ((kind == "redirect" || kind == "marker") && (words >> a >> micros) && a >= 0 && a < size) {
      data["peer_rank"] = a;
      out.event = Event{kind == "redirect" ? "channel-redirect" : "channel-marker", data,
                        static_cast<double>(micros) / 1e6};
    } else {
      out.error = "malformed event line '" + line + "'";
    }
    return out;
  }
  int rank = -1;
  if (!(words >> rank) || rank < 0 || rank >= size) {
    out.error = "malformed directory line '" + line + "' (group of " + std::to_string(size) + ")";
    return out;
  }
  Rank &target = group.ranks[static_cast<std::size_t>(rank)];
  if (verb == "register") {
    std::string address;
    int port = 0;
    if (rank != self || !(words >> address >> port) || port <= 0 || port > 65535) {
      out.error = "malformed registration '" + line + "' from rank " + std::to_string(self);
      return out;
    }
    target.location = address + " " + std::to_string(port);
    target.migrating = false;
    out.replies = answer(target, rank);
  } else if (verb == "lookup") {
    // A process asks again when an answer is slow (a migrating peer): once in the list is enough.
    if (std::find(target.waiting.begin(), target.waiting.end(), process) == target.waiting.end())
      target.waiting.push_back(process);
    if (target.gone || (target.location && !target.migrating))
      out.replies = answer(target, rank);
  } else if (verb == "migrating" && rank == self) {
    target.migrating = true;
    out.replies.push_back({process, "migrating-ok"});
  } else if (verb == "staying" && rank == self) {
    target.migrating = false;
    if (target.location)
      out.replies = answer(target, rank);
  } else {
    out.error = "unknown directory line '" + line + "' from rank " + std::to_string(self);
  }
  return out;
}

void LocationDirectory::restart_group(long group) {
  for (Rank &r : groups_.at(group).ranks) {
    r.location.reset();
    r.migrating = false;
    r.gone = false;
    r.waiting.clear();
  }
}

std::vector<LocationDirectory::Reply> LocationDirectory::on_exit(long process) {
  const auto m = members_.find(process);
  if (m == members_.end())
    return {};
  Rank &target = groups_.at(m->second.group).ranks[static_cast<std::size_t>(m->second.rank)];
  target.gone = true;
  return answer(target, m->second.rank);
}

} // namespace snow::system
