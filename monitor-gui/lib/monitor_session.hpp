// A live session with one scheduler: the client in its own thread, and the
// models the views show — the cluster, the migration statistics and the
// execution trace that the space-time diagram draws. It asks for the hosts
// and processes at every (re)connection, turns model requests (a drop) into
// commands, and routes replies back to what asked.
#pragma once

#include "cluster_model.hpp"
#include "execution_trace.hpp"
#include "migration_stats_model.hpp"
#include "scheduler_client.hpp"

#include <QHash>
#include <QObject>
#include <QThread>

namespace snow::monitor {

class MonitorSession : public QObject {
  Q_OBJECT
public:
  explicit MonitorSession(const SchedulerLocation &location, QObject *parent = nullptr);
  ~MonitorSession() override;

  ClusterModel *cluster() { return &cluster_; }
  MigrationStatsModel *statistics() { return &statistics_; }
  const ExecutionTrace &trace() const { return trace_; }
  SchedulerClient *client() { return client_; }
  bool isConnected() const { return connected_; }

  void start();

  // Commands; a refusal comes back as commandFailed().
  void migrate(long process, const QString &host);
  void run(const QString &program, const QStringList &args, const QString &on = {});
  void checkpoint(long process, const QString &file);
  void restart(const QString &file, const QString &on = {}, const QString &program = {});
  void kill(long process, int signal = 15);

signals:
  void connectionChanged(bool connected, const QString &text);
  void tokenNeeded(const QString &message);
  void traceAppended();
  void commandFailed(const QString &command, const QString &message);

private:
  struct Pending {
    QString command;
    long process = -1;
  };
  void send(const QString &command, const QJsonObject &args, long process = -1);
  void onConnected(const QString &server);
  void onReplied(qint64 id, bool ok, const QJsonObject &body);
  void onEvents(const SchedulerEvents &incoming);

  QThread thread_;
  SchedulerClient *client_;
  ClusterModel cluster_;
  MigrationStatsModel statistics_;
  ExecutionTrace trace_;
  QHash<qint64, Pending> pending_;
  QJsonArray seedProcesses_; // listed before any event gave us the time
  bool connected_ = false;
  bool freshConnection_ = false;
  double timeOffset_ = 0;
};

} // namespace snow::monitor
