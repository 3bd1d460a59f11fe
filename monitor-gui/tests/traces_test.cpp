// Trace files: the lines format round-trips exactly; a Chrome export reads
// back into the same diagram; a trace as the scheduler records it (Chrome)
// is understood. The execution trace matches sends and receives in either
// order, and the renderer's level of detail bounds the work per frame.
#include "execution_trace.hpp"
#include "row_layout.hpp"
#include "spacetime_renderer.hpp"
#include "synthetic_trace.hpp"
#include "trace_file.hpp"
#include "trace_loader.hpp"

#include <QBuffer>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPainter>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace snow::monitor;

namespace {
SyntheticTraceShape smallShape() {
  SyntheticTraceShape shape;
  shape.events = 4000;
  shape.processes = 6;
  shape.hosts = 3;
  shape.migrations = 3;
  return shape;
}

ExecutionTrace build(const SchedulerEvents &events) {
  ExecutionTrace trace;
  trace.appendAll(events);
  trace.finish();
  return trace;
}

// What a person sees of a trace: rows, messages and migrations.
void compareDiagrams(const ExecutionTrace &a, const ExecutionTrace &b) {
  QCOMPARE(a.rows().size(), b.rows().size());
  QCOMPARE(a.messageCount(), b.messageCount());
  QCOMPARE(a.migrations().size(), b.migrations().size());
  for (std::size_t i = 0; i < a.migrations().size(); ++i) {
    const MigrationSpan &x = a.migrations()[i], &y = b.migrations()[i];
    QCOMPARE(x.to, y.to);
    QCOMPARE(x.bytes, y.bytes);
    QVERIFY(qAbs(x.start - y.start) < 1e-6 && qAbs(x.end - y.end) < 1e-6);
    for (int p = 0; p < kPhaseCount; ++p)
      QCOMPARE(x.phases[p].seen(), y.phases[p].seen());
  }
  for (const Channel &channel : a.channels()) {
    const long from = a.rows()[channel.fromRow].process, to = a.rows()[channel.toRow].process;
    const auto other =
        std::find_if(b.channels().begin(), b.channels().end(), [&](const Channel &c) {
          return b.rows()[c.fromRow].process == from && b.rows()[c.toRow].process == to;
        });
    QVERIFY(other != b.channels().end());
    QCOMPARE(other->messages.size(), channel.messages.size());
    for (std::size_t m = 0; m < channel.messages.size(); ++m) {
      QVERIFY(qAbs(other->messages[m].sendTime - channel.messages[m].sendTime) < 1e-6);
      QVERIFY(qAbs(other->messages[m].receiveTime - channel.messages[m].receiveTime) < 1e-6);
      QCOMPARE(other->messages[m].bytes, channel.messages[m].bytes);
    }
  }
}
} // namespace

class TracesTest : public QObject {
  Q_OBJECT
private slots:
  void linesRoundTrip() {
    const SchedulerEvents events = syntheticTrace(smallShape());
    QBuffer buffer;
    buffer.open(QIODevice::ReadWrite);
    QVERIFY(writeLinesTrace(buffer, events));
    buffer.seek(0);
    QCOMPARE(detectTraceFormat(buffer), TraceFileFormat::Lines);
    const TraceReadResult read = readTrace(buffer);
    QVERIFY(read.error.isEmpty());
    QCOMPARE(read.events.size(), events.size());
    for (qsizetype i = 0; i < events.size(); ++i) {
      QCOMPARE(read.events[i].name, events[i].name);
      QCOMPARE(read.events[i].data, events[i].data);
      QVERIFY(qAbs(read.events[i].time - events[i].time) <= 5e-7); // %.6f, as the scheduler writes
    }
    // And from the diagram back to events: the same diagram again.
    const ExecutionTrace trace = build(events);
    compareDiagrams(trace, build(traceEvents(trace)));
  }

  void linesToleratesNoise() {
    QBuffer buffer;
    buffer.setData("0.500000 host-load {\"host\":\"a\",\"load\":1}\n"
                   "\n"
                   "garbage line\n"
                   "1.000000 process-started {\"process\":1,\"program\":\"p\",\"host\":\"a\"}\n"
                   "1.5 broken {not json\n");
    buffer.open(QIODevice::ReadOnly);
    const TraceReadResult read = readTrace(buffer);
    QCOMPARE(read.events.size(), 2);
    QCOMPARE(read.skippedLines, 2);
    QCOMPARE(read.events[1].data.value("host").toString(), QStringLiteral("a"));
  }

  void chromeExportReadsBack() {
    const ExecutionTrace trace = build(syntheticTrace(smallShape()));
    QBuffer buffer;
    buffer.open(QIODevice::ReadWrite);
    QVERIFY(writeChromeTrace(buffer, trace));
    const QJsonArray entries = QJsonDocument::fromJson(buffer.data()).array();
    QVERIFY(!entries.isEmpty()); // valid JSON, as Perfetto wants it
    int flowsStarted = 0, flowsFinished = 0;
    for (const QJsonValue &e : entries) {
      flowsStarted += e.toObject().value("ph").toString() == QLatin1String("s");
      flowsFinished += e.toObject().value("ph").toString() == QLatin1String("f");
    }
    QCOMPARE(std::size_t(flowsStarted), trace.messageCount());
    QCOMPARE(flowsFinished, flowsStarted);
    buffer.seek(0);
    QCOMPARE(detectTraceFormat(buffer), TraceFileFormat::Chrome);
    const TraceReadResult read = readTrace(buffer);
    QVERIFY(read.error.isEmpty());
    compareDiagrams(trace, build(read.events));
  }

  void schedulerChromeTrace() {
    // As trace_recorder.cpp writes it, unfinished (the scheduler still runs).
    QBuffer buffer;
    buffer.setData(R"([
{"ph":"M","name":"process_name","pid":1000000,"tid":0,"args":{"name":"snow-scheduler"}},
{"ph":"i","s":"p","name":"process-started","pid":1,"tid":0,"ts":1000000.0,"args":{"process":1,"program":"linpack","host":"x86_64","pid":7}},
{"ph":"C","name":"load x86_64","pid":1000000,"ts":1500000.0,"args":{"processes":1,"load":0.25}},
{"ph":"i","s":"p","name":"migration-started","pid":1,"tid":0,"ts":2000000.0,"args":{"migration":1,"process":1,"program":"linpack","from":"x86_64","to":"s390x"}},
{"ph":"X","name":"collect","cat":"migration","pid":1,"tid":0,"ts":2000000.0,"dur":4700.0,"args":{"migration":1,"process":1,"phase":"collect","state":"end","bytes":8022991,"ms":4.7}},
{"ph":"i","s":"p","name":"migration-done","pid":1,"tid":0,"ts":2040000.0,"args":{"migration":1,"process":1,"program":"linpack","from":"x86_64","to":"s390x","bytes":8022991,"collect_ms":4.7,"transfer_ms":2.7,"restore_ms":28.9,"total_ms":40}},
)");
    buffer.open(QIODevice::ReadOnly);
    const TraceReadResult read = readTrace(buffer);
    QVERIFY2(read.error.isEmpty(), qPrintable(read.error));
    const ExecutionTrace trace = build(read.events);
    QCOMPARE(trace.rows().size(), std::size_t(1));
    QCOMPARE(trace.migrations().size(), std::size_t(1));
    const PhaseSpan &collect = trace.migrations()[0].phases[int(Phase::Collect)];
    QVERIFY(qAbs(collect.begin - 2.0) < 1e-9 && qAbs(collect.end - 2.0047) < 1e-9);
    QCOMPARE(trace.hosts()[trace.hostAt(0, 3.0)], QStringLiteral("s390x"));
    const auto load =
        std::find_if(read.events.begin(), read.events.end(),
                     [](const SchedulerEvent &e) { return e.name == QLatin1String("host-load"); });
    QVERIFY(load != read.events.end());
    QCOMPARE(load->data.value("host").toString(), QStringLiteral("x86_64"));
  }

  void messagesMatchInEitherOrder() {
    ExecutionTrace trace;
    const QJsonObject sent{{"process", 1},    {"group", 4}, {"rank", 0},    {"to_rank", 1},
                           {"to_process", 2}, {"tag", 3},   {"bytes", 100}, {"seq", 1}};
    const QJsonObject received{{"process", 2},   {"group", 4},        {"rank", 1},
                               {"from_rank", 0}, {"from_process", 1}, {"tag", 3},
                               {"bytes", 100},   {"seq", 1},          {"wait_ms", 200}};
    trace.append(
        {1.0, QStringLiteral("message-received"), received}); // the receiver's report came first
    QCOMPARE(trace.unmatchedMessages(), std::size_t(1));
    trace.append({0.5, QStringLiteral("message-sent"), sent});
    QCOMPARE(trace.unmatchedMessages(), std::size_t(0));
    QCOMPARE(trace.messageCount(), std::size_t(1));
    const Message &m = trace.channels()[0].messages[0];
    QCOMPARE(m.sendTime, 0.5);
    QCOMPARE(m.receiveTime, 1.0);
    // Another group's message with the same ranks and seq is another message.
    QJsonObject other = sent;
    other.insert("group", 5);
    trace.append({1.1, QStringLiteral("message-sent"), other});
    QCOMPARE(trace.unmatchedMessages(), std::size_t(1));
    // wait_ms: the receiver waited 200 ms before 1.0 s.
    trace.finish();
    const int receiver = trace.rowOf(2);
    QCOMPARE(trace.stateAt(receiver, 0.9), ProcessState::Waiting);
    QCOMPARE(trace.stateAt(receiver, 1.05), ProcessState::Computing);
  }

  void levelOfDetailBoundsTheWork() {
    SyntheticTraceShape shape;
    shape.events = 200000;
    shape.processes = 8;
    const ExecutionTrace trace = build(syntheticTrace(shape));
    RowLayout layout;
    layout.build(trace);
    RenderOptions options;
    options.now = trace.endTime();
    const QSize size(1000, 400);
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    TimeAxis axis;
    axis.setLeft(options.labelWidth);
    const double plot = size.width() - options.labelWidth;
    // Zoomed out: at most one arrow per channel and spacing, one rect per column and row.
    axis.fit(trace.beginTime(), trace.endTime(), plot);
    QPainter painter(&image);
    RenderStats stats =
        SpaceTimeRenderer::paint(painter, QRectF(QPointF(), size), trace, layout, axis, options);
    QVERIFY(stats.arrows > 0);
    QVERIFY2(stats.arrows <=
                 trace.channels().size() * std::size_t(plot / options.minArrowSpacing + 2),
             qPrintable(QString::number(stats.arrows)));
    QVERIFY(stats.stateRects <= trace.rows().size() * std::size_t(plot));
    // Zoomed in to 50 ms: every message in view is drawn.
    const double middle = (trace.beginTime() + trace.endTime()) / 2;
    axis.fit(middle, middle + 0.05, plot);
    stats =
        SpaceTimeRenderer::paint(painter, QRectF(QPointF(), size), trace, layout, axis, options);
    std::size_t inView = 0;
    for (const Channel &c : trace.channels())
      for (const Message &m : c.messages)
        inView += m.sendTime <= middle + 0.05 && m.receiveTime >= middle;
    QCOMPARE(stats.arrows, inView);
  }

  void loaderWorksOffTheGuiThread() {
    QTemporaryDir dir;
    const QString path = dir.filePath("trace.lines");
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QVERIFY(writeLinesTrace(file, syntheticTrace(smallShape())));
    file.close();
    TraceLoader loader;
    QSignalSpy loaded(&loader, &TraceLoader::loaded);
    QSignalSpy failed(&loader, &TraceLoader::failed);
    loader.load(dir.filePath("missing"));
    loader.load(path); // replaces the first: only its result arrives
    QTRY_COMPARE(loaded.size(), 1);
    QCOMPARE(failed.size(), 0);
    const auto trace = loaded[0][0].value<std::shared_ptr<const LoadedTrace>>();
    QCOMPARE(trace->path, path);
    QVERIFY(trace->trace.messageCount() > 0);
  }
};

QTEST_MAIN(TracesTest)
#include "traces_test.moc"
