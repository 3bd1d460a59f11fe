// The session against a fake snow-scheduler (a QWebSocketServer in the
// test): hello with the token from the state directory, the cluster listed,
// a drop through the model's dropMimeData arriving as the right `migrate`,
// refusals and events coming back to the models, a wrong token asked for,
// and a reconnection to a restarted scheduler on another port.
#include "monitor_session.hpp"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMimeData>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

#include <memory>

using namespace snow::monitor;

namespace {
const QString kToken =
    QStringLiteral("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");

class FakeScheduler : public QObject {
public:
  QWebSocketServer server{QStringLiteral("fake"), QWebSocketServer::NonSecureMode};
  QList<QJsonObject> commands; // every command received, hello included
  QWebSocket *client = nullptr;
  bool refuseMigrations = false;

  explicit FakeScheduler(const QString &stateDir) {
    if (!server.listen(QHostAddress::LocalHost))
      qFatal("cannot listen");
    connect(&server, &QWebSocketServer::newConnection, this, [this] {
      client = server.nextPendingConnection();
      connect(client, &QWebSocket::textMessageReceived, this,
              [this](const QString &text) { onText(text); });
    });
    QFile info(stateDir + "/scheduler.json");
    info.open(QIODevice::WriteOnly);
    info.write(QJsonDocument(
                   QJsonObject{{"port", server.serverPort()}, {"pid", 1}, {"listen", "127.0.0.1"}})
                   .toJson());
    QFile token(stateDir + "/token");
    token.open(QIODevice::WriteOnly);
    token.write(kToken.toLatin1() + "\n");
  }

  QList<QJsonObject> named(const char *cmd) const {
    QList<QJsonObject> found;
    for (const QJsonObject &c : commands)
      if (c.value("cmd").toString() == QLatin1String(cmd))
        found << c;
    return found;
  }

  void send(const QJsonObject &message) {
    client->sendTextMessage(
        QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact)));
  }
  void event(double time, const char *name, const QJsonObject &data) {
    send({{"v", 1}, {"event", name}, {"time", time}, {"data", data}});
  }

private:
  void reply(const QJsonObject &request, const QJsonObject &result) {
    send({{"v", 1}, {"id", request.value("id")}, {"ok", true}, {"result", result}});
  }
  void refuse(const QJsonObject &request, const char *code, const QString &message) {
    send({{"v", 1},
          {"id", request.value("id")},
          {"ok", false},
          {"error", QJsonObject{{"code", code}, {"message", message}}}});
  }

  void onText(const QString &text) {
    const QJsonObject request = QJsonDocument::fromJson(text.toUtf8()).object();
    commands << request;
    const QString cmd = request.value("cmd").toString();
    const QJsonObject args = request.value("args").toObject();
    if (cmd == QLatin1String("hello")) {
      if (args.value("token").toString() != kToken) {
        refuse(request, "bad-token", "wrong token");
        client->close();
        return;
      }
      reply(request, {{"server", "snow-scheduler"}, {"api", 1}});
    } else if (cmd == QLatin1String("list-hosts")) {
      reply(request, {{"hosts", QJsonArray{QJsonObject{{"name", "x86_64"},
                                                       {"platform", "x86_64"},
                                                       {"byte_order", "little"},
                                                       {"word_size", 8},
                                                       {"cpus", 2}},
                                           QJsonObject{{"name", "s390x"},
                                                       {"platform", "s390x"},
                                                       {"byte_order", "big"},
                                                       {"word_size", 8},
                                                       {"cpus", 2}}}}});
    } else if (cmd == QLatin1String("list-processes")) {
      reply(request, {{"processes", QJsonArray{QJsonObject{{"id", 7},
                                                           {"program", "snow-migratable-linpack"},
                                                           {"args", QJsonArray{"400", "60"}},
                                                           {"host", "x86_64"},
                                                           {"state", "running"},
                                                           {"pid", 4711},
                                                           {"age", 2.0}}}}});
    } else if (cmd == QLatin1String("subscribe")) {
      reply(request, {{"subscribed", QJsonArray{}}});
    } else if (cmd == QLatin1String("migrate")) {
      if (refuseMigrations) {
        refuse(request, "already-migrating",
               "process 7 is already migrating (migration 1 is in flight)");
        return;
      }
      reply(request,
            {{"migration", 1}, {"process", 7}, {"from", "x86_64"}, {"to", args.value("host")}});
      const QJsonObject m{{"migration", 1},
                          {"process", 7},
                          {"program", "snow-migratable-linpack"},
                          {"from", "x86_64"},
                          {"to", args.value("host")}};
      event(5.0, "migration-started", m);
      event(5.0, "migration-phase",
            {{"migration", 1}, {"process", 7}, {"phase", "collect"}, {"state", "begin"}});
      QJsonObject done = m;
      done.insert("bytes", 8022991);
      done.insert("collect_ms", 4.7);
      done.insert("transfer_ms", 2.7);
      done.insert("restore_ms", 28.9);
      done.insert("total_ms", 34.2);
      event(5.04, "migration-done", done);
    }
  }
};

void drop(ClusterModel *model, long process, const QString &host) {
  std::unique_ptr<QMimeData> mime(model->mimeData({model->processIndex(process)}));
  QVERIFY(mime);
  QVERIFY(model->dropMimeData(mime.get(), Qt::MoveAction, -1, 0, model->hostIndex(host)));
}

QString hostOf(ClusterModel *model, long process) {
  return model->processIndex(process).parent().data(ClusterModel::NameRole).toString();
}
} // namespace

class SchedulerTest : public QObject {
  Q_OBJECT
private slots:
  void aDropBecomesAMigrateRequest() {
    QTemporaryDir state;
    FakeScheduler scheduler(state.path());
    SchedulerLocation location;
    location.stateDir = state.path();
    MonitorSession session(location);
    session.start();
    QTRY_VERIFY(session.isConnected());
    QTRY_COMPARE(session.cluster()->rowCount(), 2);
    QTRY_VERIFY(session.cluster()->processIndex(7).isValid());
    const QJsonObject hello = scheduler.named("hello").value(0);
    QCOMPARE(hello.value("v").toInt(), 1);
    QCOMPARE(hello.value("args").toObject(), QJsonObject({{"token", kToken}, {"role", "client"}}));

    drop(session.cluster(), 7, "s390x");
    QTRY_COMPARE(scheduler.named("migrate").size(), 1);
    const QJsonObject migrate = scheduler.named("migrate").first();
    QCOMPARE(migrate.value("v").toInt(), 1);
    QVERIFY(migrate.contains("id"));
    QCOMPARE(migrate.value("args").toObject(), QJsonObject({{"process", 7}, {"host", "s390x"}}));

    // The events come back: the process lands on s390x, the table fills,
    // the diagram gets its migration.
    QTRY_COMPARE(hostOf(session.cluster(), 7), QStringLiteral("s390x"));
    QTRY_COMPARE(session.statistics()->rowCount(), 1);
    QCOMPARE(session.trace().migrations().size(), std::size_t(1));
    QVERIFY(session.trace().migrations()[0].done);
    const int row = session.trace().rowOf(7);
    QVERIFY(row >= 0); // from list-processes, before any process event
    QCOMPARE(session.trace().hosts()[session.trace().hostAt(row, 6.0)], QStringLiteral("s390x"));
  }

  void aRefusalShowsOnTheProcess() {
    QTemporaryDir state;
    FakeScheduler scheduler(state.path());
    scheduler.refuseMigrations = true;
    SchedulerLocation location;
    location.stateDir = state.path();
    MonitorSession session(location);
    QSignalSpy failed(&session, &MonitorSession::commandFailed);
    session.start();
    QTRY_VERIFY(session.cluster()->processIndex(7).isValid());
    drop(session.cluster(), 7, "s390x");
    QTRY_COMPARE(failed.size(), 1);
    QCOMPARE(failed[0][0].toString(), QStringLiteral("migrate"));
    QCOMPARE(session.cluster()->processIndex(7).data(ClusterModel::FailureRole).toString(),
             QStringLiteral("refused: process 7 is already migrating (migration 1 is in flight)"));
    QCOMPARE(hostOf(session.cluster(), 7), QStringLiteral("x86_64"));
  }

  void aWrongTokenIsAskedFor() {
    QTemporaryDir state;
    FakeScheduler scheduler(state.path());
    QFile token(state.path() + "/token");
    QVERIFY(token.open(QIODevice::WriteOnly));
    token.write("not-the-token\n");
    token.close();
    SchedulerLocation location;
    location.stateDir = state.path();
    MonitorSession session(location);
    QSignalSpy needed(&session, &MonitorSession::tokenNeeded);
    session.start();
    QTRY_VERIFY(needed.size() >= 1);
    QCOMPARE(needed[0][0].toString(), QStringLiteral("wrong token"));
    QVERIFY(!session.isConnected());
    session.client()->setToken(kToken); // what the person typed
    QTRY_VERIFY(session.isConnected());
  }

  void itReconnectsToARestartedScheduler() {
    QTemporaryDir state;
    SchedulerLocation location;
    location.stateDir = state.path();
    auto first = std::make_unique<FakeScheduler>(state.path());
    MonitorSession session(location);
    QSignalSpy changes(&session, &MonitorSession::connectionChanged);
    session.start();
    QTRY_VERIFY(session.isConnected());
    first->event(1.0, "host-load", {{"host", "x86_64"}, {"load", 0.5}, {"processes", 1}});
    QTRY_COMPARE(session.trace().eventCount(), std::size_t(2)); // the listed process, the load
    first.reset();                                              // the scheduler dies
    QTRY_VERIFY(!session.isConnected());
    // A new one, on another port, with a new scheduler.json.
    FakeScheduler second(state.path());
    QTRY_VERIFY_WITH_TIMEOUT(session.isConnected(), 10000);
    QCOMPARE(second.named("hello").size(), 1);
    QTRY_VERIFY(session.cluster()->processIndex(7).isValid());
    // Its clock starts again: its events go after the old ones.
    second.event(0.5, "host-load", {{"host", "x86_64"}, {"load", 0.5}, {"processes", 1}});
    QTRY_VERIFY(session.trace().endTime() > 1.0);
  }
};

QTEST_GUILESS_MAIN(SchedulerTest)
#include "scheduler_test.moc"
