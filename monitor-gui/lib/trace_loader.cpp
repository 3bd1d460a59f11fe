#include "trace_loader.hpp"

#include "trace_file.hpp"

#include <QElapsedTimer>
#include <QFile>
#include <QPointer>
#include <QThread>

namespace snow::monitor {

TraceLoader::TraceLoader(QObject *parent) : QObject(parent) {
  qRegisterMetaType<std::shared_ptr<const LoadedTrace>>();
}

TraceLoader::~TraceLoader() = default;

std::shared_ptr<LoadedTrace> TraceLoader::loadNow(const QString &path, QString *error,
                                                  const std::function<void(double)> &progress) {
  QElapsedTimer timer;
  timer.start();
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) {
    *error = QStringLiteral("cannot open %1: %2").arg(path, file.errorString());
    return nullptr;
  }
  auto result = std::make_shared<LoadedTrace>();
  result->path = path;
  *error = readTraceInto(file, result->trace, &result->skippedLines, progress);
  if (!error->isEmpty())
    return nullptr;
  result->trace.finish();
  result->seconds = timer.nsecsElapsed() / 1e9;
  return result;
}

void TraceLoader::load(const QString &path) {
  const int generation = ++generation_;
  QPointer<TraceLoader> self(this);
  QThread *worker = QThread::create([self, path, generation] {
    QString error;
    auto report = [self, generation](double fraction) {
      QMetaObject::invokeMethod(
          self,
          [self, generation, fraction] {
            if (self && self->generation_ == generation)
              emit self->progress(fraction);
          },
          Qt::QueuedConnection);
    };
    std::shared_ptr<const LoadedTrace> trace = loadNow(path, &error, report);
    QMetaObject::invokeMethod(
        self,
        [self, generation, trace, error] {
          if (!self || self->generation_ != generation)
            return;
          self->finished_ = generation;
          if (trace)
            emit self->loaded(trace);
          else
            emit self->failed(error);
        },
        Qt::QueuedConnection);
  });
  connect(worker, &QThread::finished, worker, &QObject::deleteLater);
  worker->start();
}

} // namespace snow::monitor
