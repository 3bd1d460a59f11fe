// snow hosts | ps | run | restart | kill: the commands about hosts and processes.
#include "cli_context.hpp"

#include "protocol/protocol_error.hpp"

#include <algorithm>
#include <climits>
#include <set>
#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <unistd.h>

namespace snow::system {

namespace {

std::string absolute(const std::string &path) {
  if (path.empty() || path[0] == '/')
    return path;
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd))
    throw std::runtime_error("cannot tell the current directory");
  return std::string(cwd) + "/" + path;
}

// "2", "2s", "1.5s", "500ms", "1m": seconds.
double duration_seconds(const std::string &text) {
  std::size_t used = 0;
  double value = -1;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception &) {
  }
  const std::string unit = text.substr(used);
  const double scale = unit.empty() || unit == "s" ? 1 : unit == "ms" ? 0.001 : unit == "m" ? 60 : -1;
  if (used == 0 || scale < 0 || !(value > 0))
    throw std::runtime_error("'" + text + "' is not a duration (say 30s, 500ms or 2m)");
  return value * scale;
}

long process_id(const std::string &text) {
  try {
    std::size_t used = 0;
    const long id = std::stol(text, &used);
    if (used == text.size() && id > 0)
      return id;
  } catch (const std::exception &) {
  }
  throw std::runtime_error("'" + text + "' is not a process id (see `snow ps`)");
}

// Writes the output of the processes as it arrives (each process's in
// order) until all have exited; returns the first failing status (128 + n
// when killed by signal n), else 0. One process: its own status.
int follow_processes(BlockingClient &client, const std::vector<long> &processes, bool json) {
  std::set<long> running(processes.begin(), processes.end());
  int result = 0;
  while (!running.empty()) {
    const Message event = client.next_event();
    const Json &d = event.body;
    const long process = d.value("process", 0L);
    if (!running.count(process))
      continue;
    if (json)
      std::cout << make_event(event.name, 0, d) << std::endl;
    if (event.name == "process-output" && !json) {
      const std::string data = d["data"].get<std::string>();
      std::FILE *to = d["stream"] == "stderr" ? stderr : stdout;
      std::fwrite(data.data(), 1, data.size(), to);
      std::fflush(to);
    } else if (event.name == "process-recovered" && !json) {
      std::fprintf(stderr,
                   "snow: process %ld: its host '%s' was lost; restarted on '%s' from %s (%.1f s of work lost)\n",
                   process, d.value("lost_host", "?").c_str(), d.value("to", "?").c_str(),
                   d.value("round", 0L) ? ("checkpoint round " + std::to_string(d["round"].get<long>())).c_str()
                                        : "the start (no checkpoint yet)",
                   d.value("lost_s", 0.0));
    } else if (event.name == "process-exited") {
      running.erase(process);
      if (d.contains("reason"))
        std::cerr << "snow: process " << process << ": " << d["reason"].get<std::string>() << "\n";
      const int status = d.contains("signal") ? 128 + d["signal"].get<int>()
                                              : (d["status"].get<int>() < 0 ? 1 : d["status"].get<int>());
      if (status != 0 && result == 0)
        result = status;
    }
  }
  return result;
}

// A group's reply lists its processes; a single run's names one.
int launch(const CliContext &context, const std::string &command, const Json &args,
           const std::string &id_file, bool detach) {
  BlockingClient client;
  context.connect(client);
  const Json result = client.request(command, args);
  std::vector<long> ids;
  if (result.contains("group")) {
    for (const Json &p : result["processes"])
      ids.push_back(p["id"].get<long>());
  } else {
    ids.push_back(result["process"]["id"].get<long>());
  }
  if (!id_file.empty()) {
    std::FILE *f = std::fopen(id_file.c_str(), "w");
    if (!f)
      throw std::runtime_error("cannot write '" + id_file + "'");
    for (long id : ids)
      std::fprintf(f, "%ld\n", id);
    std::fclose(f);
  }
  if (detach) {
    if (context.json)
      std::cout << result.dump() << std::endl;
    else
      for (long id : ids)
        std::cout << id << std::endl;
    return 0;
  }
  return follow_processes(client, ids, context.json);
}

} // namespace

int command_hosts(const CliContext &context, const std::vector<std::string> &) {
  BlockingClient client;
  context.connect(client);
  const Json hosts = client.request("list-hosts")["hosts"];
  if (context.json) {
    std::cout << hosts.dump(2) << std::endl;
    return 0;
  }
  std::printf("%-10s %-8s %-6s %4s %4s %6s %5s  %s\n", "HOST", "PLATFORM", "ORDER", "WORD", "CPUS",
              "LOAD", "PROCS", "EMULATOR");
  for (const Json &h : hosts) {
    std::string emulator;
    for (const Json &w : h["emulator"])
      emulator += (emulator.empty() ? "" : " ") + w.get<std::string>();
    std::printf("%-10s %-8s %-6s %4d %4d %6.2f %5d  %s\n", h["name"].get<std::string>().c_str(),
                h["platform"].get<std::string>().c_str(),
                h["byte_order"].get<std::string>().c_str(), h["word_size"].get<int>(),
                h["cpus"].get<int>(), h["load"].get<double>(), h["processes"].get<int>(),
                emulator.empty() ? "(native)" : emulator.c_str());
  }
  return 0;
}

int command_ps(const CliContext &context, const std::vector<std::string> &) {
  BlockingClient client;
  context.connect(client);
  const Json processes = client.request("list-processes")["processes"];
  if (context.json) {
    std::cout << processes.dump(2) << std::endl;
    return 0;
  }
  std::printf("%4s %-10s %-9s %7s %4s %8s %9s  %s\n", "ID", "HOST", "STATE", "PID", "MIGR", "AGE",
              "GROUP", "PROGRAM");
  for (const Json &p : processes) {
    const std::string group = p.contains("group") ? std::to_string(p["group"].get<long>()) + ":" +
                                                        std::to_string(p["rank"].get<int>())
                                                  : "-";
    std::printf("%4ld %-10s %-9s %7ld %4d %7.1fs %9s  %s\n", p["id"].get<long>(),
                p["host"].get<std::string>().c_str(), p["state"].get<std::string>().c_str(),
                p["pid"].get<long>(), p["migrations"].get<int>(), p["age"].get<double>(),
                group.c_str(), p["program"].get<std::string>().c_str());
  }
  return 0;
}

// snow run [-n N] [--hosts a,b,…] [--checkpoint-every 10s] <program> [--on host] [--detach]
//          [--id-file f] [--] [args…]
int command_run(const CliContext &context, const std::vector<std::string> &args) {
  // snow's options may come before or after the program; the first other
  // word after the program (or everything after "--") is the program's.
  Json request = {{"args", Json::array()}};
  std::string id_file;
  bool detach = false;
  std::size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string &a = args[i];
    if (a == "--on" && i + 1 < args.size())
      request["on"] = args[++i];
    else if ((a == "-n" || a == "--ranks") && i + 1 < args.size()) {
      const std::string n = args[++i];
      std::size_t used = 0;
      long ranks = 0;
      try {
        ranks = std::stol(n, &used);
      } catch (const std::exception &) {
      }
      if (used != n.size() || ranks < 1)
        throw std::runtime_error("-n wants a number of processes, not '" + n + "'");
      request["ranks"] = ranks;
    } else if (a == "--hosts" && i + 1 < args.size()) {
      Json hosts = Json::array();
      std::string list = args[++i];
      for (std::size_t start = 0; start <= list.size();) {
        const std::size_t comma = std::min(list.find(',', start), list.size());
        if (comma > start)
          hosts.push_back(list.substr(start, comma - start));
        start = comma + 1;
      }
      request["hosts"] = hosts;
    }
    else if (a == "--checkpoint-every" && i + 1 < args.size())
      request["checkpoint_every"] = duration_seconds(args[++i]);
    else if (a == "--id-file" && i + 1 < args.size())
      id_file = args[++i];
    else if (a == "--detach")
      detach = true;
    else if (a == "--") {
      ++i;
      break;
    } else if (!request.contains("program"))
      request["program"] = a.find('/') != std::string::npos ? absolute(a) : a;
    else
      break;
  }
  for (; i < args.size(); ++i)
    request["args"].push_back(args[i]);
  if (!request.contains("program"))
    throw std::runtime_error(
        "usage: snow run [-n N] [--hosts a,b,…] [--checkpoint-every 10s] <program> [--on host] "
        "[--detach] [args…]");
  return launch(context, "run", request, id_file, detach);
}

// snow restart <file> [--on host] [--program name] [--detach]
int command_restart(const CliContext &context, const std::vector<std::string> &args) {
  Json request;
  std::string id_file;
  bool detach = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--on" && i + 1 < args.size())
      request["on"] = args[++i];
    else if (args[i] == "--program" && i + 1 < args.size())
      request["program"] = args[++i];
    else if (args[i] == "--id-file" && i + 1 < args.size())
      id_file = args[++i];
    else if (args[i] == "--detach")
      detach = true;
    else
      request["file"] = absolute(args[i]);
  }
  if (!request.contains("file"))
    throw std::runtime_error("usage: snow restart <file> [--on host] [--program name]");
  return launch(context, "restart", request, id_file, detach);
}

// snow kill <process> [--signal n]
int command_kill(const CliContext &context, const std::vector<std::string> &args) {
  Json request;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--signal" && i + 1 < args.size())
      request["signal"] = std::stoi(args[++i]);
    else
      request["process"] = process_id(args[i]);
  }
  if (!request.contains("process"))
    throw std::runtime_error("usage: snow kill <process> [--signal n]");
  BlockingClient client;
  context.connect(client);
  client.request("kill", request);
  return 0;
}

} // namespace snow::system
