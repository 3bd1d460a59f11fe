// snow trace <file> [--format chrome|lines] [--seconds n]: records the event
// stream until interrupted (or for n seconds).
#include "cli_context.hpp"

#include "scheduler/trace_recorder.hpp"

#include <csignal>
#include <iostream>
#include <stdexcept>
#include <sys/socket.h>
#include <thread>

namespace snow::system {

namespace {
volatile std::sig_atomic_t stop_requested = 0;
volatile int socket_to_end = -1;
void request_stop(int) {
  stop_requested = 1;
  if (socket_to_end >= 0)
    shutdown(socket_to_end, SHUT_RDWR); // ends the blocking read
}
} // namespace

int command_trace(const CliContext &context, const std::vector<std::string> &args) {
  std::string file, format;
  double seconds = 0;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--format" && i + 1 < args.size())
      format = args[++i];
    else if (args[i] == "--seconds" && i + 1 < args.size())
      seconds = std::stod(args[++i]);
    else
      file = args[i];
  }
  if (file.empty())
    throw std::runtime_error("usage: snow trace <file> [--format chrome|lines] [--seconds n]");
  TraceRecorder recorder(file,
                         format.empty() ? trace_format_for_path(file) : trace_format_named(format));
  BlockingClient client;
  context.connect(client);
  client.request("subscribe");
  socket_to_end = client.native_handle();
  struct sigaction action {};
  action.sa_handler = request_stop;
  sigaction(SIGINT, &action, nullptr); // no SA_RESTART: the blocking read returns
  sigaction(SIGTERM, &action, nullptr);
  if (seconds > 0) {
    std::thread([seconds] {
      std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
      request_stop(0);
    }).detach();
  }
  std::cerr << "snow: recording events to " << file << " (^C ends)\n";
  long count = 0;
  try {
    while (!stop_requested) {
      const Message event = client.next_event();
      recorder.record(event.name, event.time, event.body);
      ++count;
      recorder.flush();
    }
  } catch (const std::exception &) {
    if (!stop_requested)
      throw;
  }
  std::cerr << "snow: " << count << " events recorded\n";
  return 0;
}

} // namespace snow::system
