#include "spacetime_renderer.hpp"

#include "arrow_geometry.hpp"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace snow::monitor {

QColor DiagramPalette::state(ProcessState state) {
  switch (state) {
  case ProcessState::Computing:
    return QColor(0x4c, 0xa8, 0x5a);
  case ProcessState::Waiting:
    return QColor(0xe8, 0xc5, 0x47);
  case ProcessState::Migrating:
    return QColor(0xd9, 0x53, 0x4f);
  case ProcessState::Exited:
    break;
  }
  return QColor(0xcc, 0xcc, 0xcc);
}

QColor DiagramPalette::phase(Phase phase) {
  switch (phase) {
  case Phase::Collect:
    return QColor(0x7e, 0x57, 0xc2);
  case Phase::Transfer:
    return QColor(0x29, 0xa6, 0xe6);
  case Phase::Restore:
    return QColor(0xff, 0x98, 0x00);
  case Phase::Rollback:
    return QColor(0x75, 0x75, 0x75);
  }
  return Qt::gray;
}

QColor DiagramPalette::host(int host) {
  static const QColor colours[] = {QColor(0x3b, 0x6e, 0xb5), QColor(0xb5, 0x5d, 0x3b),
                                   QColor(0x5d, 0x9c, 0x59), QColor(0x8e, 0x5c, 0xa8),
                                   QColor(0xc9, 0xa2, 0x27), QColor(0x3b, 0xa8, 0xa8)};
  return colours[static_cast<unsigned>(host) % std::size(colours)];
}

QColor DiagramPalette::message() { return QColor(0x1f, 0x2f, 0x6e); }
QColor DiagramPalette::failure() { return QColor(0xc6, 0x28, 0x28); }

namespace {

unsigned stateBit(ProcessState state) {
  switch (state) {
  case ProcessState::Computing:
    return ShowComputing;
  case ProcessState::Waiting:
    return ShowWaiting;
  case ProcessState::Migrating:
    return ShowMigrating;
  case ProcessState::Exited:
    break;
  }
  return 0;
}

struct Frame {
  QPainter &painter;
  const QRectF &viewport;
  const ExecutionTrace &trace;
  const RowLayout &layout;
  const TimeAxis &axis;
  const RenderOptions &options;
  RenderStats stats;
  double plotLeft, plotRight;
  double t0, t1; // visible times, clipped to the cutoff

  double rowY(int row) const { return layout.rowTop(row) - options.scrollY + viewport.top(); }
  bool rowVisible(int row) const {
    const double y = rowY(row);
    return y + layout.rowHeight >= viewport.top() + layout.top && y <= viewport.bottom();
  }
};

// One row's states, merged into runs of whole pixel columns. A column is
// drawn in the state in force at its left edge; the changes inside it are
// skipped with a binary search, so a row costs O(columns · log changes).
void paintStates(Frame &f, int row) {
  const auto &states = f.trace.rows()[row].states;
  if (states.empty())
    return;
  const double y = f.rowY(row) + (f.layout.rowHeight - f.layout.barHeight) / 2;
  const double end = std::min(f.t1, f.options.now);
  auto byTime = [](double t, const StateChange &c) { return t < c.time; };
  auto it = std::upper_bound(states.begin(), states.end(), f.t0, byTime);
  if (it != states.begin())
    --it;
  double runStart = 0, runEnd = 0, cursor = f.plotLeft;
  ProcessState runState = ProcessState::Exited;
  auto flush = [&] {
    if (runEnd > runStart && (stateBit(runState) & f.options.visible)) {
      f.painter.fillRect(QRectF(runStart, y, runEnd - runStart, f.layout.barHeight),
                         DiagramPalette::state(runState));
      ++f.stats.stateRects;
    }
  };
  while (it != states.end() && it->time <= end) {
    const auto next = std::next(it);
    const double spanEnd = std::min(next == states.end() ? end : next->time, end);
    const double xs = std::max(std::floor(std::max(f.axis.xForTime(it->time), f.plotLeft)), cursor);
    double xe = std::floor(std::min(f.axis.xForTime(spanEnd), f.plotRight));
    if (xe <= xs)
      xe = xs + 1;
    if (it->state == runState && xs <= runEnd) {
      runEnd = xe;
    } else {
      flush();
      runStart = xs;
      runEnd = xe;
      runState = it->state;
    }
    cursor = xe;
    if (xe >= f.plotRight || next == states.end())
      break;
    // The state in force at the next column's left edge.
    const auto inForce =
        std::prev(std::upper_bound(next, states.end(), f.axis.timeForX(xe), byTime));
    it = inForce == it ? next : inForce;
  }
  flush();
}

// A thin strip under the bar in the colour of the host the process is on.
void paintHostStrip(Frame &f, int row) {
  const ProcessRow &r = f.trace.rows()[row];
  if (r.hosts.empty() || r.states.empty())
    return;
  const double y = f.rowY(row) + (f.layout.rowHeight + f.layout.barHeight) / 2;
  const double lifeEnd =
      r.states.back().state == ProcessState::Exited ? r.states.back().time : f.options.now;
  const double end = std::min({f.t1, lifeEnd, f.options.now});
  for (std::size_t i = 0; i < r.hosts.size(); ++i) {
    const double begin = i == 0 ? r.states.front().time : r.hosts[i].time;
    const double stop = i + 1 < r.hosts.size() ? r.hosts[i + 1].time : end;
    const double x0 = std::max(f.axis.xForTime(begin), f.plotLeft);
    const double x1 = std::min(f.axis.xForTime(std::min(stop, end)), f.plotRight);
    if (x1 <= x0)
      continue;
    f.painter.fillRect(QRectF(x0, y + 1, x1 - x0, 2), DiagramPalette::host(r.hosts[i].host));
  }
}

void paintMigrations(Frame &f) {
  const auto &migrations = f.trace.migrations();
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    const MigrationSpan &m = migrations[i];
    if (m.start > f.t1 || !f.rowVisible(m.row))
      continue;
    const double end = std::isnan(m.end) ? std::min(f.options.now, f.t1) : std::min(m.end, f.t1);
    if (end < f.t0)
      continue;
    const double top = f.rowY(m.row) + 1;
    const double x0 = f.axis.xForTime(m.start);
    const double x1 = std::max(f.axis.xForTime(end), x0 + 3);
    const QRectF span(x0, top, x1 - x0, f.layout.rowHeight - 2);
    const bool selected = static_cast<int>(i) == f.options.selectedMigration;
    QColor outline = m.failed ? DiagramPalette::failure() : QColor(0x30, 0x30, 0x30);
    f.painter.setPen(
        QPen(outline, selected ? 2.5 : 1.2, m.checkpoint ? Qt::DashLine : Qt::SolidLine));
    f.painter.setBrush(Qt::NoBrush);
    f.painter.drawRect(span);
    // The phases as thin bars along the bottom of the span.
    for (int p = 0; p < kPhaseCount; ++p) {
      const PhaseSpan &phase = m.phases[p];
      if (!phase.seen())
        continue;
      const double begin = std::isnan(phase.begin) ? m.start : phase.begin;
      const double stop = std::isnan(phase.end) ? end : std::min(phase.end, end);
      const double px0 = f.axis.xForTime(begin), px1 = std::max(f.axis.xForTime(stop), px0 + 1);
      const double lane = (p == static_cast<int>(Phase::Transfer)) ? 1 : 0;
      f.painter.fillRect(QRectF(px0, span.bottom() - 3 - lane * 3, px1 - px0, 3),
                         DiagramPalette::phase(static_cast<Phase>(p)));
    }
    if (m.failed) {
      f.painter.setPen(QPen(DiagramPalette::failure(), 2));
      f.painter.drawLine(QPointF(x1 - 5, top + 2), QPointF(x1 + 3, top + 10));
      f.painter.drawLine(QPointF(x1 - 5, top + 10), QPointF(x1 + 3, top + 2));
    }
    const QString label =
        (m.checkpoint ? QStringLiteral("checkpoint") : QStringLiteral("→ ") + m.to) +
        (m.failed ? QStringLiteral(" failed") : QString());
    if (x1 - x0 > 4 || selected) {
      // On a light plate: the label sits on the row's bar.
      const QRectF text =
          QRectF(f.painter.fontMetrics().boundingRect(label)).translated(x1 + 4, top + 11);
      f.painter.fillRect(text.adjusted(-2, 0, 2, 0), QColor(255, 255, 255, 210));
      f.painter.setPen(m.failed ? DiagramPalette::failure() : QColor(0x20, 0x20, 0x20));
      f.painter.drawText(QPointF(x1 + 4, top + 11), label);
    }
    ++f.stats.migrations;
  }
}

void paintMessages(Frame &f) {
  QVector<QLineF> shafts, heads;
  const double spacing = std::max(f.options.minArrowSpacing, 0.5);
  for (const Channel &channel : f.trace.channels()) {
    const double ya = f.rowY(channel.fromRow) + f.layout.rowHeight / 2;
    const double yb = f.rowY(channel.toRow) + f.layout.rowHeight / 2;
    const double top = f.viewport.top() + f.layout.top, bottom = f.viewport.bottom();
    if ((ya < top && yb < top) || (ya > bottom && yb > bottom))
      continue;
    const auto &messages = channel.messages;
    auto bySend = [](const Message &m, double t) { return m.sendTime < t; };
    auto it = std::lower_bound(messages.begin(), messages.end(), f.t0 - channel.maxLatency, bySend);
    while (it != messages.end() && it->sendTime <= f.t1) {
      if (it->receiveTime < f.t0 || it->receiveTime > f.options.cutoff) {
        ++it;
        continue;
      }
      const QPointF from(f.axis.xForTime(it->sendTime), ya),
          to(f.axis.xForTime(it->receiveTime), yb);
      const ArrowGeometry arrow = arrowBetween(from, to, 6, 22);
      shafts.push_back(arrow.shaft);
      if (arrow.hasHead) {
        heads.push_back(QLineF(arrow.barbLeft, to));
        heads.push_back(QLineF(arrow.barbRight, to));
      }
      // At most one arrow per `spacing` pixels of send time on a channel.
      const double nextTime = f.axis.timeForX(std::floor(from.x()) + spacing);
      ++it;
      if (it != messages.end() && it->sendTime < nextTime)
        it = std::lower_bound(it, messages.end(), nextTime, bySend);
    }
  }
  f.stats.arrows = shafts.size();
  // Dense arrows read better without heads, and need no antialiasing (which
  // costs several times as much per line).
  const bool dense = shafts.size() > 2000;
  f.painter.save();
  if (dense)
    f.painter.setRenderHint(QPainter::Antialiasing, false);
  f.painter.setPen(QPen(DiagramPalette::message(), 1));
  f.painter.drawLines(shafts);
  if (!dense)
    f.painter.drawLines(heads);
  f.painter.restore();
}

void paintMarkers(Frame &f) {
  for (const Marker &m : f.trace.markers()) {
    if (m.time < f.t0 || m.time > f.t1 || !f.rowVisible(m.row))
      continue;
    const double x = f.axis.xForTime(m.time), y = f.rowY(m.row);
    switch (m.kind) {
    case MarkerKind::Exit:
      f.painter.fillRect(QRectF(x - 1, y + 2, 2, f.layout.rowHeight - 4), Qt::black);
      break;
    case MarkerKind::ChannelDrain:
    case MarkerKind::ChannelRedirect:
    case MarkerKind::Restored: {
      const double c = y + f.layout.rowHeight / 2;
      QPolygonF diamond(
          {QPointF(x, c - 4), QPointF(x + 4, c), QPointF(x, c + 4), QPointF(x - 4, c)});
      f.painter.setPen(Qt::black);
      f.painter.setBrush(m.kind == MarkerKind::ChannelDrain ? QColor(Qt::white)
                         : m.kind == MarkerKind::Restored   ? DiagramPalette::phase(Phase::Restore)
                                                            : QColor(0x90, 0x90, 0x90));
      f.painter.drawPolygon(diamond);
      break;
    }
    }
  }
}

QString formatSeconds(double t, double step) {
  int decimals = 0;
  while (decimals < 7 && step * std::pow(10.0, decimals) < 0.999)
    ++decimals;
  return QString::number(t, 'f', decimals) + QStringLiteral(" s");
}

void paintRuler(Frame &f) {
  const QRectF ruler(f.viewport.left(), f.viewport.top(), f.viewport.width(), f.layout.top);
  f.painter.fillRect(ruler, QColor(0xf0, 0xf0, 0xf0));
  f.painter.setPen(QColor(0x60, 0x60, 0x60));
  f.painter.drawLine(QPointF(f.plotLeft, ruler.bottom()), QPointF(f.plotRight, ruler.bottom()));
  const double step = f.axis.tickStep(80);
  for (const double t : f.axis.ticks(f.plotLeft, f.plotRight, 80)) {
    const double x = f.axis.xForTime(t);
    f.painter.drawLine(QPointF(x, ruler.bottom() - 5), QPointF(x, ruler.bottom()));
    f.painter.drawText(QPointF(x + 2, ruler.bottom() - 7), formatSeconds(t, step));
  }
}

void paintLabels(Frame &f) {
  const QRectF column(f.viewport.left(), f.viewport.top() + f.layout.top, f.options.labelWidth,
                      f.viewport.height() - f.layout.top);
  f.painter.fillRect(column, QColor(0xfa, 0xfa, 0xfa));
  const auto &rows = f.trace.rows();
  for (const HostGroup &group : f.layout.groups()) {
    const double y = group.y - f.options.scrollY + f.viewport.top();
    if (y + f.layout.headerHeight + group.count * f.layout.rowHeight < column.top() ||
        y > column.bottom())
      continue;
    f.painter.fillRect(QRectF(f.viewport.left(), y, f.viewport.width(), f.layout.headerHeight),
                       DiagramPalette::host(group.host).lighter(175));
    f.painter.setPen(DiagramPalette::host(group.host).darker(160));
    QFont bold = f.painter.font();
    bold.setBold(true);
    f.painter.save();
    f.painter.setFont(bold);
    f.painter.drawText(QPointF(f.viewport.left() + 4, y + f.layout.headerHeight - 4),
                       f.trace.hosts()[group.host]);
    f.painter.restore();
    for (int i = 0; i < group.count; ++i) {
      const int row = f.layout.order()[group.firstDisplay + i];
      const double ry = f.rowY(row);
      if (ry + f.layout.rowHeight < column.top() || ry > column.bottom())
        continue;
      f.painter.setPen(Qt::black);
      f.painter.drawText(
          QRectF(f.viewport.left() + 10, ry, f.options.labelWidth - 12, f.layout.rowHeight),
          Qt::AlignVCenter | Qt::AlignLeft, rows[row].label());
    }
  }
  f.painter.setPen(QColor(0xb0, 0xb0, 0xb0));
  f.painter.drawLine(QPointF(f.plotLeft, column.top()), QPointF(f.plotLeft, column.bottom()));
}

} // namespace

RenderStats SpaceTimeRenderer::paint(QPainter &painter, const QRectF &viewport,
                                     const ExecutionTrace &trace, const RowLayout &layout,
                                     const TimeAxis &axis, const RenderOptions &options) {
  painter.save();
  painter.setClipRect(viewport);
  painter.fillRect(viewport, Qt::white);
  Frame f{painter, viewport, trace, layout, axis, options, {}, axis.left(), viewport.right(), 0, 0};
  f.t0 = axis.timeForX(f.plotLeft);
  f.t1 = std::min(axis.timeForX(f.plotRight), options.cutoff);
  const bool antialias = painter.testRenderHint(QPainter::Antialiasing);

  painter.save();
  painter.setClipRect(QRectF(f.plotLeft, viewport.top() + layout.top, f.plotRight - f.plotLeft,
                             viewport.height() - layout.top));
  painter.setRenderHint(QPainter::Antialiasing, false);
  for (const int row : layout.order()) {
    if (!f.rowVisible(row))
      continue;
    paintStates(f, row);
    paintHostStrip(f, row);
  }
  painter.setRenderHint(QPainter::Antialiasing, antialias);
  if (options.visible & ShowMessages)
    paintMessages(f);
  if (options.visible & ShowMigrations)
    paintMigrations(f);
  if (options.visible & ShowMarkers)
    paintMarkers(f);
  if (options.cutoff < axis.timeForX(f.plotRight)) {
    const double x = axis.xForTime(options.cutoff);
    painter.setPen(QPen(QColor(0xc6, 0x28, 0x28), 1, Qt::DashLine));
    painter.drawLine(QPointF(x, viewport.top()), QPointF(x, viewport.bottom()));
  }
  painter.restore();

  paintLabels(f);
  paintRuler(f);
  painter.restore();
  return f.stats;
}

} // namespace snow::monitor
