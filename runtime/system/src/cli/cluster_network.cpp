#include "cluster_network.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <net/if.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace snow::system {

namespace {

constexpr int kMaxClusters = 200;

std::string join(const std::vector<std::string> &words) {
  std::string out;
  for (const std::string &w : words)
    out += (out.empty() ? "" : " ") + w;
  return out;
}

// Runs a command (iproute2, tc); its stderr is the error when it fails.
void run(const std::vector<std::string> &command) {
  int err[2];
  if (pipe2(err, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  const pid_t pid = fork();
  if (pid < 0)
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    dup2(err[1], 2);
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    std::vector<char *> argv;
    for (const std::string &a : command)
      argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    dprintf(2, "cannot run %s: %s", argv[0], std::strerror(errno));
    _exit(127);
  }
  close(err[1]);
  std::string message;
  std::array<char, 512> buffer{};
  for (ssize_t n; (n = read(err[0], buffer.data(), buffer.size())) > 0;)
    message.append(buffer.data(), static_cast<std::size_t>(n));
  close(err[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    while (!message.empty() && message.back() == '\n')
      message.pop_back();
    throw std::runtime_error("'" + join(command) + "' failed: " + message);
  }
}

bool interface_exists(const std::string &name) { return if_nametoindex(name.c_str()) != 0; }

std::string veth_of(int number, std::size_t host) {
  return "snow" + std::to_string(number) + "v" + std::to_string(host); // ≤ 15 characters
}

} // namespace

ClusterNetwork ClusterNetwork::create(const std::vector<std::string> &hosts,
                                      const std::string &rate) {
  if (geteuid() != 0)
    throw std::runtime_error("--netns needs root (network namespaces, veth, tc); without it, "
                             "`snow cluster up` puts every host on loopback");
  if (hosts.size() > 200)
    throw std::runtime_error("at most 200 hosts fit one cluster network");
  ClusterNetwork net;
  net.rate_ = rate;
  // The first free number; creating the bridge is what claims it, so a
  // cluster coming up at the same moment that took it makes us try the next.
  for (net.number_ = 0;; ++net.number_) {
    if (net.number_ == kMaxClusters)
      throw std::runtime_error("no free cluster network (snow-br0 … snow-br199 all exist)");
    const std::string bridge = "snow-br" + std::to_string(net.number_);
    if (interface_exists(bridge))
      continue;
    try {
      run({"ip", "link", "add", bridge, "type", "bridge"});
      net.bridge_ = bridge;
      break;
    } catch (const std::runtime_error &) {
      if (!interface_exists(bridge))
        throw; // not a race: ip itself failed
    }
  }
  net.gateway_ = "10.77." + std::to_string(net.number_) + ".1";
  try {
    run({"ip", "addr", "add", net.gateway_ + "/24", "dev", net.bridge_});
    run({"ip", "link", "set", net.bridge_, "up"});
    for (std::size_t i = 0; i < hosts.size(); ++i) {
      const std::string ns = "snow" + std::to_string(net.number_) + "-" + hosts[i];
      const std::string veth = veth_of(net.number_, i);
      if (interface_exists(veth)) // left by a cluster of this number that did not come down
        run({"ip", "link", "delete", veth});
      run({"ip", "netns", "add", ns});
      net.namespaces_.push_back(ns);
      run({"ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns});
      run({"ip", "link", "set", veth, "master", net.bridge_, "up"});
      run({"ip", "-n", ns, "addr", "add", net.address_of(i) + "/24", "dev", "eth0"});
      run({"ip", "-n", ns, "link", "set", "eth0", "up"});
      run({"ip", "-n", ns, "link", "set", "lo", "up"});
      if (!rate.empty()) {
        // Both directions: egress of the host's end and of the bridge's end.
        const std::vector<std::string> shape = {"root", "tbf", "rate", rate, "burst", "32kbit",
                                                "latency", "400ms"};
        std::vector<std::string> inside = {"tc", "-n", ns, "qdisc", "add", "dev", "eth0"};
        inside.insert(inside.end(), shape.begin(), shape.end());
        run(inside);
        std::vector<std::string> outside = {"tc", "qdisc", "add", "dev", veth};
        outside.insert(outside.end(), shape.begin(), shape.end());
        run(outside);
      }
    }
  } catch (...) {
    net.destroy();
    throw;
  }
  return net;
}

ClusterNetwork ClusterNetwork::from_json(const Json &d) {
  ClusterNetwork net;
  net.number_ = d.value("number", 0);
  net.bridge_ = d.value("bridge", "");
  net.gateway_ = d.value("gateway", "");
  net.rate_ = d.value("rate", "");
  net.namespaces_ = d.value("namespaces", std::vector<std::string>{});
  return net;
}

Json ClusterNetwork::describe() const {
  return {{"number", number_},
          {"bridge", bridge_},
          {"gateway", gateway_},
          {"rate", rate_},
          {"namespaces", namespaces_}};
}

void ClusterNetwork::destroy() const {
  // The pairs first, by their end out here: deleting a namespace removes its
  // end too, but only later, in the kernel's namespace clean-up — a cluster
  // brought up right after would find the names still taken.
  for (std::size_t i = 0; i < namespaces_.size(); ++i) {
    const std::string veth = veth_of(number_, i);
    if (!interface_exists(veth))
      continue;
    try {
      run({"ip", "link", "delete", veth});
    } catch (const std::exception &) {
    }
  }
  for (const std::string &ns : namespaces_) {
    try {
      run({"ip", "netns", "delete", ns});
    } catch (const std::exception &) {
    }
  }
  if (!bridge_.empty() && interface_exists(bridge_)) {
    try {
      run({"ip", "link", "delete", bridge_});
    } catch (const std::exception &) {
    }
  }
}

std::string ClusterNetwork::address_of(std::size_t host) const {
  return "10.77." + std::to_string(number_) + "." + std::to_string(10 + host);
}

std::string ClusterNetwork::namespace_of(std::size_t host) const { return namespaces_.at(host); }

std::vector<std::string> ClusterNetwork::enter(std::size_t host) const {
  return {"/usr/bin/env", "ip", "netns", "exec", namespaces_.at(host)};
}

} // namespace snow::system
