// snow: the command line client of snow-scheduler's API.
#include "cli/cli_context.hpp"
#include "common/state_dir.hpp"
#include "protocol/protocol_error.hpp"

#include <csignal>
#include <iostream>
#include <map>

using namespace snow::system;

namespace {
const char *const kUsage =
    R"(usage: snow [--json] [--state-dir d] [--port n] [--token-file f] <command> …
  cluster up [--manifest f] [--hosts x86_64,s390x,ppc,i686 | name=platform,…] [--trace f] | cluster down
  hosts                                   the registered hosts
  ps                                      the processes
  run [-n N] [--hosts a,b,…] [--checkpoint-every 10s] <program> [--on host] [--detach] [--id-file f] [--] [args…]
  migrate <process> <host>
  checkpoint <process> [file]
  restart <file> [--on host] [--program name]
  kill <process> [--signal n]
  trace <file> [--format chrome|lines] [--seconds n]
)";
} // namespace

int main(int argc, char **argv) {
  using Command = int (*)(const CliContext &, const std::vector<std::string> &);
  const std::map<std::string, Command> commands = {
      {"hosts", command_hosts},     {"ps", command_ps},
      {"run", command_run},         {"restart", command_restart},
      {"migrate", command_migrate}, {"checkpoint", command_checkpoint},
      {"kill", command_kill},       {"trace", command_trace},
      {"cluster", command_cluster}};
  CliContext context;
  context.state_dir = default_state_dir();
  context.self = argv[0];
  std::signal(SIGPIPE, SIG_IGN);
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; ++i) {
    const std::string a = argv[i];
    if (a == "--json")
      context.json = true;
    else if (a == "--state-dir" && i + 1 < argc)
      context.state_dir = argv[++i];
    else if (a == "--port" && i + 1 < argc)
      context.port = static_cast<unsigned short>(std::stoul(argv[++i]));
    else if (a == "--token-file" && i + 1 < argc)
      context.token_file = argv[++i];
    else if (a == "--help" || a == "-h")
      return std::cout << kUsage, 0;
    else
      return std::cerr << "snow: unknown option '" << a << "'\n" << kUsage, 2;
  }
  const auto command = i < argc ? commands.find(argv[i]) : commands.end();
  if (command == commands.end())
    return std::cerr << kUsage, 2;
  try {
    return command->second(context, std::vector<std::string>(argv + i + 1, argv + argc));
  } catch (const ProtocolError &e) {
    std::cerr << "snow: " << e.what() << " [" << e.code() << "]\n";
  } catch (const std::exception &e) {
    std::cerr << "snow: " << e.what() << "\n";
  }
  return 1;
}
