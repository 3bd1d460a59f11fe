// snow migrate | checkpoint: start one, then show its phases as they happen.
#include "cli_context.hpp"

#include <climits>
#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <unistd.h>

namespace snow::system {

namespace {

long parse_process(const std::string &text) {
  char *end = nullptr;
  const long id = std::strtol(text.c_str(), &end, 10);
  if (end == text.c_str() || *end || id <= 0)
    throw std::runtime_error("'" + text + "' is not a process id (see `snow ps`)");
  return id;
}

std::string with_commas(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return out;
}

// Follows migration `id` to its end; on a terminal shows one line per phase
// with a bar that fills as the phases complete.
int follow_migration(BlockingClient &client, long id, const std::string &prefix, bool json) {
  const bool tty = isatty(STDERR_FILENO);
  int phases_done = 0;
  for (;;) {
    const Message event = client.next_event();
    const Json &d = event.body;
    if (d.value("migration", 0L) != id)
      continue;
    if (json)
      std::cout << make_event(event.name, 0, d) << std::endl;
    if (event.name == "migration-phase" && !json) {
      const std::string phase = d["phase"].get<std::string>();
      if (d["state"] == "end")
        ++phases_done;
      const std::string bar = std::string(phases_done * 10, '#') +
                              std::string((3 - std::min(phases_done, 3)) * 10, '.');
      if (d["state"] == "begin") {
        if (tty)
          std::fprintf(stderr, "\r[%s] %-8s ...", bar.c_str(), phase.c_str());
      } else {
        std::fprintf(stderr, "%s[%s] %-8s %12s bytes %9.3f s\n", tty ? "\r" : "", bar.c_str(),
                     phase.c_str(), with_commas(d.value("bytes", 0ULL)).c_str(),
                     d.value("ms", 0.0) / 1000);
      }
    } else if (event.name == prefix + "-done") {
      if (!json)
        std::printf("process %ld: %s %s → %s, %s bytes; collect %.3f s, transfer %.3f s, restore "
                    "%.3f s, total %.3f s\n",
                    d["process"].get<long>(), prefix == "migration" ? "migrated" : "checkpointed",
                    d["from"].get<std::string>().c_str(), d["to"].get<std::string>().c_str(),
                    with_commas(d["bytes"].get<std::uint64_t>()).c_str(),
                    d["collect_ms"].get<double>() / 1000, d["transfer_ms"].get<double>() / 1000,
                    d["restore_ms"].get<double>() / 1000, d["total_ms"].get<double>() / 1000);
      return 0;
    } else if (event.name == prefix + "-failed") {
      if (!json)
        std::cerr << "snow: " << prefix << " " << id
                  << " failed: " << d["reason"].get<std::string>() << "\n";
      return 1;
    }
  }
}

} // namespace

// snow migrate <process> <host>
int command_migrate(const CliContext &context, const std::vector<std::string> &args) {
  if (args.size() != 2)
    throw std::runtime_error("usage: snow migrate <process> <host>");
  BlockingClient client;
  context.connect(client);
  const Json result =
      client.request("migrate", {{"process", parse_process(args[0])}, {"host", args[1]}});
  return follow_migration(client, result["migration"].get<long>(), "migration", context.json);
}

// snow checkpoint <process> [file]
int command_checkpoint(const CliContext &context, const std::vector<std::string> &args) {
  if (args.empty() || args.size() > 2)
    throw std::runtime_error("usage: snow checkpoint <process> [file]");
  Json request = {{"process", parse_process(args[0])}};
  std::string file = args.size() == 2 ? args[1] : "snow-checkpoint-p" + args[0] + ".snow";
  if (file[0] != '/') {
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
      throw std::runtime_error("cannot tell the current directory");
    file = std::string(cwd) + "/" + file;
  }
  request["file"] = file;
  BlockingClient client;
  context.connect(client);
  const Json result = client.request("checkpoint", request);
  const int status =
      follow_migration(client, result["migration"].get<long>(), "checkpoint", context.json);
  if (status == 0 && !context.json)
    std::printf("written to %s\n", file.c_str());
  return status;
}

} // namespace snow::system
