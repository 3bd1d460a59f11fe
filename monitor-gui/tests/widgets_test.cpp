// The views with synthetic input (offscreen): the space-time view zooms
// around the pointer, pans, zooms to a rubber band and shows a message's
// details on a click; the cluster view's drag of a chip onto another card
// asks the model for a migration, and a drop on its own card does not.
#include "cluster_model.hpp"
#include "cluster_view.hpp"
#include "execution_trace.hpp"
#include "spacetime_view.hpp"

#include <QApplication>
#include <QJsonArray>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>
#include <QWheelEvent>

using namespace snow::monitor;

namespace {
ExecutionTrace twoProcesses() {
  ExecutionTrace trace;
  trace.append({0,
                QStringLiteral("process-started"),
                {{"process", 1}, {"program", "mg"}, {"host", "a"}, {"group", 1}, {"rank", 0}}});
  trace.append({0,
                QStringLiteral("process-started"),
                {{"process", 2}, {"program", "mg"}, {"host", "b"}, {"group", 1}, {"rank", 1}}});
  trace.append({4,
                QStringLiteral("message-sent"),
                {{"process", 1},
                 {"group", 1},
                 {"rank", 0},
                 {"to_rank", 1},
                 {"to_process", 2},
                 {"tag", 9},
                 {"bytes", 512},
                 {"seq", 1}}});
  trace.append({4,
                QStringLiteral("message-received"),
                {{"process", 2},
                 {"group", 1},
                 {"rank", 1},
                 {"from_rank", 0},
                 {"from_process", 1},
                 {"tag", 9},
                 {"bytes", 512},
                 {"seq", 1}}});
  trace.append({10, QStringLiteral("host-load"), {{"host", "a"}, {"load", 0.1}, {"processes", 1}}});
  trace.finish();
  return trace;
}

void wheel(QWidget *widget, QPoint at, int delta) {
  QWheelEvent event(at, widget->mapToGlobal(at), {}, {0, delta}, Qt::NoButton, Qt::NoModifier,
                    Qt::NoScrollPhase, false);
  QApplication::sendEvent(widget, &event);
}
} // namespace

class WidgetsTest : public QObject {
  Q_OBJECT
private slots:
  void spaceTimeZoomPanAndDetails() {
    const ExecutionTrace trace = twoProcesses();
    SpaceTimeView view;
    view.resize(1000 + 20, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setTrace(&trace, false);
    QWidget *area = view.viewport();
    const double left = view.renderOptions().labelWidth;
    // Fitted: the whole trace (0..10 s, with margins) across the plot.
    QVERIFY(view.axis().timeForX(left) <= 0 && view.axis().timeForX(area->width()) >= 10);

    const QPoint pointer(600, 100);
    const double under = view.axis().timeForX(pointer.x());
    const double scale = view.axis().secondsPerPixel();
    wheel(area, pointer, 120); // one notch in
    QVERIFY(qAbs(view.axis().secondsPerPixel() - scale / 1.25) < 1e-12);
    QVERIFY(qAbs(view.axis().timeForX(pointer.x()) - under) < 1e-9);

    const double before = view.axis().timeForX(500);
    QTest::mousePress(area, Qt::LeftButton, {}, QPoint(500, 100));
    QTest::mouseMove(area, QPoint(450, 100));
    QTest::mouseRelease(area, Qt::LeftButton, {}, QPoint(450, 100));
    QVERIFY(qAbs(view.axis().timeForX(450) - before) <
            1e-9); // the time under the hand moved with it

    // Shift+drag from 4 s to 6 s: that is what is shown then.
    const int x4 = int(view.axis().xForTime(4)), x6 = int(view.axis().xForTime(6));
    QTest::mousePress(area, Qt::LeftButton, Qt::ShiftModifier, QPoint(x4, 100));
    QTest::mouseMove(area, QPoint(x6, 150));
    QTest::mouseRelease(area, Qt::LeftButton, Qt::ShiftModifier, QPoint(x6, 150));
    QVERIFY(qAbs(view.axis().timeForX(left) - 4) < 0.02); // within a pixel of the old scale
    QVERIFY(qAbs(view.axis().timeForX(area->width()) - 6) < 0.02);

    // A click on the message's arrow (a vertical line at 4 s) shows its details.
    QSignalSpy details(&view, &SpaceTimeView::detailsChanged);
    RowLayout layout;
    layout.build(trace);
    const double y = (layout.rowCenter(trace.rowOf(1)) + layout.rowCenter(trace.rowOf(2))) / 2;
    const QPoint onArrow(int(view.axis().xForTime(4)), int(y));
    QTest::mouseClick(area, Qt::LeftButton, {}, onArrow);
    QCOMPARE(details.size(), 1);
    QVERIFY2(details[0][0].toString().contains("tag 9, 512 bytes"),
             qPrintable(details[0][0].toString()));
  }

  void dragAChipOntoAnotherCard() {
    ClusterModel model;
    model.setHosts({QJsonObject{{"name", "x86_64"}, {"platform", "x86_64"}, {"word_size", 8}},
                    QJsonObject{{"name", "s390x"}, {"platform", "s390x"}, {"word_size", 8}}});
    model.setProcesses(
        {QJsonObject{{"id", 3}, {"program", "linpack"}, {"host", "x86_64"}, {"state", "running"}}});
    ClusterView view;
    view.setModel(&model);
    view.resize(800, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy requested(&model, &ClusterModel::migrateRequested);
    // Cards are laid out left to right: x86_64 at x 12..262, s390x at 274..524;
    // the chip sits under the card's header.
    const QPoint chip(100, 12 + 62 + 20), otherCard(400, 100), ownCard(200, 130);
    auto drag = [&](QPoint to) {
      QTest::mousePress(&view, Qt::LeftButton, {}, chip);
      for (int i = 1; i <= 5; ++i)
        QTest::mouseMove(&view, chip + (to - chip) * i / 5);
      QTest::mouseRelease(&view, Qt::LeftButton, {}, to);
    };
    drag(ownCard);
    QCOMPARE(requested.size(), 0);
    drag(otherCard);
    QCOMPARE(requested.size(), 1);
    QCOMPARE(requested[0][1].toString(), QStringLiteral("s390x"));
  }
};

QTEST_MAIN(WidgetsTest)
#include "widgets_test.moc"
