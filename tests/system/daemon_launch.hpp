// What the API tests share: starting snow-scheduler and snowd as real
// processes with their output in a log, and waiting for the scheduler to
// publish its endpoint.
#pragma once

#include "common/state_dir.hpp"
#include "protocol/message.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <sys/types.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace snow::system::test {

// Starts `command` (argv[0] a path) with stdout and stderr in `log`.
inline pid_t start_daemon(const std::vector<std::string> &command, const std::string &log) {
  const pid_t pid = fork();
  if (pid == 0) {
    freopen(log.c_str(), "w", stdout);
    freopen(log.c_str(), "a", stderr);
    std::vector<char *> argv;
    for (const std::string &a : command)
      argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

// The port the scheduler of `state_dir` listens on, once it has written
// scheduler.json (up to 5 s); 0 if it never did.
inline unsigned short wait_for_scheduler_port(const std::string &state_dir) {
  for (int i = 0; i < 200; ++i) {
    std::ifstream in(endpoint_path(state_dir));
    const Json endpoint = in ? Json::parse(in, nullptr, false) : Json();
    if (endpoint.is_object())
      return endpoint["port"].get<unsigned short>();
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return 0;
}

} // namespace snow::system::test
