#include "diagram_hit.hpp"

#include "arrow_geometry.hpp"

#include <algorithm>
#include <cmath>

namespace snow::monitor {

namespace {
constexpr double kTolerance = 4; // pixels

QString formatBytes(std::int64_t bytes) {
  if (bytes >= 1 << 20)
    return QStringLiteral("%1 MiB").arg(bytes / 1048576.0, 0, 'f', 2);
  if (bytes >= 1 << 10)
    return QStringLiteral("%1 KiB").arg(bytes / 1024.0, 0, 'f', 1);
  return QStringLiteral("%1 bytes").arg(bytes);
}

const char *stateName(ProcessState state) {
  switch (state) {
  case ProcessState::Computing:
    return "computing";
  case ProcessState::Waiting:
    return "waiting";
  case ProcessState::Migrating:
    return "migrating";
  case ProcessState::Exited:
    break;
  }
  return "not running";
}
} // namespace

QString describeMessage(const ExecutionTrace &trace, const Channel &channel, const Message &m) {
  const ProcessRow &from = trace.rows()[channel.fromRow];
  const ProcessRow &to = trace.rows()[channel.toRow];
  return QStringLiteral(
             "message %1 → %2\ntag %3, %4, seq %5\nsent %6 s, received %7 s\nlatency %8 ms")
      .arg(from.label(), to.label())
      .arg(m.tag)
      .arg(formatBytes(m.bytes))
      .arg(m.seq)
      .arg(m.sendTime, 0, 'f', 6)
      .arg(m.receiveTime, 0, 'f', 6)
      .arg((m.receiveTime - m.sendTime) * 1000, 0, 'f', 3);
}

QString describeMigration(const MigrationSpan &m, const ExecutionTrace &trace) {
  QString text = QStringLiteral("%1 %2 of %3: %4 → %5\n")
                     .arg(m.checkpoint ? QStringLiteral("checkpoint") : QStringLiteral("migration"))
                     .arg(m.id)
                     .arg(trace.rows()[m.row].label(), m.from, m.to.isEmpty() ? m.file : m.to);
  if (m.done)
    text += QStringLiteral("%1, collect %2 ms, transfer %3 ms, restore %4 ms, total %5 ms")
                .arg(formatBytes(m.bytes))
                .arg(m.collectMs, 0, 'f', 1)
                .arg(m.transferMs, 0, 'f', 1)
                .arg(m.restoreMs, 0, 'f', 1)
                .arg(m.totalMs, 0, 'f', 1);
  else if (m.failed)
    text += QStringLiteral("failed: ") + m.reason;
  else
    text += QStringLiteral("in flight");
  for (int p = 0; p < kPhaseCount; ++p) {
    const PhaseSpan &phase = m.phases[p];
    if (phase.seen() && !std::isnan(phase.begin) && !std::isnan(phase.end))
      text += QStringLiteral("\n  %1 %2 ms")
                  .arg(QLatin1String(phaseName(static_cast<Phase>(p))))
                  .arg((phase.end - phase.begin) * 1000, 0, 'f', 1);
  }
  return text;
}

DiagramHit hitTest(const ExecutionTrace &trace, const RowLayout &layout, const TimeAxis &axis,
                   const RenderOptions &options, const QRectF &viewport, QPointF point) {
  DiagramHit hit;
  if (point.x() < axis.left() || point.y() < viewport.top() + layout.top)
    return hit;
  hit.time = axis.timeForX(point.x());
  const double contentY = point.y() - viewport.top() + options.scrollY;
  hit.row = layout.rowAt(contentY);
  auto rowY = [&](int row) { return layout.rowCenter(row) - options.scrollY + viewport.top(); };

  if (hit.row >= 0 && (options.visible & ShowMigrations)) {
    const auto &migrations = trace.migrations();
    for (std::size_t i = 0; i < migrations.size(); ++i) {
      const MigrationSpan &m = migrations[i];
      if (m.row != hit.row)
        continue;
      const double end = std::isnan(m.end) ? options.now : m.end;
      const double x0 = axis.xForTime(m.start), x1 = std::max(axis.xForTime(end), x0 + 3);
      if (point.x() >= x0 - kTolerance && point.x() <= x1 + kTolerance) {
        hit.kind = DiagramHit::Kind::Migration;
        hit.migration = static_cast<int>(i);
        hit.details = describeMigration(m, trace);
        return hit;
      }
    }
  }
  if (options.visible & ShowMessages) {
    double best = kTolerance;
    const double tolerance = kTolerance * axis.secondsPerPixel();
    const auto &channels = trace.channels();
    for (std::size_t c = 0; c < channels.size(); ++c) {
      const Channel &channel = channels[c];
      const double ya = rowY(channel.fromRow), yb = rowY(channel.toRow);
      if (point.y() < std::min(ya, yb) - kTolerance || point.y() > std::max(ya, yb) + kTolerance)
        continue;
      const auto &messages = channel.messages;
      auto bySend = [](const Message &m, double t) { return m.sendTime < t; };
      auto it = std::lower_bound(messages.begin(), messages.end(),
                                 hit.time - channel.maxLatency - tolerance, bySend);
      for (; it != messages.end() && it->sendTime <= hit.time + tolerance; ++it) {
        const double d = distanceToSegment(point, QPointF(axis.xForTime(it->sendTime), ya),
                                           QPointF(axis.xForTime(it->receiveTime), yb));
        if (d <= best) {
          best = d;
          hit.kind = DiagramHit::Kind::Message;
          hit.channel = static_cast<int>(c);
          hit.message = static_cast<int>(it - messages.begin());
        }
      }
    }
    if (hit.kind == DiagramHit::Kind::Message) {
      const Channel &channel = channels[hit.channel];
      hit.details = describeMessage(trace, channel, channel.messages[hit.message]);
      return hit;
    }
  }
  if (hit.row < 0)
    return hit;
  if (options.visible & ShowMarkers) {
    const auto &markers = trace.markers();
    for (std::size_t i = 0; i < markers.size(); ++i) {
      const Marker &m = markers[i];
      if (m.row == hit.row && std::abs(axis.xForTime(m.time) - point.x()) <= kTolerance) {
        hit.kind = DiagramHit::Kind::Marker;
        hit.marker = static_cast<int>(i);
        hit.details = trace.rows()[m.row].label() +
                      QStringLiteral(" at %1 s: ").arg(m.time, 0, 'f', 6) + m.text;
        return hit;
      }
    }
  }
  const ProcessRow &row = trace.rows()[hit.row];
  const int host = trace.hostAt(hit.row, hit.time);
  hit.kind = DiagramHit::Kind::State;
  hit.details = QStringLiteral("%1\n%2 on %3 at %4 s")
                    .arg(row.label(), QLatin1String(stateName(trace.stateAt(hit.row, hit.time))),
                         host >= 0 ? trace.hosts()[host] : QStringLiteral("?"))
                    .arg(hit.time, 0, 'f', 6);
  return hit;
}

} // namespace snow::monitor
