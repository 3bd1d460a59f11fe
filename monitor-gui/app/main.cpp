// snow-monitor: watch a SnowMigrate cluster, drag processes between hosts,
// read traces. With --export-* it renders a trace file and exits (no window).
#include "diagram_export.hpp"
#include "main_window.hpp"
#include "monitor_session.hpp"
#include "trace_file.hpp"
#include "trace_loader.hpp"

#include <QApplication>
#include <QCommandLineParser>
#include <QSaveFile>

#include <cstdio>
#include <utility>

using namespace snow::monitor;

namespace {
// --time-range FROM:TO, or {0, 0}.
std::pair<double, double> timeRange(const QCommandLineParser &args) {
  const QStringList range = args.value("time-range").split(QLatin1Char(':'));
  return {range.value(0).toDouble(), range.value(1).toDouble()};
}

int exportAndExit(const QCommandLineParser &args) {
  QString error;
  const auto loaded = TraceLoader::loadNow(args.value("trace"), &error);
  if (!loaded) {
    std::fprintf(stderr, "snow-monitor: %s\n", qPrintable(error));
    return 1;
  }
  const QStringList size = args.value("size").split(QLatin1Char('x'));
  QSize pixels(size.value(0).toInt(), size.value(1).toInt());
  if (pixels.isEmpty())
    pixels = QSize(1600, 900);
  const auto [from, to] = timeRange(args);
  int status = 0;
  for (const char *option : {"export-png", "export-svg"}) {
    if (!args.isSet(option))
      continue;
    bool written = false;
    if (to > from) {
      RenderOptions options;
      options.now = loaded->trace.endTime();
      TimeAxis axis;
      axis.setLeft(options.labelWidth);
      axis.fit(from, to, pixels.width() - options.labelWidth);
      written = exportDiagram(args.value(option), pixels, loaded->trace, axis, options, &error);
    } else {
      written = exportWholeDiagram(args.value(option), pixels, loaded->trace, &error);
    }
    if (!written) {
      std::fprintf(stderr, "snow-monitor: %s\n", qPrintable(error));
      status = 1;
    }
  }
  if (args.isSet("export-chrome")) {
    QSaveFile file(args.value("export-chrome"));
    if (!file.open(QIODevice::WriteOnly) || !writeChromeTrace(file, loaded->trace) ||
        !file.commit()) {
      std::fprintf(stderr, "snow-monitor: cannot write %s\n", qPrintable(file.fileName()));
      status = 1;
    }
  }
  return status;
}
} // namespace

int main(int argc, char **argv) {
  bool exportOnly = false;
  for (int i = 1; i < argc; ++i)
    exportOnly = exportOnly || QByteArray(argv[i]).startsWith("--export-") ||
                 QByteArray(argv[i]).startsWith("--screenshot-after-load");
  if (exportOnly && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
    qputenv("QT_QPA_PLATFORM", "offscreen"); // no display needed to render a file
  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("snow-monitor"));

  QCommandLineParser args;
  args.setApplicationDescription(
      QStringLiteral("The SnowMigrate cluster monitor (docs/monitor.md)"));
  args.addHelpOption();
  args.addOptions({
      {"state-dir",
       "The scheduler's state directory (default: $XDG_RUNTIME_DIR/snow or /tmp/snow-<uid>).",
       "dir"},
      {"token-file", "The token file (default: <state-dir>/token).", "file"},
      {"host", "The scheduler's address (default: from scheduler.json, else 127.0.0.1).",
       "address"},
      {"port", "The scheduler's port (default: from <state-dir>/scheduler.json).", "port"},
      {"trace", "Open this trace file (lines or Chrome JSON).", "file"},
      {"export-png", "Render --trace to this PNG and exit.", "file"},
      {"export-svg", "Render --trace to this SVG and exit.", "file"},
      {"export-chrome", "Write --trace as Chrome trace-event JSON and exit.", "file"},
      {"size", "The size of --export-png/--export-svg (default 1600x900).", "WxH"},
      {"time-range", "Show (or export) the seconds FROM to TO of --trace.", "FROM:TO"},
      {"screenshot-after-load", "Save a picture of the window once --trace is shown, and quit.",
       "file"},
      {"geometry-file", "Write the cluster view's chip and card rectangles here (tests).", "file"},
      {"screenshot-after-migration",
       "Save a picture of the window after the next finished migration.", "file"},
  });
  args.process(app);

  if (args.isSet("export-png") || args.isSet("export-svg") || args.isSet("export-chrome")) {
    if (!args.isSet("trace")) {
      std::fprintf(stderr, "snow-monitor: --export-* needs --trace\n");
      return 2;
    }
    return exportAndExit(args);
  }

  SchedulerLocation location;
  location.stateDir = args.value("state-dir");
  location.tokenFile = args.value("token-file");
  location.port = args.value("port").toInt();
  if (args.isSet("host"))
    location.host = args.value("host");
  MonitorSession session(location);
  MainWindow window(&session);
  if (args.isSet("geometry-file"))
    window.setGeometryFile(args.value("geometry-file"));
  if (args.isSet("screenshot-after-migration"))
    window.setScreenshotAfterMigration(args.value("screenshot-after-migration"));
  window.show();
  session.start();
  if (args.isSet("trace")) {
    const auto [from, to] = timeRange(args);
    window.setAfterLoad(from, to, args.value("screenshot-after-load"));
    window.openTrace(args.value("trace"));
  }
  return app.exec();
}
