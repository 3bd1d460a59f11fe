// The network of `snow cluster up --netns`: every host in a network namespace
// of its own, joined to the scheduler's namespace (the machine's) through a
// veth pair and a bridge, optionally shaped by tc to a link rate. Traffic
// between hosts — the live migrations' state streams above all — then crosses
// real (virtual) links that can be slowed down or cut, as between machines.
//
//   bridge snow-brN  10.77.N.1/24     the scheduler listens here
//   namespace snowN-<host>  eth0 10.77.N.(10+i)/24   snowd and its processes
//
// N is the first free bridge number, so several clusters can be up at once.
// Needs root (CAP_NET_ADMIN); everything made is recorded in cluster.json and
// removed by `snow cluster down`, also after a failed start.
#pragma once

#include "protocol/message.hpp"

#include <string>
#include <vector>

namespace snow::system {

class ClusterNetwork {
public:
  // Makes the bridge and one namespace per host; throws std::runtime_error
  // naming the command that failed (after removing what it had made).
  // `rate` is a tc rate ("10mbit") or empty for unshaped links.
  static ClusterNetwork create(const std::vector<std::string> &hosts, const std::string &rate);
  // The network recorded by describe(); nothing is checked.
  static ClusterNetwork from_json(const Json &description);

  Json describe() const;
  // Removes the namespaces and the bridge (best effort, never throws).
  void destroy() const;

  const std::string &scheduler_address() const { return gateway_; }
  std::string address_of(std::size_t host) const;
  std::string namespace_of(std::size_t host) const;
  // The command prefix that runs a program inside host i's namespace.
  std::vector<std::string> enter(std::size_t host) const;

private:
  int number_ = 0;
  std::string bridge_, gateway_, rate_;
  std::vector<std::string> namespaces_;
};

} // namespace snow::system
