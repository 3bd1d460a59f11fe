// Reads a trace file and builds its ExecutionTrace in a worker thread; the
// GUI thread gets the finished trace, or an error, by signal.
#pragma once

#include "execution_trace.hpp"

#include <QObject>
#include <QString>

#include <memory>

namespace snow::monitor {

struct LoadedTrace {
  QString path;
  ExecutionTrace trace;
  int skippedLines = 0;
  double seconds = 0; // reading, parsing and building the ExecutionTrace
};

class TraceLoader : public QObject {
  Q_OBJECT
public:
  explicit TraceLoader(QObject *parent = nullptr);
  ~TraceLoader() override;

  // Starts loading; a load still running is abandoned (its result dropped).
  void load(const QString &path);
  bool isLoading() const { return generation_ != finished_; }

  // The same work, synchronously (tests, the command line).
  static std::shared_ptr<LoadedTrace> loadNow(const QString &path, QString *error,
                                              const std::function<void(double)> &progress = {});

signals:
  void progress(double fraction);
  void loaded(std::shared_ptr<const snow::monitor::LoadedTrace> trace);
  void failed(const QString &message);

private:
  int generation_ = 0;
  int finished_ = 0;
};

} // namespace snow::monitor

Q_DECLARE_METATYPE(std::shared_ptr<const snow::monitor::LoadedTrace>)
