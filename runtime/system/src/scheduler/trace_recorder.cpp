#include "trace_recorder.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace snow::system {

namespace {
// Track ids: processes keep their own ids; the scheduler and the hosts'
// counters live far above them.
constexpr long kSchedulerTrack = 1000000;
constexpr double kMicroseconds = 1e6;
} // namespace

TraceFormat trace_format_named(const std::string &name) {
  if (name == "chrome")
    return TraceFormat::Chrome;
  if (name == "lines")
    return TraceFormat::Lines;
  throw std::runtime_error("unknown trace format '" + name + "'; use chrome or lines");
}

TraceFormat trace_format_for_path(const std::string &path) {
  const std::string json = ".json";
  const bool is_json =
      path.size() >= json.size() && path.compare(path.size() - json.size(), json.size(), json) == 0;
  return is_json ? TraceFormat::Chrome : TraceFormat::Lines;
}

TraceRecorder::TraceRecorder(const std::string &path, TraceFormat format)
    : file_(std::fopen(path.c_str(), "w")), format_(format) {
  if (!file_)
    throw std::runtime_error("cannot create the trace '" + path + "': " + std::strerror(errno));
  if (format_ == TraceFormat::Chrome) {
    std::fputs("[\n", file_);
    name_track(kSchedulerTrack, "snow-scheduler");
  }
}

TraceRecorder::~TraceRecorder() {
  if (format_ == TraceFormat::Chrome)
    std::fputs("\n]\n", file_);
  std::fclose(file_);
}

void TraceRecorder::flush() { std::fflush(file_); }

void TraceRecorder::write_chrome(const Json &entry) {
  std::fputs(first_ ? "" : ",\n", file_);
  first_ = false;
  const std::string text = entry.dump(-1, ' ', false, Json::error_handler_t::replace);
  std::fputs(text.c_str(), file_);
}

void TraceRecorder::name_track(long pid, const std::string &name) {
  if (named_tracks_[pid] == name)
    return;
  named_tracks_[pid] = name;
  write_chrome({{"ph", "M"},
                {"name", "process_name"},
                {"pid", pid},
                {"tid", 0},
                {"args", {{"name", name}}}});
}

void TraceRecorder::record(const std::string &event, double time_seconds, const Json &data) {
  if (format_ == TraceFormat::Lines) {
    const std::string text = data.dump(-1, ' ', false, Json::error_handler_t::replace);
    std::fprintf(file_, "%.6f %s %s\n", time_seconds, event.c_str(), text.c_str());
    return;
  }
  const double ts = time_seconds * kMicroseconds;
  if (data.contains("process") && data["process"].is_number_integer()) {
    const long pid = data["process"].get<long>();
    if (data.contains("program") && data["program"].is_string())
      name_track(pid, "p" + std::to_string(pid) + " " + data["program"].get<std::string>());
    if (event == "migration-phase" && data.value("state", "") == "end") {
      // A finished phase becomes a slice ending now, as long as it took.
      const double ms = data.value("ms", 0.0);
      write_chrome({{"ph", "X"},
                    {"name", data.value("phase", "phase")},
                    {"cat", "migration"},
                    {"pid", pid},
                    {"tid", 0},
                    {"ts", ts - ms * 1e3},
                    {"dur", ms * 1e3},
                    {"args", data}});
      return;
    }
    if (event == "migration-phase")
      return; // the begin is implied by the slice
    write_chrome({{"ph", "i"},
                  {"s", "p"},
                  {"name", event},
                  {"pid", pid},
                  {"tid", 0},
                  {"ts", ts},
                  {"args", data}});
    return;
  }
  if (event == "host-load" && data.contains("host")) {
    write_chrome(
        {{"ph", "C"},
         {"name", "load " + data["host"].get<std::string>()},
         {"pid", kSchedulerTrack},
         {"ts", ts},
         {"args", {{"processes", data.value("processes", 0)}, {"load", data.value("load", 0.0)}}}});
    return;
  }
  write_chrome({{"ph", "i"},
                {"s", "g"},
                {"name", event},
                {"pid", kSchedulerTrack},
                {"tid", 0},
                {"ts", ts},
                {"args", data}});
}

} // namespace snow::system
