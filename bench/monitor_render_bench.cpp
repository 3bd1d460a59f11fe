// snow-monitor's space-time diagram, rendered offscreen from a synthetic
// trace of about 1,000,000 events at several zoom levels: the median time
// of a frame at each, against the 16 ms goal (docs/performance.md).
//
//   snow-monitor-bench [--events N] [--frames N] [--size WxH] [--write-trace FILE]
// --frames 0 only writes the trace (tests and screenshots use it).
#include "execution_trace.hpp"
#include "row_layout.hpp"
#include "spacetime_renderer.hpp"
#include "synthetic_trace.hpp"
#include "time_axis.hpp"
#include "trace_file.hpp"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QGuiApplication>
#include <QImage>
#include <QPainter>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace snow::monitor;

int main(int argc, char **argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
    qputenv("QT_QPA_PLATFORM", "offscreen");
  QGuiApplication app(argc, argv);
  QCommandLineParser args;
  args.addOptions({{"events", "Events in the synthetic trace.", "n", "1000000"},
                   {"processes", "Processes (ranks).", "n", "16"},
                   {"frames", "Frames per zoom level.", "n", "21"},
                   {"size", "Frame size.", "WxH", "1600x900"},
                   {"write-trace", "Also write the trace (lines format) here.", "file"}});
  args.addHelpOption();
  args.process(app);

  SyntheticTraceShape shape;
  shape.events = args.value("events").toInt();
  shape.processes = args.value("processes").toInt();
  shape.migrations = 12;
  QElapsedTimer timer;
  timer.start();
  const SchedulerEvents events = syntheticTrace(shape);
  const double generateMs = timer.nsecsElapsed() / 1e6;
  timer.restart();
  ExecutionTrace trace;
  trace.appendAll(events);
  trace.finish();
  const double buildMs = timer.nsecsElapsed() / 1e6;
  std::printf("trace: %lld events, %zu messages, %zu processes, %zu migrations, %.3f s long\n",
              static_cast<long long>(events.size()), trace.messageCount(), trace.rows().size(),
              trace.migrations().size(), trace.endTime() - trace.beginTime());
  std::printf("generate %.0f ms, build the ExecutionTrace %.0f ms (%.2f us/event)\n", generateMs,
              buildMs, buildMs * 1000 / events.size());
  if (args.isSet("write-trace")) {
    QFile file(args.value("write-trace"));
    if (!file.open(QIODevice::WriteOnly) || !writeLinesTrace(file, events)) {
      std::fprintf(stderr, "cannot write %s\n", qPrintable(file.fileName()));
      return 1;
    }
  }

  const int frames = args.value("frames").toInt();
  if (frames <= 0)
    return 0; // --frames 0: only generate (and write) the trace
  const QStringList size = args.value("size").split(QLatin1Char('x'));
  const QSize pixels(size.value(0).toInt(), size.value(1).toInt());
  QImage image(pixels, QImage::Format_ARGB32_Premultiplied);
  RowLayout layout;
  layout.build(trace);
  RenderOptions options;
  options.now = trace.endTime();
  const double plotWidth = pixels.width() - options.labelWidth;
  const double length = trace.endTime() - trace.beginTime();
  struct Level {
    const char *name;
    double window;
  } levels[] = {{"whole trace", length},   {"1/10", length / 10}, {"1/100", length / 100},
                {"1/1000", length / 1000}, {"10 ms", 0.01},       {"1 ms", 0.001}};
  std::printf("\n%-12s %12s %10s %10s %8s %8s  %s\n", "zoom", "window (s)", "median ms", "max ms",
              "arrows", "rects", "goal <= 16 ms");
  bool pass = true;
  for (const Level &level : levels) {
    TimeAxis axis;
    axis.setLeft(options.labelWidth);
    const double middle = trace.beginTime() + length / 2;
    std::vector<double> times;
    RenderStats stats;
    for (int f = 0; f < frames; ++f) {
      // Pan a little every frame, as a person scrolling would.
      const double from = middle - level.window / 2 + f * level.window / (4 * frames);
      axis.fit(from, from + level.window, plotWidth);
      QPainter painter(&image);
      painter.setRenderHint(QPainter::Antialiasing);
      timer.restart();
      stats = SpaceTimeRenderer::paint(painter, QRectF(QPointF(0, 0), pixels), trace, layout, axis,
                                       options);
      painter.end();
      times.push_back(timer.nsecsElapsed() / 1e6);
    }
    std::sort(times.begin(), times.end());
    const double median = times[times.size() / 2];
    pass = pass && median <= 16;
    std::printf("%-12s %12.6f %10.2f %10.2f %8zu %8zu  %s\n", level.name, level.window, median,
                times.back(), stats.arrows, stats.stateRects, median <= 16 ? "PASS" : "FAIL");
  }
  return pass ? 0 : 3;
}
