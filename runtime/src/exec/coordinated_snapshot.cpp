#include "coordinated_snapshot.hpp"

#include "channel_participant.hpp"
#include "execution_state.hpp"
#include "snow/exec.h"
#include "snow/msr.h"

#include <chrono>
#include <cstdio>
#include <sys/stat.h>
#include <utility>

namespace snow::exec {

namespace {

// The first word of `line` and the rest after one space (control lines are
// single-space separated; a path may contain spaces, so it is the rest).
std::pair<std::string, std::string> split_word(const std::string &line) {
  const std::size_t space = line.find(' ');
  if (space == std::string::npos) return {line, std::string()};
  return {line.substr(0, space), line.substr(space + 1)};
}

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
    const auto [verb, which] = split_word(*line);
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
  const auto [verb, rest] = split_word(request);
  if (verb != "snapshot") return false;
  const auto [round, path] = split_word(rest);
  if (round.empty() || path.empty() || round.find_first_not_of("0123456789") != std::string::npos) {
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
