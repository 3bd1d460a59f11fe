#include "monitor_session.hpp"

#include <QJsonArray>

#include <algorithm>

namespace snow::monitor {

MonitorSession::MonitorSession(const SchedulerLocation &location, QObject *parent)
    : QObject(parent), client_(new SchedulerClient(location)) {
  thread_.setObjectName(QStringLiteral("scheduler-client"));
  client_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, client_, &QObject::deleteLater);
  connect(client_, &SchedulerClient::connectedToScheduler, this, &MonitorSession::onConnected);
  connect(client_, &SchedulerClient::disconnectedFromScheduler, this, [this](const QString &why) {
    connected_ = false;
    emit connectionChanged(false, why);
  });
  connect(client_, &SchedulerClient::authenticationFailed, this, &MonitorSession::tokenNeeded);
  connect(client_, &SchedulerClient::replied, this, &MonitorSession::onReplied);
  connect(client_, &SchedulerClient::eventsReceived, this, &MonitorSession::onEvents);
  connect(&cluster_, &ClusterModel::migrateRequested, this, &MonitorSession::migrate);
}

MonitorSession::~MonitorSession() {
  if (thread_.isRunning()) {
    QMetaObject::invokeMethod(client_, &SchedulerClient::stop, Qt::BlockingQueuedConnection);
    thread_.quit();
    thread_.wait();
  } else {
    delete client_;
  }
}

void MonitorSession::start() {
  thread_.start();
  QMetaObject::invokeMethod(client_, &SchedulerClient::start, Qt::QueuedConnection);
}

void MonitorSession::send(const QString &command, const QJsonObject &args, long process) {
  pending_.insert(client_->request(command, args), Pending{command, process});
}

void MonitorSession::migrate(long process, const QString &host) {
  send(QStringLiteral("migrate"), {{"process", double(process)}, {"host", host}}, process);
}

void MonitorSession::run(const QString &program, const QStringList &args, const QString &on) {
  QJsonObject request{{"program", program}, {"args", QJsonArray::fromStringList(args)}};
  if (!on.isEmpty())
    request.insert("on", on);
  send(QStringLiteral("run"), request);
}

void MonitorSession::checkpoint(long process, const QString &file) {
  send(QStringLiteral("checkpoint"), {{"process", double(process)}, {"file", file}}, process);
}

void MonitorSession::restart(const QString &file, const QString &on, const QString &program) {
  QJsonObject request{{"file", file}};
  if (!on.isEmpty())
    request.insert("on", on);
  if (!program.isEmpty())
    request.insert("program", program);
  send(QStringLiteral("restart"), request);
}

void MonitorSession::kill(long process, int signal) {
  send(QStringLiteral("kill"), {{"process", double(process)}, {"signal", signal}}, process);
}

void MonitorSession::onConnected(const QString &server) {
  connected_ = true;
  freshConnection_ = true;
  // The scheduler's view replaces ours: a restarted scheduler knows none of
  // the old processes.
  cluster_.clear();
  send(QStringLiteral("subscribe"), {});
  send(QStringLiteral("list-hosts"), {});
  send(QStringLiteral("list-processes"), {});
  emit connectionChanged(true, QStringLiteral("connected to %1").arg(server));
}

void MonitorSession::onReplied(qint64 id, bool ok, const QJsonObject &body) {
  const Pending request = pending_.take(id);
  if (!ok) {
    const QString message = body.value("message").toString(body.value("code").toString());
    if (request.command == QLatin1String("migrate") && request.process >= 0)
      cluster_.migrationRefused(request.process, message);
    emit commandFailed(request.command, message);
    return;
  }
  if (request.command == QLatin1String("list-hosts")) {
    cluster_.setHosts(body.value("hosts").toArray());
  } else if (request.command == QLatin1String("list-processes")) {
    const QJsonArray processes = body.value("processes").toArray();
    cluster_.setProcesses(processes);
    seedProcesses_ = processes;
  }
}

void MonitorSession::onEvents(const SchedulerEvents &incoming) {
  if (incoming.isEmpty())
    return;
  SchedulerEvents events = incoming;
  if (freshConnection_) {
    freshConnection_ = false;
    // A restarted scheduler counts time and process ids from the start
    // again: keep its events after the old ones, on rows of their own.
    if (trace_.eventCount() > 0 && events.front().time + timeOffset_ < trace_.endTime()) {
      timeOffset_ = trace_.endTime();
      trace_.startNewEpoch();
    }
  }
  for (SchedulerEvent &event : events)
    event.time += timeOffset_;
  // Processes that ran before we connected get a row from their start on.
  for (const auto &value : std::as_const(seedProcesses_)) {
    const QJsonObject p = value.toObject();
    if (p.value("state").toString() == QLatin1String("exited") ||
        trace_.rowOf(static_cast<long>(p.value("id").toDouble())) >= 0)
      continue;
    QJsonObject data{{"process", p.value("id")},
                     {"program", p.value("program")},
                     {"host", p.value("host")},
                     {"pid", p.value("pid")}};
    for (const char *field : {"group", "rank"})
      if (p.contains(field))
        data.insert(field, p.value(field));
    trace_.append({std::max(0.0, events.front().time - p.value("age").toDouble()),
                   QStringLiteral("process-started"), data});
  }
  seedProcesses_ = {};
  trace_.appendAll(events);
  cluster_.applyEvents(incoming);
  statistics_.applyEvents(incoming);
  emit traceAppended();
}

} // namespace snow::monitor
