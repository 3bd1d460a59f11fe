#include "main_window.hpp"

#include "cluster_view.hpp"
#include "diagram_export.hpp"
#include "monitor_session.hpp"
#include "spacetime_view.hpp"
#include "trace_file.hpp"

#include <QAction>
#include <QCheckBox>
#include <QCoreApplication>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QPlainTextEdit>
#include <QProgressDialog>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollArea>
#include <QSlider>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include <cmath>
#include <cstdio>

namespace snow::monitor {

namespace {
constexpr int kReplaySteps = 1000;

// A small square of the colour a legend entry stands for.
QPixmap swatch(const QColor &colour) {
  QPixmap pixmap(12, 12);
  pixmap.fill(colour);
  return pixmap;
}
} // namespace

MainWindow::MainWindow(MonitorSession *session, QWidget *parent)
    : QMainWindow(parent), session_(session) {
  setWindowTitle(tr("snow-monitor"));
  replayCluster_.setInteractive(false);

  clusterView_ = new ClusterView;
  auto *clusterScroll = new QScrollArea;
  clusterScroll->setWidget(clusterView_);
  clusterScroll->setWidgetResizable(true);
  statisticsView_ = new QTableView;
  statisticsView_->verticalHeader()->hide();
  auto *statisticsBox = new QWidget;
  auto *statisticsLayout = new QVBoxLayout(statisticsBox);
  statisticsLayout->setContentsMargins(0, 0, 0, 0);
  statisticsLayout->addWidget(new QLabel(tr("<b>Migrations</b> (SNOW's Table 1)")));
  statisticsLayout->addWidget(statisticsView_);
  auto *top = new QSplitter(Qt::Horizontal);
  top->addWidget(clusterScroll);
  top->addWidget(statisticsBox);
  top->setStretchFactor(0, 3);
  top->setStretchFactor(1, 2);
  top->setSizes({700, 580});

  spaceTime_ = new SpaceTimeView;
  details_ = new QPlainTextEdit;
  details_->setReadOnly(true);
  details_->setPlaceholderText(tr("Click a message, migration or state for its details."));
  details_->setMaximumWidth(320);
  auto *diagramRow = new QSplitter(Qt::Horizontal);
  diagramRow->addWidget(spaceTime_);
  diagramRow->addWidget(details_);
  diagramRow->setStretchFactor(0, 5);
  auto *bottom = new QWidget;
  auto *bottomLayout = new QVBoxLayout(bottom);
  bottomLayout->setContentsMargins(0, 0, 0, 0);
  bottomLayout->addWidget(buildLegend());
  bottomLayout->addWidget(diagramRow, 1);
  bottomLayout->addWidget(buildReplayBar());

  auto *central = new QSplitter(Qt::Vertical);
  central->addWidget(top);
  central->addWidget(bottom);
  central->setStretchFactor(0, 2);
  central->setStretchFactor(1, 3);
  setCentralWidget(central);

  connection_ = new QLabel(tr("connecting…"));
  statusBar()->addPermanentWidget(connection_);
  buildMenus();

  connect(spaceTime_, &SpaceTimeView::detailsChanged, details_, &QPlainTextEdit::setPlainText);
  connect(clusterView_, &ClusterView::runRequested, this, &MainWindow::runProgram);
  connect(clusterView_, &ClusterView::restartRequested, this, &MainWindow::restartCheckpoint);
  connect(clusterView_, &ClusterView::checkpointRequested, this, &MainWindow::checkpointProcess);
  connect(clusterView_, &ClusterView::killRequested, session_, &MonitorSession::kill);
  connect(session_, &MonitorSession::connectionChanged, this,
          [this](bool, const QString &text) { connection_->setText(text); });
  connect(session_, &MonitorSession::tokenNeeded, this, &MainWindow::askToken);
  connect(session_, &MonitorSession::commandFailed, this,
          [this](const QString &command, const QString &message) {
            statusBar()->showMessage(tr("%1 refused: %2").arg(command, message), 10000);
          });
  connect(session_, &MonitorSession::traceAppended, this, [this] {
    if (!loaded_)
      spaceTime_->traceGrew();
  });
  connect(&loader_, &TraceLoader::loaded, this, &MainWindow::showLoaded);
  connect(&loader_, &TraceLoader::failed, this, [this](const QString &message) {
    if (!afterLoadScreenshot_.isEmpty()) { // no one to click the message box away
      std::fprintf(stderr, "snow-monitor: %s\n", qPrintable(message));
      QCoreApplication::exit(1);
      return;
    }
    QMessageBox::warning(this, tr("Open trace"), message);
  });
  connect(&loader_, &TraceLoader::progress, this, [this](double fraction) {
    statusBar()->showMessage(tr("reading the trace… %1%").arg(int(fraction * 100)));
  });
  showLive();
  resize(1280, 860);
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus() {
  QMenu *file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&Open trace…"), QKeySequence::Open, this, [this] {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open trace"), {}, tr("Traces (*.json *.trace *.txt *.lines);;All files (*)"));
    if (!path.isEmpty())
      openTrace(path);
  });
  file->addAction(tr("Back to the &live cluster"), this, &MainWindow::showLive);
  file->addSeparator();
  file->addAction(tr("Export diagram as PNG or SVG…"), this, &MainWindow::exportDiagram);
  file->addAction(tr("Export Chrome trace (Perfetto)…"), this, &MainWindow::exportChrome);
  file->addAction(tr("Save trace (lines)…"), QKeySequence::Save, this, &MainWindow::saveTrace);
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

  QMenu *view = menuBar()->addMenu(tr("&View"));
  QAction *follow = view->addAction(tr("&Follow live"));
  follow->setCheckable(true);
  follow->setChecked(true);
  connect(follow, &QAction::toggled, spaceTime_, &SpaceTimeView::setFollow);
  connect(spaceTime_, &SpaceTimeView::followChanged, follow, &QAction::setChecked);
  view->addAction(tr("&Fit the whole trace"), this, [this] { spaceTime_->fitAll(); });
  QAction *exited = view->addAction(tr("Show &exited processes"));
  exited->setCheckable(true);
  exited->setChecked(true);
  connect(exited, &QAction::toggled, clusterView_, &ClusterView::setShowExited);
  QAction *run = menuBar()->addAction(tr("&Run…"));
  connect(run, &QAction::triggered, this, [this] { runProgram({}); });
}

QWidget *MainWindow::buildLegend() {
  auto *legend = new QWidget;
  auto *layout = new QHBoxLayout(legend);
  layout->setContentsMargins(4, 2, 4, 2);
  layout->addWidget(new QLabel(tr("<b>Space-time</b>")));
  const struct {
    const char *name;
    unsigned kind;
    QColor colour;
  } entries[] = {
      {"computing", ShowComputing, DiagramPalette::state(ProcessState::Computing)},
      {"waiting", ShowWaiting, DiagramPalette::state(ProcessState::Waiting)},
      {"migrating", ShowMigrating, DiagramPalette::state(ProcessState::Migrating)},
      {"messages", ShowMessages, DiagramPalette::message()},
      {"migrations (collect, transfer, restore)", ShowMigrations,
       DiagramPalette::phase(Phase::Transfer)},
      {"markers (drain, redirect, exit)", ShowMarkers, Qt::black},
  };
  for (const auto &entry : entries) {
    auto *box = new QCheckBox(tr(entry.name));
    box->setChecked(true);
    box->setIcon(swatch(entry.colour));
    const unsigned kind = entry.kind;
    connect(box, &QCheckBox::toggled, this, [this, kind](bool on) {
      spaceTime_->setVisibleKinds(on ? spaceTime_->visibleKinds() | kind
                                     : spaceTime_->visibleKinds() & ~kind);
    });
    layout->addWidget(box);
  }
  layout->addStretch();
  auto *fit = new QPushButton(tr("Fit"));
  connect(fit, &QPushButton::clicked, spaceTime_, &SpaceTimeView::fitAll);
  auto *follow = new QPushButton(tr("Follow"));
  follow->setCheckable(true);
  connect(follow, &QPushButton::toggled, spaceTime_, &SpaceTimeView::setFollow);
  connect(spaceTime_, &SpaceTimeView::followChanged, follow, &QPushButton::setChecked);
  layout->addWidget(fit);
  layout->addWidget(follow);
  return legend;
}

QWidget *MainWindow::buildReplayBar() {
  replayBar_ = new QWidget;
  auto *layout = new QHBoxLayout(replayBar_);
  layout->setContentsMargins(4, 0, 4, 2);
  layout->addWidget(new QLabel(tr("Replay")));
  replaySlider_ = new QSlider(Qt::Horizontal);
  replaySlider_->setRange(0, kReplaySteps);
  layout->addWidget(replaySlider_, 1);
  replayLabel_ = new QLabel;
  replayLabel_->setMinimumWidth(160);
  layout->addWidget(replayLabel_);
  auto *live = new QPushButton(tr("Back to live"));
  connect(live, &QPushButton::clicked, this, &MainWindow::showLive);
  layout->addWidget(live);
  // Rebuilding the cluster as of a time replays the control events: do it
  // when the slider rests, not at every pixel.
  auto *settle = new QTimer(this);
  settle->setSingleShot(true);
  settle->setInterval(60);
  connect(replaySlider_, &QSlider::valueChanged, settle, qOverload<>(&QTimer::start));
  connect(settle, &QTimer::timeout, this, [this] {
    if (!loaded_)
      return;
    const ExecutionTrace &trace = loaded_->trace;
    replayTo(trace.beginTime() +
             (trace.endTime() - trace.beginTime()) * replaySlider_->value() / kReplaySteps);
  });
  replayBar_->hide();
  return replayBar_;
}

void MainWindow::setStatisticsModel(QAbstractItemModel *model) {
  if (QAbstractItemModel *old = statisticsView_->model())
    disconnect(old, nullptr, statisticsView_, nullptr);
  statisticsView_->setModel(model);
  // The header sizes itself to its labels only: fit the columns to new rows.
  connect(model, &QAbstractItemModel::rowsInserted, statisticsView_,
          &QTableView::resizeColumnsToContents);
  connect(model, &QAbstractItemModel::modelReset, statisticsView_,
          &QTableView::resizeColumnsToContents);
  statisticsView_->resizeColumnsToContents();
}

const ExecutionTrace *MainWindow::shownTrace() const {
  return loaded_ ? &loaded_->trace : &session_->trace();
}

void MainWindow::showLive() {
  loaded_.reset();
  clusterView_->setModel(session_->cluster());
  setStatisticsModel(session_->statistics());
  spaceTime_->setTrace(&session_->trace(), true);
  replayBar_->hide();
  setWindowTitle(tr("snow-monitor"));
}

void MainWindow::openTrace(const QString &path) { loader_.load(path); }

void MainWindow::showLoaded(std::shared_ptr<const LoadedTrace> trace) {
  loaded_ = std::move(trace);
  statusBar()->showMessage(tr("%1: %2 events, %3 messages, %4 migrations (read in %5 s)")
                               .arg(loaded_->path)
                               .arg(loaded_->trace.eventCount())
                               .arg(loaded_->trace.messageCount())
                               .arg(loaded_->trace.migrations().size())
                               .arg(loaded_->seconds, 0, 'f', 2),
                           15000);
  setWindowTitle(tr("snow-monitor — %1").arg(loaded_->path));
  clusterView_->setModel(&replayCluster_);
  setStatisticsModel(&replayStatistics_);
  spaceTime_->setTrace(&loaded_->trace, false);
  replayBar_->show();
  replaySlider_->blockSignals(true);
  replaySlider_->setValue(kReplaySteps);
  replaySlider_->blockSignals(false);
  replayTo(loaded_->trace.endTime());
  if (afterLoadTo_ > afterLoadFrom_)
    spaceTime_->showRange(afterLoadFrom_, afterLoadTo_);
  if (!afterLoadScreenshot_.isEmpty()) {
    QTimer::singleShot(300, this, [this] {
      const bool saved = grab().save(afterLoadScreenshot_);
      std::fprintf(saved ? stdout : stderr, "%s %s\n", saved ? "wrote" : "cannot write",
                   qPrintable(afterLoadScreenshot_));
      QCoreApplication::exit(saved ? 0 : 1);
    });
  }
}

void MainWindow::setAfterLoad(double from, double to, const QString &screenshot) {
  afterLoadFrom_ = from;
  afterLoadTo_ = to;
  afterLoadScreenshot_ = screenshot;
}

void MainWindow::replayTo(double seconds) {
  if (!loaded_)
    return;
  replayCluster_.clear();
  replayStatistics_.clear();
  SchedulerEvents upTo;
  for (const SchedulerEvent &event : loaded_->trace.controlEvents()) {
    if (event.time > seconds)
      break;
    upTo.push_back(event);
  }
  replayCluster_.applyEvents(upTo);
  replayStatistics_.applyEvents(upTo);
  spaceTime_->setCutoff(
      seconds >= loaded_->trace.endTime() ? std::numeric_limits<double>::infinity() : seconds);
  replayLabel_->setText(
      tr("%1 s of %2 s").arg(seconds, 0, 'f', 3).arg(loaded_->trace.endTime(), 0, 'f', 3));
}

void MainWindow::exportDiagram() {
  QString filter =
      svgExportAvailable() ? tr("PNG image (*.png);;SVG drawing (*.svg)") : tr("PNG image (*.png)");
  const QString path = QFileDialog::getSaveFileName(this, tr("Export diagram"),
                                                    QStringLiteral("spacetime.png"), filter);
  if (path.isEmpty())
    return;
  QString error;
  RenderOptions options = spaceTime_->renderOptions();
  options.scrollY = 0;
  RowLayout layout;
  layout.build(*shownTrace());
  const QSize size(spaceTime_->viewport()->width(),
                   std::max(static_cast<int>(layout.height()) + 10, 200));
  if (!snow::monitor::exportDiagram(path, size, *shownTrace(), spaceTime_->axis(), options, &error))
    QMessageBox::warning(this, tr("Export diagram"), error);
  else
    statusBar()->showMessage(tr("wrote %1").arg(path), 5000);
}

void MainWindow::exportChrome() {
  const QString path =
      QFileDialog::getSaveFileName(this, tr("Export Chrome trace"), QStringLiteral("trace.json"),
                                   tr("Chrome trace JSON (*.json)"));
  if (path.isEmpty())
    return;
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly) || !writeChromeTrace(file, *shownTrace()) || !file.commit())
    QMessageBox::warning(this, tr("Export Chrome trace"), tr("cannot write %1").arg(path));
}

void MainWindow::saveTrace() {
  const QString path = QFileDialog::getSaveFileName(
      this, tr("Save trace"), QStringLiteral("trace.lines"), tr("Lines trace (*.lines *.txt)"));
  if (path.isEmpty())
    return;
  // The messages live compactly in the trace: write them back as events.
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly)) {
    QMessageBox::warning(this, tr("Save trace"), tr("cannot write %1").arg(path));
    return;
  }
  writeLinesTrace(file, traceEvents(*shownTrace()));
  file.commit();
}

void MainWindow::askToken(const QString &message) {
  if (askingToken_)
    return;
  askingToken_ = true;
  bool ok = false;
  const QString token = QInputDialog::getText(
      this, tr("Scheduler token"),
      tr("%1\nThe token is in <state-dir>/token of the machine that runs snow-scheduler.")
          .arg(message),
      QLineEdit::Password, {}, &ok);
  askingToken_ = false;
  if (ok && !token.trimmed().isEmpty())
    session_->client()->setToken(token.trimmed());
}

void MainWindow::runProgram(const QString &host) {
  bool ok = false;
  const QString line =
      QInputDialog::getText(this, tr("Run"),
                            host.isEmpty() ? tr("Program and arguments:")
                                           : tr("Program and arguments (on %1):").arg(host),
                            QLineEdit::Normal, QStringLiteral("linpack 400 60"), &ok);
  QStringList words = line.split(QLatin1Char(' '), Qt::SkipEmptyParts);
  if (!ok || words.isEmpty())
    return;
  const QString program = words.takeFirst();
  session_->run(program, words, host);
}

void MainWindow::restartCheckpoint(const QString &host) {
  const QString file = QFileDialog::getOpenFileName(this, tr("Restart a checkpoint"), {},
                                                    tr("Checkpoints (*.snow);;All files (*)"));
  if (!file.isEmpty())
    session_->restart(file, host);
}

void MainWindow::checkpointProcess(long process) {
  const QString file = QFileDialog::getSaveFileName(
      this, tr("Checkpoint process %1").arg(process),
      QStringLiteral("/tmp/process-%1.snow").arg(process), tr("Checkpoints (*.snow)"));
  if (!file.isEmpty())
    session_->checkpoint(process, file);
}

void MainWindow::setGeometryFile(const QString &path) { clusterView_->setGeometryFile(path); }

void MainWindow::setScreenshotAfterMigration(const QString &path) {
  screenshotPath_ = path;
  connect(session_->statistics(), &QAbstractItemModel::rowsInserted, this, [this] {
    // Let the chip land and the diagram catch up first.
    QTimer::singleShot(800, this, &MainWindow::takeScreenshot);
  });
}

void MainWindow::takeScreenshot() {
  if (screenshotPath_.isEmpty())
    return;
  if (grab().save(screenshotPath_))
    statusBar()->showMessage(tr("screenshot saved to %1").arg(screenshotPath_), 5000);
}

} // namespace snow::monitor
