// Draws the space-time diagram of an ExecutionTrace with a QPainter (a
// widget, a QImage for PNG, a QSvgGenerator for SVG, the benchmark).
//
// Level of detail: the cost of a frame is bounded by pixels, not events.
// Per row, after drawing the state that covers a pixel column the renderer
// jumps (binary search) to the first state change past it; per channel it
// draws at most one arrow every `minArrowSpacing` pixels of send time and
// jumps likewise. Zoomed in, every state and message is drawn as it is.
#pragma once

#include "execution_trace.hpp"
#include "row_layout.hpp"
#include "time_axis.hpp"

#include <QColor>
#include <QRectF>

#include <limits>

class QPainter;

namespace snow::monitor {

enum DiagramKind : unsigned {
  ShowComputing = 1u << 0,
  ShowWaiting = 1u << 1,
  ShowMigrating = 1u << 2,
  ShowMessages = 1u << 3,
  ShowMigrations = 1u << 4,
  ShowMarkers = 1u << 5,
  ShowEverything = 0x3fu,
};

struct DiagramPalette {
  static QColor state(ProcessState state);
  static QColor phase(Phase phase);
  static QColor host(int host);
  static QColor message();
  static QColor failure();
};

struct RenderOptions {
  unsigned visible = ShowEverything;
  // Replay: nothing after this time is drawn.
  double cutoff = std::numeric_limits<double>::infinity();
  // Where open states (a process still running) end: the live "now".
  double now = 0;
  double scrollY = 0;      // vertical scroll of the rows, in pixels
  double labelWidth = 170; // the fixed column of row labels
  double minArrowSpacing = 3;
  int selectedMigration = -1; // index into migrations(), highlighted
};

struct RenderStats {
  std::size_t stateRects = 0;
  std::size_t arrows = 0;
  std::size_t migrations = 0;
};

class SpaceTimeRenderer {
public:
  // `viewport` is the painter's area; the axis's left is the plot's left.
  static RenderStats paint(QPainter &painter, const QRectF &viewport, const ExecutionTrace &trace,
                           const RowLayout &layout, const TimeAxis &axis,
                           const RenderOptions &options);
};

} // namespace snow::monitor
