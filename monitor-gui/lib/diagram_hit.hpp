// What is under a point of the space-time diagram, and its details as text
// for the hover tooltip and the details pane.
#pragma once

#include "execution_trace.hpp"
#include "row_layout.hpp"
#include "spacetime_renderer.hpp"
#include "time_axis.hpp"

#include <QPointF>
#include <QString>

namespace snow::monitor {

struct DiagramHit {
  enum class Kind { Nothing, Message, Migration, Marker, State } kind = Kind::Nothing;
  int row = -1;
  int channel = -1, message = -1; // a message: channels()[channel].messages[message]
  int migration = -1;             // index into migrations()
  int marker = -1;                // index into markers()
  double time = 0;                // the time under the point
  QString details;
};

// `point` in the same coordinates the renderer painted `viewport` in.
DiagramHit hitTest(const ExecutionTrace &trace, const RowLayout &layout, const TimeAxis &axis,
                   const RenderOptions &options, const QRectF &viewport, QPointF point);

QString describeMigration(const MigrationSpan &migration, const ExecutionTrace &trace);
QString describeMessage(const ExecutionTrace &trace, const Channel &channel,
                        const Message &message);

} // namespace snow::monitor
