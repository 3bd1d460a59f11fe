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

using namespace snow::monitor;

namespace {
int exportAndExit(const QCommandLineParser &args) {
  QString error;
  const auto loaded = TraceLoader::loadNow(args.value("trace"), &error);
  if (!loaded) {
    std::fprintf(stderr, "snow-monitor: %s\n", qPrintable(error));
    return 1;
  }
  const QStringList size = args.value("size").split(QLatin1Char('x'));
  const QSize pixels(size.value(0).toInt(), size.value(1).toInt());
  int status = 0;
  for (const char *option : {"export-png", "export-svg"}) {
    if (!args.isSet(option))
      continue;
    if (!exportWholeDiagram(args.value(option), pixels.isEmpty() ? QSize(1600, 900) : pixels,
                            loaded->trace, &error)) {
      std::fprintf(stderr, "snow-monitor: %s\n", qPrintable(error));
      status = 1;
    }
  }
  if (args.isSet("export-chrome")) {
    QSaveFile file(args.value("export-chrome"));
    if (!file.open(QIODevice::WriteOnly) || !writeChromeTrace(file, loaded->trace) || !file.commit()) {
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
    exportOnly = exportOnly || QByteArray(argv[i]).startsWith("--export-");
  if (exportOnly && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
    qputenv("QT_QPA_PLATFORM", "offscreen"); // no display needed to render a file
  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("snow-monitor"));

  QCommandLineParser args;
  args.setApplicationDescription(QStringLiteral("The SnowMigrate cluster monitor (docs/monitor.md)"));
  args.addHelpOption();
  args.addOptions({
      {"state-dir", "The scheduler's state directory (default: $XDG_RUNTIME_DIR/snow or /tmp/snow-<uid>).", "dir"},
      {"token-file", "The token file (default: <state-dir>/token).", "file"},
      {"host", "The scheduler's address (default: from scheduler.json, else 127.0.0.1).", "address"},
      {"port", "The scheduler's port (default: from <state-dir>/scheduler.json).", "port"},
      {"trace", "Open this trace file (lines or Chrome JSON).", "file"},
      {"export-png", "Render --trace to this PNG and exit.", "file"},
      {"export-svg", "Render --trace to this SVG and exit.", "file"},
      {"export-chrome", "Write --trace as Chrome trace-event JSON and exit.", "file"},
      {"size", "The size of --export-png/--export-svg (default 1600x900).", "WxH"},
      {"geometry-file", "Write the cluster view's chip and card rectangles here (tests).", "file"},
      {"screenshot-after-migration", "Save a picture of the window after the next finished migration.", "file"},
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
  if (args.isSet("trace"))
    window.openTrace(args.value("trace"));
  return app.exec();
}
