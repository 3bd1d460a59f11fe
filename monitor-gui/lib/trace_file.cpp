#include "trace_file.hpp"

#include "execution_trace.hpp"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>

namespace snow::monitor {

namespace {
constexpr double kMicroseconds = 1e6;
constexpr long kSchedulerTrack = 1000000; // as trace_recorder.cpp

// One Chrome trace entry back to the scheduler event(s) it was written from.
void chromeEntryToEvents(const QJsonObject &entry, SchedulerEvents &out) {
  const QString ph = entry.value("ph").toString();
  const double seconds = entry.value("ts").toDouble() / kMicroseconds;
  const QString name = entry.value("name").toString();
  const QJsonObject args = entry.value("args").toObject();
  if (ph == QLatin1String("i") || ph == QLatin1String("I")) {
    out.push_back({seconds, name, args});
  } else if (ph == QLatin1String("X") &&
             entry.value("cat").toString() == QLatin1String("migration")) {
    // A finished phase: the scheduler sent its begin at ts and its end at ts + dur.
    QJsonObject begin{{"migration", args.value("migration")},
                      {"process", args.value("process")},
                      {"phase", args.value("phase").toString(name)},
                      {"state", "begin"}};
    out.push_back({seconds, QStringLiteral("migration-phase"), begin});
    out.push_back({seconds + entry.value("dur").toDouble() / kMicroseconds,
                   QStringLiteral("migration-phase"), args});
  } else if (ph == QLatin1String("C") && name.startsWith(QLatin1String("load "))) {
    QJsonObject data{{"host", name.mid(5)},
                     {"load", args.value("load")},
                     {"processes", args.value("processes")}};
    out.push_back({seconds, QStringLiteral("host-load"), data});
  }
  // "M" names a track, "s"/"f" are the flows we add: nothing to restore.
}

TraceReadResult readChrome(QIODevice &device) {
  TraceReadResult result;
  QJsonParseError error{};
  const QByteArray bytes = device.readAll();
  QJsonDocument document = QJsonDocument::fromJson(bytes, &error);
  if (document.isNull()) {
    // A trace the scheduler is still writing lacks its closing bracket.
    QByteArray closed = bytes.trimmed();
    if (closed.endsWith(','))
      closed.chop(1);
    document = QJsonDocument::fromJson(closed + "\n]", &error);
  }
  if (document.isNull()) {
    result.error = QStringLiteral("not Chrome trace JSON: %1").arg(error.errorString());
    return result;
  }
  const QJsonArray entries =
      document.isArray() ? document.array() : document.object().value("traceEvents").toArray();
  for (const auto &entry : entries)
    chromeEntryToEvents(entry.toObject(), result.events);
  std::stable_sort(
      result.events.begin(), result.events.end(),
      [](const SchedulerEvent &a, const SchedulerEvent &b) { return a.time < b.time; });
  return result;
}

// Calls `sink` with each event of a lines trace, in file order.
void readLines(QIODevice &device, const std::function<void(SchedulerEvent &&)> &sink,
               int *skippedLines, const std::function<void(double)> &progress) {
  const qint64 size = std::max<qint64>(device.size(), 1);
  qint64 done = 0;
  std::size_t count = 0;
  QByteArray line;
  while (!device.atEnd()) {
    line = device.readLine();
    done += line.size();
    if ((++count & 0xffff) == 0 && progress)
      progress(static_cast<double>(done) / size);
    line = line.trimmed();
    if (line.isEmpty())
      continue;
    const qsizetype firstSpace = line.indexOf(' ');
    const qsizetype secondSpace = firstSpace < 0 ? -1 : line.indexOf(' ', firstSpace + 1);
    bool isNumber = false;
    const double time = line.left(firstSpace).toDouble(&isNumber);
    if (secondSpace < 0 || !isNumber) {
      ++*skippedLines;
      continue;
    }
    const QJsonDocument data = QJsonDocument::fromJson(line.mid(secondSpace + 1));
    if (!data.isObject()) {
      ++*skippedLines;
      continue;
    }
    sink({time, QString::fromUtf8(line.mid(firstSpace + 1, secondSpace - firstSpace - 1)),
          data.object()});
  }
}

TraceReadResult readLines(QIODevice &device, const std::function<void(double)> &progress) {
  TraceReadResult result;
  readLines(
      device, [&](SchedulerEvent &&event) { result.events.push_back(std::move(event)); },
      &result.skippedLines, progress);
  return result;
}

QByteArray compact(const QJsonObject &object) {
  return QJsonDocument(object).toJson(QJsonDocument::Compact);
}
} // namespace

TraceFileFormat detectTraceFormat(QIODevice &device) {
  const QByteArray head = device.peek(4096).trimmed();
  return head.startsWith('[') || head.startsWith('{') ? TraceFileFormat::Chrome
                                                      : TraceFileFormat::Lines;
}

TraceReadResult readTrace(QIODevice &device, const std::function<void(double)> &progress) {
  TraceReadResult result = detectTraceFormat(device) == TraceFileFormat::Chrome
                               ? readChrome(device)
                               : readLines(device, progress);
  if (progress)
    progress(1.0);
  return result;
}

QString readTraceInto(QIODevice &device, ExecutionTrace &trace, int *skippedLines,
                      const std::function<void(double)> &progress) {
  *skippedLines = 0;
  if (detectTraceFormat(device) == TraceFileFormat::Chrome) {
    const TraceReadResult read = readChrome(device);
    trace.appendAll(read.events);
    if (progress)
      progress(1.0);
    return read.error;
  }
  // Event by event: a large trace never exists twice in memory.
  readLines(
      device, [&trace](SchedulerEvent &&event) { trace.append(event); }, skippedLines, progress);
  if (progress)
    progress(1.0);
  return {};
}

TraceReadResult readTraceFile(const QString &path, const std::function<void(double)> &progress) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) {
    TraceReadResult result;
    result.error = QStringLiteral("cannot open %1: %2").arg(path, file.errorString());
    return result;
  }
  return readTrace(file, progress);
}

QByteArray traceLine(const SchedulerEvent &event) {
  return QByteArray::number(event.time, 'f', 6) + ' ' + event.name.toUtf8() + ' ' +
         compact(event.data);
}

bool writeLinesTrace(QIODevice &device, const SchedulerEvents &events) {
  for (const SchedulerEvent &event : events)
    if (device.write(traceLine(event) + '\n') < 0)
      return false;
  return true;
}

namespace {
class ChromeWriter {
public:
  explicit ChromeWriter(QIODevice &device) : device_(device) { device_.write("[\n"); }
  bool finish() { return device_.write("\n]\n") > 0 && ok_; }
  void entry(const QJsonObject &object) {
    ok_ = device_.write(first_ ? "" : ",\n") >= 0 && ok_;
    first_ = false;
    ok_ = device_.write(compact(object)) >= 0 && ok_;
  }
  void nameTrack(long pid, const QString &name) {
    entry({{"ph", "M"},
           {"name", "process_name"},
           {"pid", double(pid)},
           {"tid", 0},
           {"args", QJsonObject{{"name", name}}}});
  }

private:
  QIODevice &device_;
  bool first_ = true, ok_ = true;
};

void writeControlEvent(ChromeWriter &out, const SchedulerEvent &event) {
  const double ts = event.time * kMicroseconds;
  const QJsonObject &data = event.data;
  if (data.value("process").isDouble()) {
    const double pid = data.value("process").toDouble();
    if (event.name == QLatin1String("migration-phase")) {
      if (data.value("state").toString() != QLatin1String("end"))
        return; // the begin is implied by the slice
      const double ms = data.value("ms").toDouble();
      out.entry({{"ph", "X"},
                 {"name", data.value("phase").toString("phase")},
                 {"cat", "migration"},
                 {"pid", pid},
                 {"tid", 0},
                 {"ts", ts - ms * 1e3},
                 {"dur", ms * 1e3},
                 {"args", data}});
      return;
    }
    out.entry({{"ph", "i"},
               {"s", "p"},
               {"name", event.name},
               {"pid", pid},
               {"tid", 0},
               {"ts", ts},
               {"args", data}});
    return;
  }
  if (event.name == QLatin1String("host-load") && data.contains("host")) {
    out.entry({{"ph", "C"},
               {"name", "load " + data.value("host").toString()},
               {"pid", double(kSchedulerTrack)},
               {"ts", ts},
               {"args", QJsonObject{{"processes", data.value("processes")},
                                    {"load", data.value("load")}}}});
    return;
  }
  out.entry({{"ph", "i"},
             {"s", "g"},
             {"name", event.name},
             {"pid", double(kSchedulerTrack)},
             {"tid", 0},
             {"ts", ts},
             {"args", data}});
}

QJsonObject sentData(const ProcessRow &from, const ProcessRow &to, const Message &m) {
  return {{"process", double(from.process)},
          {"to_process", double(to.process)},
          {"group", from.group},
          {"rank", from.rank},
          {"to_rank", to.rank},
          {"tag", m.tag},
          {"bytes", double(m.bytes)},
          {"seq", m.seq}};
}

QJsonObject receivedData(const ProcessRow &from, const ProcessRow &to, const Message &m) {
  return {{"process", double(to.process)},
          {"from_process", double(from.process)},
          {"group", to.group},
          {"rank", to.rank},
          {"from_rank", from.rank},
          {"tag", m.tag},
          {"bytes", double(m.bytes)},
          {"seq", m.seq}};
}
} // namespace

SchedulerEvents traceEvents(const ExecutionTrace &trace) {
  SchedulerEvents events = trace.controlEvents();
  events.reserve(events.size() + 2 * static_cast<qsizetype>(trace.messageCount()));
  for (const Channel &channel : trace.channels()) {
    const ProcessRow &from = trace.rows()[channel.fromRow];
    const ProcessRow &to = trace.rows()[channel.toRow];
    for (const Message &m : channel.messages) {
      events.push_back({m.sendTime, QStringLiteral("message-sent"), sentData(from, to, m)});
      events.push_back(
          {m.receiveTime, QStringLiteral("message-received"), receivedData(from, to, m)});
    }
  }
  std::stable_sort(
      events.begin(), events.end(),
      [](const SchedulerEvent &a, const SchedulerEvent &b) { return a.time < b.time; });
  return events;
}

bool writeChromeTrace(QIODevice &device, const ExecutionTrace &trace) {
  ChromeWriter out(device);
  out.nameTrack(kSchedulerTrack, QStringLiteral("snow-scheduler"));
  for (const ProcessRow &row : trace.rows())
    out.nameTrack(row.process, row.label());
  for (const SchedulerEvent &event : trace.controlEvents())
    writeControlEvent(out, event);
  // Messages: a send and a receive instant, bound by a flow.
  long flow = 0;
  for (const Channel &channel : trace.channels()) {
    const ProcessRow &from = trace.rows()[channel.fromRow];
    const ProcessRow &to = trace.rows()[channel.toRow];
    for (const Message &m : channel.messages) {
      ++flow;
      const QJsonObject sent = sentData(from, to, m), received = receivedData(from, to, m);
      const double sendTs = m.sendTime * kMicroseconds, receiveTs = m.receiveTime * kMicroseconds;
      out.entry({{"ph", "i"},
                 {"s", "t"},
                 {"name", "message-sent"},
                 {"pid", double(from.process)},
                 {"tid", 0},
                 {"ts", sendTs},
                 {"args", sent}});
      out.entry({{"ph", "s"},
                 {"name", "message"},
                 {"cat", "message"},
                 {"id", double(flow)},
                 {"pid", double(from.process)},
                 {"tid", 0},
                 {"ts", sendTs}});
      out.entry({{"ph", "i"},
                 {"s", "t"},
                 {"name", "message-received"},
                 {"pid", double(to.process)},
                 {"tid", 0},
                 {"ts", receiveTs},
                 {"args", received}});
      out.entry({{"ph", "f"},
                 {"bp", "e"},
                 {"name", "message"},
                 {"cat", "message"},
                 {"id", double(flow)},
                 {"pid", double(to.process)},
                 {"tid", 0},
                 {"ts", receiveTs}});
    }
  }
  return out.finish();
}

} // namespace snow::monitor
