// Records the event stream to a file, in one of two formats:
//   chrome — Chrome trace-event JSON, which Perfetto and chrome://tracing open:
//            each process is a track, its migration phases are slices on it,
//            host load is a counter, everything else an instant event;
//   lines  — one line per event: "<seconds> <event> <data as JSON>".
// Used by the scheduler (--trace) and by `snow trace`.
#pragma once

#include "protocol/message.hpp"

#include <cstdio>
#include <map>
#include <string>

namespace snow::system {

enum class TraceFormat { Chrome, Lines };

// "chrome" or "lines"; from a file name ending in .json → chrome, else lines.
TraceFormat trace_format_named(const std::string &name);
TraceFormat trace_format_for_path(const std::string &path);

class TraceRecorder {
public:
  // Throws std::runtime_error when the file cannot be created.
  TraceRecorder(const std::string &path, TraceFormat format);
  ~TraceRecorder();
  TraceRecorder(const TraceRecorder &) = delete;
  TraceRecorder &operator=(const TraceRecorder &) = delete;

  void record(const std::string &event, double time_seconds, const Json &data);
  void flush();

private:
  void write_chrome(const Json &entry);
  void name_track(long pid, const std::string &name);

  std::FILE *file_;
  TraceFormat format_;
  bool first_ = true;
  std::map<long, std::string> named_tracks_;
  std::map<std::string, long> host_tracks_;
};

} // namespace snow::system
