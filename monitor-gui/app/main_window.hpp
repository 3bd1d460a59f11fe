// The monitor's window: the cluster (cards and chips) beside the migration
// statistics, above the space-time diagram with its legend, replay slider
// and details. Live, it shows the session's models; with a trace file open,
// models rebuilt from the file up to the replay slider's time.
#pragma once

#include "cluster_model.hpp"
#include "migration_stats_model.hpp"
#include "trace_loader.hpp"

#include <QMainWindow>

#include <memory>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSlider;
class QTableView;

namespace snow::monitor {

class ClusterView;
class MonitorSession;
class SpaceTimeView;

class MainWindow : public QMainWindow {
  Q_OBJECT
public:
  explicit MainWindow(MonitorSession *session, QWidget *parent = nullptr);
  ~MainWindow() override;

  void openTrace(const QString &path);
  void setGeometryFile(const QString &path);
  // After the next finished migration, save a picture of the window here.
  void setScreenshotAfterMigration(const QString &path);
  // Once the trace from openTrace() is shown: show [from, to] (if to > from),
  // save a picture of the window to `path` (if set) and quit.
  void setAfterLoad(double from, double to, const QString &screenshot);

private:
  void buildMenus();
  QWidget *buildLegend();
  QWidget *buildReplayBar();
  void showLive();
  void setStatisticsModel(QAbstractItemModel *model);
  void showLoaded(std::shared_ptr<const LoadedTrace> trace);
  void replayTo(double seconds);
  const ExecutionTrace *shownTrace() const;
  void exportDiagram();
  void exportChrome();
  void saveTrace();
  void askToken(const QString &message);
  void runProgram(const QString &host);
  void restartCheckpoint(const QString &host);
  void checkpointProcess(long process);
  void takeScreenshot();

  MonitorSession *session_;
  TraceLoader loader_;
  std::shared_ptr<const LoadedTrace> loaded_;
  ClusterModel replayCluster_;
  MigrationStatsModel replayStatistics_;
  ClusterView *clusterView_;
  QTableView *statisticsView_;
  SpaceTimeView *spaceTime_;
  QPlainTextEdit *details_;
  QWidget *replayBar_;
  QSlider *replaySlider_;
  QLabel *replayLabel_;
  QLabel *connection_;
  QString screenshotPath_;
  QString afterLoadScreenshot_;
  double afterLoadFrom_ = 0, afterLoadTo_ = 0;
  bool askingToken_ = false;
};

} // namespace snow::monitor
