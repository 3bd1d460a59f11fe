// snow cluster up|down: the local heterogeneous cluster (DESIGN.md §6) — a
// scheduler and one snowd per platform on this machine, the emulated ones
// under qemu-user; on loopback ports, or with --netns each host in a network
// namespace of its own behind a (possibly rate-limited) link
// (cluster_network.hpp). Their pids and the network go to
// <state>/cluster.json, their logs to <state>/logs/.
#include "cli_context.hpp"
#include "cluster_network.hpp"

#include "common/platform_table.hpp"
#include "common/state_dir.hpp"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace snow::system {

namespace {

const char *const kDefaultHosts = "x86_64,s390x,ppc,i686";

std::string sibling(const CliContext &context, const std::string &name) {
  const std::size_t slash = context.self.rfind('/');
  return slash == std::string::npos ? name : context.self.substr(0, slash + 1) + name;
}

// Starts a daemon in its own session with its output in `log`.
pid_t start_daemon(const std::vector<std::string> &command, const std::string &log) {
  const pid_t pid = fork();
  if (pid < 0)
    throw std::runtime_error("fork failed");
  if (pid == 0) {
    setsid();
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char *> argv;
    for (const std::string &a : command)
      argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    std::perror(argv[0]);
    _exit(127);
  }
  return pid;
}

bool alive(pid_t pid) {
  int status;
  if (waitpid(pid, &status, WNOHANG) == pid)
    return false;
  return kill(pid, 0) == 0;
}

Json read_json(const std::string &path) {
  std::ifstream in(path);
  return in ? Json::parse(in, nullptr, false) : Json();
}

template <class Ready> void wait_for(Ready ready, const std::string &what, const std::string &log) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (!ready()) {
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error(what + " did not come up within 15 s; see " + log);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

int cluster_down(const CliContext &context) {
  const std::string file = context.state_dir + "/cluster.json";
  const Json cluster = read_json(file);
  if (!cluster.is_object()) {
    std::cerr << "snow: no cluster is up for " << context.state_dir << "\n";
    return 1;
  }
  // Hosts first, so that the scheduler does not see them as failures.
  std::vector<pid_t> pids = cluster["hosts"].get<std::vector<pid_t>>();
  pids.push_back(cluster["scheduler"].get<pid_t>());
  for (pid_t pid : pids)
    kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (pid_t pid : pids) {
    while (kill(pid, 0) == 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (kill(pid, 0) == 0)
      kill(pid, SIGKILL);
  }
  if (cluster.contains("network"))
    ClusterNetwork::from_json(cluster["network"]).destroy();
  std::remove(file.c_str());
  std::remove(endpoint_path(context.state_dir).c_str());
  if (!context.json)
    std::cout << "cluster down\n";
  return 0;
}

int start_cluster(const CliContext &context, const std::string &manifest, const std::string &hosts,
                  const std::vector<std::string> &names,
                  const std::vector<std::string> &scheduler_extra,
                  const std::vector<std::string> &daemon_extra, const ClusterNetwork *network,
                  std::vector<pid_t> &started);

int cluster_up(const CliContext &context, const std::vector<std::string> &args) {
  std::string manifest = SNOW_DEFAULT_MANIFEST, hosts = kDefaultHosts;
  std::vector<std::string> scheduler_extra, daemon_extra;
  bool netns = false;
  std::string rate;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--manifest" && i + 1 < args.size())
      manifest = args[++i];
    else if (args[i] == "--hosts" && i + 1 < args.size())
      hosts = args[++i];
    else if (args[i] == "--trace" && i + 1 < args.size())
      scheduler_extra.insert(scheduler_extra.end(), {"--trace", args[++i]});
    else if (args[i] == "--host-timeout" && i + 1 < args.size())
      scheduler_extra.insert(scheduler_extra.end(), {"--host-timeout", args[++i]});
    else if (args[i] == "--netns")
      netns = true;
    else if (args[i] == "--rate" && i + 1 < args.size())
      rate = args[++i], netns = true;
    else if (args[i] == "--migration-timeout" && i + 1 < args.size())
      daemon_extra = {"--migration-timeout", args[++i]};
    else
      throw std::runtime_error(
          "usage: snow cluster up [--manifest file] [--hosts p1,name=p2,…] [--trace file] "
          "[--netns] [--rate 10mbit] [--migration-timeout s] [--host-timeout s]");
  }
  const std::string cluster_file = context.state_dir + "/cluster.json";
  const Json existing = read_json(cluster_file);
  if (existing.is_object() && kill(existing["scheduler"].get<pid_t>(), 0) == 0)
    throw std::runtime_error("a cluster is already up for " + context.state_dir +
                             " (snow cluster down first)");
  make_private_directory(context.state_dir + "/logs");
  std::remove(endpoint_path(context.state_dir).c_str());

  std::vector<std::string> names = split_words([&] {
    std::string words = hosts;
    for (char &c : words)
      c = c == ',' ? ' ' : c;
    return words;
  }());
  std::vector<std::string> host_names;
  for (const std::string &entry : names)
    host_names.push_back(entry.substr(0, entry.find('=')));
  std::unique_ptr<ClusterNetwork> network;
  if (netns && geteuid() != 0) {
    // The namespaces need CAP_NET_ADMIN; the same cluster still runs on loopback.
    std::cerr << "snow: --netns" << (rate.empty() ? "" : "/--rate")
              << " needs root (network namespaces, veth, tc): the hosts use loopback ports instead\n";
    netns = false;
  }
  if (netns)
    network = std::make_unique<ClusterNetwork>(ClusterNetwork::create(host_names, rate));
  std::vector<pid_t> started;
  try {
    return start_cluster(context, manifest, hosts, names, scheduler_extra, daemon_extra,
                         network.get(), started);
  } catch (...) {
    for (pid_t pid : started)
      kill(pid, SIGKILL);
    if (network)
      network->destroy();
    std::remove(cluster_file.c_str());
    throw;
  }
}

int start_cluster(const CliContext &context, const std::string &manifest, const std::string &hosts,
                  const std::vector<std::string> &names,
                  const std::vector<std::string> &scheduler_extra,
                  const std::vector<std::string> &daemon_extra, const ClusterNetwork *network,
                  std::vector<pid_t> &started) {
  const std::string cluster_file = context.state_dir + "/cluster.json";
  const std::string scheduler_log = context.state_dir + "/logs/snow-scheduler.log";
  std::vector<std::string> scheduler = {sibling(context, "snow-scheduler"), "--state-dir",
                                        context.state_dir, "--manifest", manifest};
  scheduler.insert(scheduler.end(), scheduler_extra.begin(), scheduler_extra.end());
  if (network) {
    scheduler.push_back("--listen");
    scheduler.push_back(network->scheduler_address());
  }
  const pid_t scheduler_pid = start_daemon(scheduler, scheduler_log);
  started.push_back(scheduler_pid);
  wait_for(
      [&] {
        if (!alive(scheduler_pid))
          throw std::runtime_error("snow-scheduler exited; see " + scheduler_log);
        const Json endpoint = read_json(endpoint_path(context.state_dir));
        return endpoint.is_object() && endpoint.value("pid", 0) == scheduler_pid;
      },
      "snow-scheduler", scheduler_log);

  Json cluster = {{"scheduler", scheduler_pid}, {"hosts", Json::array()}};
  if (network)
    cluster["network"] = network->describe();
  // Written now, so that `snow cluster down` finds what there is even if a
  // host fails to come up.
  std::ofstream(cluster_file) << cluster.dump() << "\n";
  for (std::size_t index = 0; index < names.size(); ++index) {
    const std::string &entry = names[index];
    // "name=platform" names a host; a bare platform is its own name.
    const std::size_t equals = entry.find('=');
    const std::string name = entry.substr(0, equals);
    const std::string platform = equals == std::string::npos ? entry : entry.substr(equals + 1);
    const PlatformTraits *traits = find_platform(platform);
    if (!traits)
      throw std::runtime_error("unknown platform '" + platform + "'");
    const std::string log = context.state_dir + "/logs/snowd-" + name + ".log";
    std::vector<std::string> command;
    if (network)
      command = network->enter(index);
    for (const std::string &word :
         {sibling(context, "snowd"), std::string("--name"), name, std::string("--platform"),
          platform, std::string("--emulator"), join_words(traits->emulator),
          std::string("--state-dir"), context.state_dir})
      command.push_back(word);
    command.insert(command.end(), daemon_extra.begin(), daemon_extra.end());
    if (network)
      for (const std::string &word : {std::string("--address"), network->address_of(index),
                                      std::string("--scheduler"), network->scheduler_address()})
        command.push_back(word);
    const pid_t pid = start_daemon(command, log);
    started.push_back(pid);
    cluster["hosts"].push_back(pid);
  }
  std::ofstream(cluster_file) << cluster.dump() << "\n";
  BlockingClient client;
  context.connect(client);
  wait_for([&] { return client.request("list-hosts")["hosts"].size() == names.size(); },
           "the hosts", context.state_dir + "/logs/");
  if (context.json)
    std::cout << cluster.dump() << std::endl;
  else
    std::cout << "cluster up: scheduler and " << names.size() << " hosts (" << hosts << ")"
              << (network ? " in network namespaces on " + network->describe()["bridge"].get<std::string>() +
                                (network->describe()["rate"].get<std::string>().empty()
                                     ? ""
                                     : " at " + network->describe()["rate"].get<std::string>())
                          : std::string())
              << "; state in " << context.state_dir << "\n";
  return 0;
}

} // namespace

int command_cluster(const CliContext &context, const std::vector<std::string> &args) {
  if (!args.empty() && args[0] == "up")
    return cluster_up(context, {args.begin() + 1, args.end()});
  if (!args.empty() && args[0] == "down")
    return cluster_down(context);
  throw std::runtime_error("usage: snow cluster up|down");
}

} // namespace snow::system
