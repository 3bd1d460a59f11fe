// Arrow geometry, the rows' layout, and what a point of the diagram hits,
// table-driven.
#include "arrow_geometry.hpp"
#include "diagram_hit.hpp"
#include "execution_trace.hpp"
#include "row_layout.hpp"

#include <QTest>

using namespace snow::monitor;

namespace {
bool near(QPointF a, QPointF b) { return QLineF(a, b).length() < 1e-6; }

SchedulerEvent event(double time, const char *name, QJsonObject data) {
  return {time, QString::fromLatin1(name), data};
}

// p1 and p2 start on "a", p3 on "b"; one message p1 → p3 sent at 1 s,
// received at 1.5 s; p2 migrates a → b from 2 s to 2.5 s.
ExecutionTrace smallTrace() {
  ExecutionTrace trace;
  trace.append(
      event(0, "process-started",
            {{"process", 1}, {"program", "mg"}, {"host", "a"}, {"group", 1}, {"rank", 0}}));
  trace.append(
      event(0, "process-started",
            {{"process", 3}, {"program", "mg"}, {"host", "b"}, {"group", 1}, {"rank", 2}}));
  trace.append(
      event(0.1, "process-started",
            {{"process", 2}, {"program", "mg"}, {"host", "a"}, {"group", 1}, {"rank", 1}}));
  trace.append(event(1, "message-sent",
                     {{"process", 1},
                      {"group", 1},
                      {"rank", 0},
                      {"to_rank", 2},
                      {"to_process", 3},
                      {"tag", 7},
                      {"bytes", 4096},
                      {"seq", 1}}));
  trace.append(event(1.5, "message-received",
                     {{"process", 3},
                      {"group", 1},
                      {"rank", 2},
                      {"from_rank", 0},
                      {"from_process", 1},
                      {"tag", 7},
                      {"bytes", 4096},
                      {"seq", 1}}));
  trace.append(
      event(2, "migration-started",
            {{"migration", 1}, {"process", 2}, {"program", "mg"}, {"from", "a"}, {"to", "b"}}));
  trace.append(event(2.5, "migration-done",
                     {{"migration", 1},
                      {"process", 2},
                      {"program", "mg"},
                      {"from", "a"},
                      {"to", "b"},
                      {"bytes", 1000},
                      {"collect_ms", 100},
                      {"transfer_ms", 100},
                      {"restore_ms", 300},
                      {"total_ms", 500}}));
  trace.finish();
  return trace;
}
} // namespace

class GeometryTest : public QObject {
  Q_OBJECT
private slots:
  void arrowHead_data() {
    QTest::addColumn<QPointF>("from");
    QTest::addColumn<QPointF>("to");
    QTest::addColumn<bool>("hasHead");
    QTest::addColumn<QPointF>("left");
    QTest::addColumn<QPointF>("right");
    const double c = 10 * std::cos(M_PI / 6), s = 10 * std::sin(M_PI / 6);
    QTest::newRow("rightwards") << QPointF(0, 0) << QPointF(100, 0) << true << QPointF(100 - c, -s)
                                << QPointF(100 - c, s);
    QTest::newRow("downwards") << QPointF(0, 0) << QPointF(0, 100) << true << QPointF(s, 100 - c)
                               << QPointF(-s, 100 - c);
    QTest::newRow("upwards") << QPointF(0, 100) << QPointF(0, 0) << true << QPointF(-s, c)
                             << QPointF(s, c);
    QTest::newRow("shorter than its head")
        << QPointF(0, 0) << QPointF(5, 0) << false << QPointF() << QPointF();
  }
  void arrowHead() {
    QFETCH(QPointF, from);
    QFETCH(QPointF, to);
    QFETCH(bool, hasHead);
    QFETCH(QPointF, left);
    QFETCH(QPointF, right);
    const ArrowGeometry arrow = arrowBetween(from, to, 10, 30);
    QCOMPARE(arrow.shaft, QLineF(from, to));
    QCOMPARE(arrow.hasHead, hasHead);
    if (hasHead) {
      QVERIFY2(near(arrow.barbLeft, left),
               qPrintable(QStringLiteral("%1,%2").arg(arrow.barbLeft.x()).arg(arrow.barbLeft.y())));
      QVERIFY(near(arrow.barbRight, right));
    }
  }

  void distance_data() {
    QTest::addColumn<QPointF>("point");
    QTest::addColumn<double>("distance");
    // The segment (0,0)–(10,0).
    QTest::newRow("on it") << QPointF(5, 0) << 0.0;
    QTest::newRow("above the middle") << QPointF(5, 3) << 3.0;
    QTest::newRow("past the end") << QPointF(13, 4) << 5.0;
    QTest::newRow("before the start") << QPointF(-3, -4) << 5.0;
  }
  void distance() {
    QFETCH(QPointF, point);
    QFETCH(double, distance);
    QCOMPARE(distanceToSegment(point, QPointF(0, 0), QPointF(10, 0)), distance);
    QCOMPARE(distanceToSegment(point, QPointF(2, 2), QPointF(2, 2)),
             QLineF(point, QPointF(2, 2)).length());
  }

  void rowsAreGroupedByTheHostTheyStartedOn() {
    const ExecutionTrace trace = smallTrace();
    RowLayout layout; // top 24, header 16, row 18
    layout.build(trace);
    const int p1 = trace.rowOf(1), p2 = trace.rowOf(2), p3 = trace.rowOf(3);
    QCOMPARE(layout.groups().size(), std::size_t(2));
    QCOMPARE(trace.hosts()[layout.groups()[0].host], QStringLiteral("a"));
    QCOMPARE(layout.rowTop(p1), 24.0 + 16);
    QCOMPARE(layout.rowTop(p2), 24.0 + 16 + 18);          // p2 joins p1 under "a"
    QCOMPARE(layout.rowTop(p3), 24.0 + 16 + 18 * 2 + 16); // under "b"'s header
    QCOMPARE(layout.height(), 24.0 + 2 * 16 + 3 * 18);
    QCOMPARE(layout.rowAt(24 + 16 + 1), p1);
    QCOMPARE(layout.rowAt(24 + 16 + 18 + 17), p2);
    QCOMPARE(layout.rowAt(24 + 5), -1); // a header
    QCOMPARE(layout.rowAt(layout.height() + 1), -1);
  }

  void whatAPointHits_data() {
    QTest::addColumn<double>("time");
    QTest::addColumn<double>("rowOffset"); // rows below p1's centre, as a fraction
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("detail");
    using K = DiagramHit::Kind;
    // The arrow goes from (1 s, p1) to (1.5 s, p3), two rows and a header down.
    QTest::newRow("the arrow's start")
        << 1.0 << 0.0 << int(K::Message) << QStringLiteral("latency 500.000 ms");
    QTest::newRow("the migration")
        << 2.25 << 1.0 << int(K::Migration) << QStringLiteral("total 500.0 ms");
    QTest::newRow("p1 computing") << 3.0 << 0.0 << int(K::State)
                                  << QStringLiteral("computing on a");
    QTest::newRow("p2 after its move")
        << 3.0 << 1.0 << int(K::State) << QStringLiteral("computing on b");
  }
  void whatAPointHits() {
    QFETCH(double, time);
    QFETCH(double, rowOffset);
    QFETCH(int, kind);
    QFETCH(QString, detail);
    const ExecutionTrace trace = smallTrace();
    RowLayout layout;
    layout.build(trace);
    RenderOptions options;
    options.now = trace.endTime() + 1;
    const TimeAxis axis(0, 0.01, options.labelWidth); // 100 px a second
    const QRectF viewport(0, 0, 800, 200);
    const QPointF point(axis.xForTime(time),
                        layout.rowCenter(trace.rowOf(1)) + rowOffset * layout.rowHeight);
    const DiagramHit hit = hitTest(trace, layout, axis, options, viewport, point);
    QCOMPARE(int(hit.kind), kind);
    QVERIFY2(hit.details.contains(detail), qPrintable(hit.details));
  }
};

QTEST_MAIN(GeometryTest)
#include "geometry_test.moc"
