#include "coordinated_snapshot.hpp"

#include "channel_participant.hpp"
#include "execution_state.hpp"
#include "snow/exec.h"
#include "snow/msr.h"

#include <chrono>
#include <cstdio>
#include <sstream>
#include <sys/stat.h>

namespace snow::exec {

namespace {

enum class Order { Go, Skip, Cancel, Resume, None };

// Waits for the scheduler's next order for `round`; lines about anything
// else are not ours to serve while paused, and are dropped with a word.
Order wait_for_order(const std::string &round, const char *stage) {
  const CheckpointSettings &settings = checkpoint_settings();
  for (;;) {
    const std::optional<std::string> line = wait_control_line(settings.migration_timeout_ms);
    if (!line) {
      notice("snapshot-abandoned " + round + " no order came within " +
             std::to_string(settings.migration_timeout_ms / 1000) + " s while " + stage);
      return Order::None;
    }
    std::istringstream in(*line);
    std::string verb, which;
    in >> verb >> which;
    if (which == round) {
      if (verb == "snapshot-go") return Order::Go;
      if (verb == "snapshot-skip") return Order::Skip;
      if (verb == "snapshot-cancel") return Order::Cancel;
      if (verb == "snapshot-resume") return Order::Resume;
    }
    if (settings.verbose)
      std::fprintf(stderr, "snow: ignoring the control request '%s' during snapshot %s\n", line->c_str(),
                   round.c_str());
  }
}

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

} // namespace

bool serve_snapshot(const std::string &request) {
  std::istringstream in(request);
  std::string verb, round, path;
  in >> verb >> round;
  if (verb != "snapshot") return false;
  std::getline(in >> std::ws, path);
  if (round.empty() || path.empty()) {
    std::fprintf(stderr, "snow: ignoring the malformed control request '%s'\n", request.c_str());
    return true;
  }
  ChannelParticipant *channels = channel_participant();
  std::string why;
  if (channels && !channels->can_quiesce(why)) {
    notice("snapshot-deferred " + round + " " + why);
    defer_to_next_poll(request);
    return true;
  }
  // Output is flushed (snow_poll did): what snowd has counted when it hears
  // this is exactly what came before the checkpoint.
  notice("snapshot-paused " + round + " " + std::to_string(snow_poll_count));
  switch (wait_for_order(round, "paused")) {
  case Order::Go: break;
  case Order::Skip: defer_to_next_poll(request); return true;
  default: return true;  // cancelled or abandoned: carry on
  }
  const auto started = std::chrono::steady_clock::now();
  try {
    if (channels && !channels->quiesce(why)) {
      notice("snapshot-failed " + round + " " + why);
      return true;
    }
  } catch (const std::runtime_error &e) {
    notice("snapshot-failed " + round + " " + e.what());
    return true;
  }
  struct ResumeChannels {
    ChannelParticipant *channels;
    ~ResumeChannels() {
      if (channels) channels->resume_here();
    }
  } resume{channels};
  if (!write_checkpoint(path)) {
    notice("snapshot-failed " + round + " " + snow_last_error());
    return true;
  }
  struct stat st {};
  const long long bytes = stat(path.c_str(), &st) == 0 ? static_cast<long long>(st.st_size) : -1;
  char ms[32];
  std::snprintf(ms, sizeof ms, "%.3f", ms_since(started));
  notice("snapshot-written " + round + " " + std::to_string(bytes) + " " + ms + " " + path);
  // Until every member has written, nobody may send: a message sent now
  // could be drained into a member's checkpoint that this one does not know
  // it sent. The channels stay quiesced, so peers' sends to us queue.
  wait_for_order(round, "written");
  return true;
}

} // namespace snow::exec
