// The cluster and statistics models, checked by QAbstractItemModelTester
// through a cluster's life: hosts join and leave, processes start, migrate
// (moving between hosts), fail to migrate, exit; drops are migrate requests.
#include "cluster_model.hpp"
#include "migration_stats_model.hpp"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QMimeData>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace snow::monitor;

namespace {
QJsonObject host(const char *name, const char *platform, const char *order, int wordSize) {
  return {{"name", name}, {"platform", platform}, {"byte_order", order}, {"word_size", wordSize},
          {"cpus", 2},    {"load", 0.5},          {"processes", 0}};
}

SchedulerEvent makeEvent(const char *name, QJsonObject data, double time = 1) {
  return {time, QString::fromLatin1(name), data};
}

QJsonObject migration(const char *from, const char *to, QJsonObject extra = {}) {
  QJsonObject data{{"migration", 1},
                   {"process", 7},
                   {"program", "snow-migratable-linpack"},
                   {"from", from},
                   {"to", to}};
  for (auto it = extra.begin(); it != extra.end(); ++it)
    data.insert(it.key(), it.value());
  return data;
}
} // namespace

class ModelsTest : public QObject {
  Q_OBJECT
private:
  std::unique_ptr<ClusterModel> model;
  std::unique_ptr<QAbstractItemModelTester> tester;

  QString hostOf(long process) const {
    return model->processIndex(process).parent().data(ClusterModel::NameRole).toString();
  }

private slots:
  void init() {
    model = std::make_unique<ClusterModel>();
    tester = std::make_unique<QAbstractItemModelTester>(
        model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    model->setHosts({host("x86_64", "x86_64", "little", 8), host("s390x", "s390x", "big", 8)});
    model->setProcesses({QJsonObject{{"id", 7},
                                     {"program", "snow-migratable-linpack"},
                                     {"args", QJsonArray{"400", "60"}},
                                     {"host", "x86_64"},
                                     {"state", "running"},
                                     {"pid", 4711}}});
  }
  void cleanup() {
    tester.reset();
    model.reset();
  }

  void hostsAndProcessesAreATree() {
    QCOMPARE(model->rowCount(), 2);
    const QModelIndex x86 = model->hostIndex("x86_64");
    QCOMPARE(model->rowCount(x86), 1);
    QCOMPARE(x86.data(ClusterModel::ByteOrderRole).toString(), QStringLiteral("little"));
    QCOMPARE(model->hostIndex("s390x").data(Qt::DisplayRole).toString(),
             QStringLiteral("s390x (s390x, big-endian, 64-bit)"));
    const QModelIndex p = model->processIndex(7);
    QCOMPARE(p.parent(), x86);
    QCOMPARE(p.data(Qt::DisplayRole).toString(), QStringLiteral("7 linpack"));
    QCOMPARE(p.data(ClusterModel::ArgsRole).toStringList(), QStringList({"400", "60"}));
    QVERIFY(model->flags(p) & Qt::ItemIsDragEnabled);
    QVERIFY(model->flags(x86) & Qt::ItemIsDropEnabled);
  }

  void aDropOnAnotherHostRequestsAMigration() {
    QSignalSpy requested(model.get(), &ClusterModel::migrateRequested);
    std::unique_ptr<QMimeData> mime(model->mimeData({model->processIndex(7)}));
    QVERIFY(mime);
    QVERIFY(mime->hasFormat(ClusterModel::kProcessMimeType));
    // On its own host: nothing to do.
    QVERIFY(!model->canDropMimeData(mime.get(), Qt::MoveAction, -1, 0, model->hostIndex("x86_64")));
    QVERIFY(!model->dropMimeData(mime.get(), Qt::MoveAction, -1, 0, model->hostIndex("x86_64")));
    QVERIFY(!model->canDropMimeData(mime.get(), Qt::CopyAction, -1, 0, model->hostIndex("s390x")));
    QVERIFY(model->dropMimeData(mime.get(), Qt::MoveAction, -1, 0, model->hostIndex("s390x")));
    QCOMPARE(requested.size(), 1);
    QCOMPARE(requested[0][0].value<long>(), 7L);
    QCOMPARE(requested[0][1].toString(), QStringLiteral("s390x"));
    // It stays where it is until the scheduler says it moved.
    QCOMPARE(hostOf(7), QStringLiteral("x86_64"));
    QCOMPARE(model->processIndex(7).data(ClusterModel::ProgressTextRole).toString(),
             QStringLiteral("requested → s390x"));
    model->migrationRefused(7, "process 7 is already migrating");
    QCOMPARE(model->processIndex(7).data(ClusterModel::FailureRole).toString(),
             QStringLiteral("refused: process 7 is already migrating"));
    // A read-only model (a replay) takes no drops.
    model->setInteractive(false);
    QVERIFY(!model->canDropMimeData(mime.get(), Qt::MoveAction, -1, 0, model->hostIndex("s390x")));
  }

  void aFinishedMigrationMovesTheProcess() {
    model->applyEvent(makeEvent("migration-started", migration("x86_64", "s390x")));
    QCOMPARE(model->processIndex(7).data(ClusterModel::StateRole).toString(),
             QStringLiteral("migrating"));
    model->applyEvent(makeEvent("migration-phase", {{"migration", 1},
                                                    {"process", 7},
                                                    {"phase", "transfer"},
                                                    {"state", "end"},
                                                    {"bytes", 8022991},
                                                    {"ms", 3.0}}));
    QCOMPARE(model->processIndex(7).data(ClusterModel::ProgressRole).toDouble(), 0.65);
    QCOMPARE(model->processIndex(7).data(ClusterModel::ProgressTextRole).toString(),
             QStringLiteral("transfer done 7.7 MiB"));
    QCOMPARE(hostOf(7), QStringLiteral("x86_64"));
    model->applyEvent(makeEvent(
        "migration-done", migration("x86_64", "s390x", {{"bytes", 8022991}, {"total_ms", 34.2}})));
    QCOMPARE(hostOf(7), QStringLiteral("s390x"));
    QCOMPARE(model->rowCount(model->hostIndex("x86_64")), 0);
    QCOMPARE(model->processIndex(7).data(ClusterModel::StateRole).toString(),
             QStringLiteral("running"));
    QCOMPARE(model->processIndex(7).data(ClusterModel::ProgressRole).toDouble(), -1.0);
  }

  void aFailedMigrationSaysWhy() {
    model->applyEvent(makeEvent("migration-started", migration("x86_64", "s390x")));
    model->applyEvent(
        makeEvent("migration-failed",
                  migration("x86_64", "s390x",
                            {{"reason", "the destination did not restore"}, {"host", "x86_64"}})));
    QCOMPARE(hostOf(7), QStringLiteral("x86_64"));
    QCOMPARE(model->processIndex(7).data(ClusterModel::FailureRole).toString(),
             QStringLiteral("migration failed: the destination did not restore"));
    QCOMPARE(model->processIndex(7).data(ClusterModel::StateRole).toString(),
             QStringLiteral("running"));
  }

  void theClusterChanges() {
    model->applyEvent(makeEvent("host-joined", host("ppc", "ppc", "big", 4)));
    QCOMPARE(model->rowCount(), 3);
    QVERIFY(model->hostIndex("ppc").data(ClusterModel::OnlineRole).toBool());
    QVERIFY(model->hostIndex("x86_64").data(ClusterModel::OnlineRole).toBool());
    model->applyEvent(makeEvent("host-load", {{"host", "ppc"}, {"load", 1.5}, {"processes", 2}}));
    QCOMPARE(model->hostIndex("ppc").data(ClusterModel::LoadRole).toDouble(), 1.5);
    model->applyEvent(makeEvent("process-started", {{"process", 8},
                                                    {"program", "mg"},
                                                    {"host", "ppc"},
                                                    {"pid", 9},
                                                    {"group", 1},
                                                    {"rank", 3}}));
    QCOMPARE(model->processIndex(8).data(Qt::DisplayRole).toString(), QStringLiteral("8 mg r3"));
    // A process on a host we have not heard of gets one (offline until listed).
    model->applyEvent(makeEvent(
        "process-started", {{"process", 9}, {"program", "mg"}, {"host", "armhf"}, {"pid", 10}}));
    QVERIFY(!model->hostIndex("armhf").data(ClusterModel::OnlineRole).toBool());
    model->applyEvent(makeEvent(
        "process-exited", {{"process", 8}, {"program", "mg"}, {"host", "ppc"}, {"status", 0}}));
    QCOMPARE(model->processIndex(8).data(ClusterModel::StateRole).toString(),
             QStringLiteral("exited"));
    model->applyEvent(makeEvent("host-left", {{"host", "ppc"}}));
    QVERIFY(!model->hostIndex("ppc").data(ClusterModel::OnlineRole).toBool());
    model->clear();
    QCOMPARE(model->rowCount(), 0);
  }

  void statisticsFillAsMigrationsFinish() {
    MigrationStatsModel stats;
    QAbstractItemModelTester statsTester(&stats,
                                         QAbstractItemModelTester::FailureReportingMode::QtTest);
    stats.applyEvent(makeEvent("migration-started", migration("x86_64", "s390x")));
    QCOMPARE(stats.rowCount(), 0);
    stats.applyEvent(makeEvent("migration-done", migration("x86_64", "s390x",
                                                           {{"bytes", 8022991},
                                                            {"collect_ms", 4.7},
                                                            {"transfer_ms", 2.7},
                                                            {"restore_ms", 28.9},
                                                            {"total_ms", 34.2}})));
    QCOMPARE(stats.rowCount(), 1);
    QCOMPARE(stats.columnCount(), int(MigrationStatsModel::ColumnCount));
    QCOMPARE(stats.headerData(MigrationStatsModel::Collect, Qt::Horizontal).toString(),
             QStringLiteral("collect (ms)"));
    QCOMPARE(stats.index(0, MigrationStatsModel::Program).data().toString(),
             QStringLiteral("linpack"));
    QCOMPARE(stats.index(0, MigrationStatsModel::Bytes).data().toString(),
             QStringLiteral("8,022,991"));
    QCOMPARE(stats.index(0, MigrationStatsModel::Restore).data().toString(),
             QStringLiteral("28.9"));
    QCOMPARE(stats.index(0, MigrationStatsModel::Total).data(Qt::EditRole).toDouble(), 34.2);
    QVERIFY(stats.toText().contains("linpack\tx86_64\ts390x\t8,022,991\t4.7\t2.7\t28.9\t34.2"));
    stats.clear();
    QCOMPARE(stats.rowCount(), 0);
  }
};

QTEST_GUILESS_MAIN(ModelsTest)
#include "models_test.moc"
