// snow-scheduler: the process table, the hosts, placement, and the WebSocket
// API (docs/protocol.md). Options:
//   --state-dir d           token and endpoint files (default $XDG_RUNTIME_DIR/snow)
//   --token-file f          where the token goes (default <state-dir>/token), mode 0600
//   --listen addr           default 127.0.0.1
//   --port n                default 0: any free port, written to <state-dir>/scheduler.json
//   --manifest f            the build's snow-migratable-targets.json
//   --max-message-bytes n   larger requests get a message-too-large error (default 1 MiB)
//   --max-connections n, --max-requests-per-second r, --request-burst b
//                           see scheduler/request_limiter.hpp (defaults 256, 200, 400)
//   --trace f [--trace-format chrome|lines]
//   --host-timeout s        a host silent (no heartbeat) this long is lost (default 5)
//   --checkpoint-dir d      periodic checkpoints (run's checkpoint_every) go here; every
//                           host must see it at the same path (default <state-dir>/checkpoints)
#include "common/manifest.hpp"
#include "common/state_dir.hpp"
#include "common/token.hpp"
#include "net/websocket_server.hpp"
#include "scheduler/request_limiter.hpp"
#include "scheduler/scheduler.hpp"

#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <fstream>
#include <iostream>
#include <unistd.h>

using namespace snow::system;

int main(int argc, char **argv) {
  std::string state_dir = default_state_dir(), token_file, listen = "127.0.0.1", manifest, trace,
              trace_format, checkpoint_dir;
  unsigned short port = 0;
  SchedulerOptions options;
  RequestLimits limits;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      const bool has_value = i + 1 < argc;
      if (a == "--state-dir" && has_value)
        state_dir = argv[++i];
      else if (a == "--token-file" && has_value)
        token_file = argv[++i];
      else if (a == "--listen" && has_value)
        listen = argv[++i];
      else if (a == "--port" && has_value)
        port = static_cast<unsigned short>(std::stoul(argv[++i]));
      else if (a == "--manifest" && has_value)
        manifest = argv[++i];
      else if (a == "--max-message-bytes" && has_value)
        options.max_message_bytes = std::stoul(argv[++i]);
      else if (a == "--host-timeout" && has_value)
        options.host_timeout = std::stod(argv[++i]);
      else if (a == "--checkpoint-dir" && has_value)
        checkpoint_dir = argv[++i];
      else if (RequestLimits::is_option(a) && has_value)
        limits.set(a, argv[++i]);
      else if (a == "--trace" && has_value)
        trace = argv[++i];
      else if (a == "--trace-format" && has_value)
        trace_format = argv[++i];
      else
        throw std::runtime_error("unknown option '" + a +
                                 "' (see the comment at the top of snow_scheduler_main.cpp)");
    }
    make_private_directory(state_dir);
    if (!(options.host_timeout >= 1.5))
      throw std::runtime_error("--host-timeout must be at least 1.5 s (snowd sends a heartbeat every second)");
    options.checkpoint_dir = checkpoint_dir.empty() ? state_dir + "/checkpoints" : checkpoint_dir;
    make_private_directory(options.checkpoint_dir);
    if (!manifest.empty())
      options.manifest = Manifest::load(manifest);
    options.token = generate_token();
    if (token_file.empty())
      token_file = token_path(state_dir);
    write_token_file(token_file, options.token);

    boost::asio::io_context io;
    Scheduler scheduler(options);
    if (!trace.empty())
      scheduler.record_trace(std::make_unique<TraceRecorder>(
          trace,
          trace_format.empty() ? trace_format_for_path(trace) : trace_format_named(trace_format)));
    // Messages up to 4× the limit get an error reply; beyond, Beast closes the connection.
    RequestLimiter limiter(scheduler, limits,
                           [&](std::uint64_t id) { return scheduler.is_host_connection(id); });
    WebSocketServer server(io, limiter, options.max_message_bytes * 4 + 65536);
    server.listen(listen, port);
    scheduler.start_timers(io);
    const std::string endpoint = endpoint_path(state_dir);
    std::ofstream(endpoint + ".partial") << Json{{"port", server.port()},
                                                 {"pid", getpid()},
                                                 {"listen", listen},
                                                 {"token_file", token_file}}
                                                .dump()
                                         << "\n";
    std::rename((endpoint + ".partial").c_str(), endpoint.c_str());
    std::cout << "snow-scheduler: listening on " << listen << ":" << server.port() << ", token in "
              << token_file << std::endl;

    boost::asio::signal_set stop(io, SIGINT, SIGTERM);
    stop.async_wait([&](boost::system::error_code, int) { io.stop(); });
    std::signal(SIGPIPE, SIG_IGN);
    io.run();
    scheduler.flush_trace();
    std::cout << "snow-scheduler: stopped" << std::endl;
  } catch (const std::exception &e) {
    std::cerr << "snow-scheduler: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
