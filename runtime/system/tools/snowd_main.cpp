// snowd: one per host; registers with the scheduler and runs its processes.
//   --name n                the host's name (default: the platform)
//   --platform p            x86_64, s390x, ppc, i686, armhf (default: this machine's)
//   --emulator "cmd args"   prefix that runs the platform's binaries (default: none)
//   --byte-order little|big, --word-size n   override the platform table
//   --cpus n                default: this machine's
//   --state-dir d           where the scheduler's endpoint and token are (default
//   $XDG_RUNTIME_DIR/snow)
//   --port n, --token-file f   instead of the state directory's (then a lost scheduler ends snowd;
//                           otherwise snowd re-registers when a scheduler is back there)
//   --address a             this host's IPv4 address: where its waiting processes listen for a
//                           live migration's state (default 127.0.0.1)
//   --migration-timeout s   how long a live migration's process waits for its peer at any one
//                           step — connect, the next bytes, the answer (default 60)
//   --scheduler a           the scheduler's address (default 127.0.0.1)
//   --spool d               checkpoint files (default <state-dir>/spool/<name>)
//   --checkpoint-timeout s  give up a migration whose process reaches no poll-point (default 300)
#include "common/platform_table.hpp"
#include "common/state_dir.hpp"
#include "common/token.hpp"
#include "daemon/host_daemon.hpp"

#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <fstream>
#include <iostream>
#include <thread>

using namespace snow::system;

int main(int argc, char **argv) {
  HostDaemonOptions o;
  std::string state_dir = default_state_dir(), token_file;
  bool emulator_given = false, port_given = false;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      const bool has_value = i + 1 < argc;
      if (a == "--name" && has_value)
        o.name = argv[++i];
      else if (a == "--platform" && has_value)
        o.platform = argv[++i];
      else if (a == "--emulator" && has_value)
        o.emulator = split_words(argv[++i]), emulator_given = true;
      else if (a == "--byte-order" && has_value)
        o.byte_order = argv[++i];
      else if (a == "--word-size" && has_value)
        o.word_size = std::stoi(argv[++i]);
      else if (a == "--cpus" && has_value)
        o.cpus = std::stoi(argv[++i]);
      else if (a == "--state-dir" && has_value)
        state_dir = argv[++i];
      else if (a == "--port" && has_value)
        o.scheduler_port = static_cast<unsigned short>(std::stoul(argv[++i])), port_given = true;
      else if (a == "--token-file" && has_value)
        token_file = argv[++i];
      else if (a == "--address" && has_value)
        o.address = argv[++i];
      else if (a == "--migration-timeout" && has_value)
        o.migration_timeout = std::stoi(argv[++i]);
      else if (a == "--scheduler" && has_value)
        o.scheduler_host = argv[++i];
      else if (a == "--spool" && has_value)
        o.spool_dir = argv[++i];
      else if (a == "--checkpoint-timeout" && has_value)
        o.checkpoint_timeout = std::chrono::seconds(std::stoi(argv[++i]));
      else
        throw std::runtime_error("unknown option '" + a +
                                 "' (see the comment at the top of snowd_main.cpp)");
    }
    if (o.platform.empty())
      o.platform = native_platform_name();
    if (o.name.empty())
      o.name = o.platform;
    const PlatformTraits *traits = find_platform(o.platform);
    if (o.byte_order.empty())
      o.byte_order = traits ? traits->byte_order : "";
    if (o.word_size == 0)
      o.word_size = traits ? traits->word_size : 0;
    if (o.byte_order.empty() || o.word_size == 0)
      throw std::runtime_error("platform '" + o.platform +
                               "' is unknown: give --byte-order and --word-size");
    if (!emulator_given && o.platform != native_platform_name() && traits)
      o.emulator = traits->emulator;
    if (o.cpus <= 1)
      o.cpus = std::max(1u, std::thread::hardware_concurrency());
    if (o.scheduler_port == 0) {
      std::ifstream in(endpoint_path(state_dir));
      const Json endpoint = in ? Json::parse(in, nullptr, false) : Json();
      if (!endpoint.is_object() || !endpoint.contains("port"))
        throw std::runtime_error("no scheduler endpoint in " + endpoint_path(state_dir) +
                                 "; give --port");
      o.scheduler_port = endpoint["port"].get<unsigned short>();
    }
    o.token = read_token_file(token_file.empty() ? token_path(state_dir) : token_file);
    if (o.spool_dir.empty())
      o.spool_dir = state_dir + "/spool/" + o.name;
    if (token_file.empty() && !port_given)
      o.state_dir = state_dir; // follows a restarted scheduler
    make_private_directory(o.spool_dir);

    boost::asio::io_context io;
    HostDaemon daemon(io, o);
    boost::asio::signal_set stop(io, SIGINT, SIGTERM);
    // A stopped host takes its processes with it (as systemd would with the
    // unit's control group): none is left running unmanaged.
    stop.async_wait([&](boost::system::error_code, int) {
      daemon.end_processes();
      io.stop();
    });
    std::signal(SIGPIPE, SIG_IGN);
    daemon.start();
    io.run();
  } catch (const std::exception &e) {
    std::cerr << "snowd: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
