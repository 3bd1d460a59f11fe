// Traces: Chrome trace-event JSON (processes as tracks, migration phases as
// slices) and one line per event.
#include "scheduler/trace_recorder.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace snow::system;

namespace {
std::string temp_path(const char *name) {
  return "/tmp/snow-trace-test-" + std::to_string(getpid()) + name;
}

std::string read_all(const std::string &path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
} // namespace

TEST(TraceRecorder, ChromeTraceIsJsonWithTracksAndSlices) {
  const std::string path = temp_path(".json");
  {
    TraceRecorder trace(path, trace_format_for_path(path));
    trace.record("process-started", 1.0,
                 {{"process", 3}, {"program", "linpack"}, {"host", "x86_64"}});
    trace.record("migration-phase", 2.0,
                 {{"process", 3}, {"migration", 1}, {"phase", "collect"}, {"state", "begin"}});
    trace.record("migration-phase", 2.5,
                 {{"process", 3},
                  {"migration", 1},
                  {"phase", "collect"},
                  {"state", "end"},
                  {"ms", 300.0},
                  {"bytes", 99}});
    trace.record("host-load", 3.0, {{"host", "s390x"}, {"load", 1.5}, {"processes", 1}});
  }
  const Json doc = Json::parse(read_all(path));
  ASSERT_TRUE(doc.is_array());
  bool track = false, slice = false, counter = false;
  for (const Json &e : doc) {
    if (e["ph"] == "M" && e["pid"] == 3)
      track = e["args"]["name"] == "p3 linpack";
    if (e["ph"] == "X") {
      slice = true;
      EXPECT_EQ(e["name"], "collect");
      EXPECT_DOUBLE_EQ(e["ts"].get<double>(), 2.2e6);
      EXPECT_DOUBLE_EQ(e["dur"].get<double>(), 0.3e6);
    }
    counter = counter || e["ph"] == "C";
  }
  EXPECT_TRUE(track);
  EXPECT_TRUE(slice);
  EXPECT_TRUE(counter);
  unlink(path.c_str());
}

TEST(TraceRecorder, LinesFormatHasOneLinePerEvent) {
  const std::string path = temp_path(".log");
  {
    TraceRecorder trace(path, trace_format_for_path(path));
    trace.record("host-joined", 0.5, {{"host", "ppc"}});
    trace.record("process-exited", 1.25, {{"process", 1}, {"status", 0}});
  }
  EXPECT_EQ(read_all(path), "0.500000 host-joined {\"host\":\"ppc\"}\n1.250000 process-exited "
                            "{\"process\":1,\"status\":0}\n");
  unlink(path.c_str());
}

TEST(TraceRecorder, UnknownFormatIsAnError) {
  EXPECT_THROW(trace_format_named("xml"), std::runtime_error);
}
