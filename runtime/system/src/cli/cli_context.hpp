// What every `snow` command shares: where the scheduler is, the token, the
// output mode, and a connected, authenticated client.
#pragma once

#include "net/blocking_client.hpp"

#include <string>
#include <vector>

namespace snow::system {

struct CliContext {
  std::string state_dir;
  std::string token_file;  // default: <state_dir>/token
  unsigned short port = 0; // default: from <state_dir>/scheduler.json
  bool json = false;
  std::string self; // path of the snow executable, to find its siblings

  // Connects and says hello; throws std::runtime_error or ProtocolError.
  void connect(BlockingClient &client) const;
};

// Each command takes its own arguments (after the command's name) and
// returns the process's exit status.
int command_hosts(const CliContext &context, const std::vector<std::string> &args);
int command_ps(const CliContext &context, const std::vector<std::string> &args);
int command_run(const CliContext &context, const std::vector<std::string> &args);
int command_restart(const CliContext &context, const std::vector<std::string> &args);
int command_migrate(const CliContext &context, const std::vector<std::string> &args);
int command_checkpoint(const CliContext &context, const std::vector<std::string> &args);
int command_kill(const CliContext &context, const std::vector<std::string> &args);
int command_trace(const CliContext &context, const std::vector<std::string> &args);
int command_cluster(const CliContext &context, const std::vector<std::string> &args);

} // namespace snow::system
