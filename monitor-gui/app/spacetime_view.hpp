// The space-time diagram as a widget: it owns the view state (time axis,
// vertical scroll, follow-live, replay cutoff, legend filter, selection) and
// leaves the drawing to SpaceTimeRenderer and the hit tests to hitTest().
// Wheel zooms around the pointer, a drag pans, Shift+drag (or the right
// button) zooms to a rubber band; hovering shows details, a click selects.
#pragma once

#include "execution_trace.hpp"
#include "row_layout.hpp"
#include "spacetime_renderer.hpp"
#include "time_axis.hpp"

#include <QAbstractScrollArea>

class QRubberBand;

namespace snow::monitor {

class SpaceTimeView : public QAbstractScrollArea {
  Q_OBJECT
public:
  explicit SpaceTimeView(QWidget *parent = nullptr);

  // The trace to draw; it must outlive the view or be replaced first.
  void setTrace(const ExecutionTrace *trace, bool live);
  // New events were appended to the trace.
  void traceGrew();

  void setVisibleKinds(unsigned kinds);
  unsigned visibleKinds() const { return options_.visible; }
  void setCutoff(double seconds); // replay: +infinity shows everything
  void setFollow(bool follow);
  bool follow() const { return follow_; }
  void fitAll();
  void showRange(double from, double to);

  const TimeAxis &axis() const { return axis_; }
  RenderOptions renderOptions() const { return options_; }

signals:
  void followChanged(bool follow);
  void detailsChanged(const QString &details);

protected:
  void paintEvent(QPaintEvent *event) override;
  void resizeEvent(QResizeEvent *event) override;
  void wheelEvent(QWheelEvent *event) override;
  void mousePressEvent(QMouseEvent *event) override;
  void mouseMoveEvent(QMouseEvent *event) override;
  void mouseReleaseEvent(QMouseEvent *event) override;
  bool viewportEvent(QEvent *event) override;
  void scrollContentsBy(int dx, int dy) override;

private:
  void relayoutRows();
  void updateScrollBar();
  void stopFollowing();
  double now() const;

  const ExecutionTrace *trace_ = nullptr;
  bool live_ = false;
  RowLayout layout_;
  std::size_t laidOutRows_ = 0;
  TimeAxis axis_;
  RenderOptions options_;
  bool follow_ = true;
  QPoint pressPos_, lastPos_;
  bool panning_ = false;
  QRubberBand *rubberBand_ = nullptr;
  bool zoomingToBand_ = false;
};

} // namespace snow::monitor
