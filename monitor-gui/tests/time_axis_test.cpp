// TimeAxis: the time↔pixel mapping, zoom, pan and the ruler, table-driven.
#include "time_axis.hpp"

#include <QTest>

using snow::monitor::TimeAxis;

class TimeAxisTest : public QObject {
  Q_OBJECT
private slots:
  void mapping_data() {
    QTest::addColumn<double>("start");
    QTest::addColumn<double>("secondsPerPixel");
    QTest::addColumn<double>("left");
    QTest::addColumn<double>("time");
    QTest::addColumn<double>("x");
    QTest::newRow("origin") << 0.0 << 0.01 << 0.0 << 0.0 << 0.0;
    QTest::newRow("one second at 10 ms/px") << 0.0 << 0.01 << 0.0 << 1.0 << 100.0;
    QTest::newRow("label column") << 0.0 << 0.01 << 170.0 << 1.0 << 270.0;
    QTest::newRow("started later") << 12.5 << 0.5 << 0.0 << 13.5 << 2.0;
    QTest::newRow("before the start") << 10.0 << 0.1 << 50.0 << 9.0 << 40.0;
    QTest::newRow("microseconds") << 3.0 << 1e-6 << 0.0 << 3.0005 << 500.0;
  }
  void mapping() {
    QFETCH(double, start);
    QFETCH(double, secondsPerPixel);
    QFETCH(double, left);
    QFETCH(double, time);
    QFETCH(double, x);
    const TimeAxis axis(start, secondsPerPixel, left);
    QVERIFY(qAbs(axis.xForTime(time) - x) < 1e-6);
    QVERIFY(qAbs(axis.timeForX(x) - time) < 1e-9);
  }

  void zoomKeepsThePointerTime_data() {
    QTest::addColumn<double>("x");
    QTest::addColumn<double>("factor");
    QTest::addColumn<double>("secondsPerPixel");
    QTest::newRow("in at the left edge") << 100.0 << 2.0 << 0.005;
    QTest::newRow("in at the middle") << 600.0 << 2.0 << 0.005;
    QTest::newRow("out at the right") << 1100.0 << 0.5 << 0.02;
    QTest::newRow("far in, clamped") << 400.0 << 1e9 << TimeAxis::kMinSecondsPerPixel;
    QTest::newRow("far out, clamped") << 400.0 << 1e-12 << TimeAxis::kMaxSecondsPerPixel;
  }
  void zoomKeepsThePointerTime() {
    QFETCH(double, x);
    QFETCH(double, factor);
    QFETCH(double, secondsPerPixel);
    TimeAxis axis(5.0, 0.01, 100);
    const double before = axis.timeForX(x);
    axis.zoomAround(x, factor);
    QVERIFY(qAbs(axis.timeForX(x) - before) < 1e-9);
    QCOMPARE(axis.secondsPerPixel(), secondsPerPixel);
  }

  void panAndFit() {
    TimeAxis axis(0, 0.01, 0);
    axis.panByPixels(100); // dragging right shows earlier times
    QVERIFY(qAbs(axis.start() - -1.0) < 1e-12);
    axis.fit(2, 4, 200);
    QCOMPARE(axis.secondsPerPixel(), 0.01);
    QCOMPARE(axis.timeForX(0), 2.0);
    QVERIFY(qAbs(axis.endForWidth(200) - 4) < 1e-12);
    axis.anchor(10, 150); // auto-scroll: "now" at x = 150
    QVERIFY(qAbs(axis.xForTime(10) - 150) < 1e-9);
    axis.fit(3, 3, 0); // degenerate ranges still give a usable axis
    QVERIFY(axis.secondsPerPixel() > 0);
  }

  void tickStep_data() {
    QTest::addColumn<double>("secondsPerPixel");
    QTest::addColumn<double>("minPixels");
    QTest::addColumn<double>("step");
    QTest::newRow("10 ms/px, 80 px → 1 s") << 0.01 << 80.0 << 1.0;
    QTest::newRow("10 ms/px, 120 px → 2 s") << 0.01 << 120.0 << 2.0;
    QTest::newRow("10 ms/px, 300 px → 5 s") << 0.01 << 300.0 << 5.0;
    QTest::newRow("exactly 1 s") << 0.01 << 100.0 << 1.0;
    QTest::newRow("1 us/px, 80 px → 100 us") << 1e-6 << 80.0 << 1e-4;
    QTest::newRow("1 s/px, 80 px → 100 s") << 1.0 << 80.0 << 100.0;
  }
  void tickStep() {
    QFETCH(double, secondsPerPixel);
    QFETCH(double, minPixels);
    QFETCH(double, step);
    const TimeAxis axis(0, secondsPerPixel, 0);
    QVERIFY2(qAbs(axis.tickStep(minPixels) / step - 1) < 1e-9,
             qPrintable(QString::number(axis.tickStep(minPixels))));
  }

  void ticksCoverTheRangeOnStepMultiples() {
    const TimeAxis axis(0.25, 0.01, 170); // 0.25 s at x = 170
    const std::vector<double> ticks = axis.ticks(170, 1170, 80);
    QCOMPARE(ticks.size(), std::size_t(10)); // 1..10 s over 10 s shown
    QCOMPARE(ticks.front(), 1.0);
    QCOMPARE(ticks.back(), 10.0);
    for (const double t : ticks)
      QVERIFY(axis.xForTime(t) >= 170 && axis.xForTime(t) <= 1170);
  }
};

QTEST_GUILESS_MAIN(TimeAxisTest)
#include "time_axis_test.moc"
