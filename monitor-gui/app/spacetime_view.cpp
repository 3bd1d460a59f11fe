#include "spacetime_view.hpp"

#include "diagram_hit.hpp"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QRubberBand>
#include <QScrollBar>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace snow::monitor {

namespace {
constexpr double kLiveWindowSeconds = 30; // what follow-live shows at first
constexpr double kFollowMargin = 40;      // pixels right of "now"
} // namespace

SpaceTimeView::SpaceTimeView(QWidget *parent) : QAbstractScrollArea(parent) {
  setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
  viewport()->setMouseTracking(true);
  viewport()->setAttribute(Qt::WA_OpaquePaintEvent);
  axis_.setLeft(options_.labelWidth);
  rubberBand_ = new QRubberBand(QRubberBand::Rectangle, viewport());
}

void SpaceTimeView::setTrace(const ExecutionTrace *trace, bool live) {
  trace_ = trace;
  live_ = live;
  options_.cutoff = std::numeric_limits<double>::infinity();
  options_.selectedMigration = -1;
  laidOutRows_ = 0;
  relayoutRows();
  if (live) {
    setFollow(true);
  } else {
    follow_ = false;
    emit followChanged(false);
    fitAll();
  }
  viewport()->update();
}

double SpaceTimeView::now() const {
  if (!trace_)
    return 0;
  return std::min(trace_->endTime(), options_.cutoff);
}

void SpaceTimeView::traceGrew() {
  if (trace_ && trace_->rows().size() != laidOutRows_)
    relayoutRows();
  if (follow_) {
    const double plotWidth = viewport()->width() - options_.labelWidth;
    if (axis_.secondsPerPixel() * plotWidth > 4 * kLiveWindowSeconds &&
        trace_->endTime() < kLiveWindowSeconds)
      axis_.fit(0, kLiveWindowSeconds, plotWidth);
    axis_.anchor(now(), viewport()->width() - kFollowMargin);
  }
  viewport()->update();
}

void SpaceTimeView::relayoutRows() {
  if (trace_)
    layout_.build(*trace_);
  else
    layout_ = RowLayout();
  laidOutRows_ = trace_ ? trace_->rows().size() : 0;
  updateScrollBar();
}

void SpaceTimeView::updateScrollBar() {
  const int content = static_cast<int>(layout_.height()) + 10;
  verticalScrollBar()->setRange(0, std::max(0, content - viewport()->height()));
  verticalScrollBar()->setPageStep(viewport()->height());
  verticalScrollBar()->setSingleStep(static_cast<int>(layout_.rowHeight));
}

void SpaceTimeView::setVisibleKinds(unsigned kinds) {
  options_.visible = kinds;
  viewport()->update();
}

void SpaceTimeView::setCutoff(double seconds) {
  options_.cutoff = seconds;
  viewport()->update();
}

void SpaceTimeView::setFollow(bool follow) {
  if (follow_ == follow)
    return;
  follow_ = follow;
  emit followChanged(follow);
  if (follow)
    traceGrew();
}

void SpaceTimeView::stopFollowing() { setFollow(false); }

void SpaceTimeView::fitAll() {
  if (!trace_)
    return;
  const double span = std::max(trace_->endTime() - trace_->beginTime(), 1e-3);
  axis_.fit(trace_->beginTime() - span * 0.01, trace_->endTime() + span * 0.02,
            viewport()->width() - options_.labelWidth);
  viewport()->update();
}

void SpaceTimeView::showRange(double from, double to) {
  setFollow(false);
  axis_.fit(from, to, viewport()->width() - options_.labelWidth);
  viewport()->update();
}

void SpaceTimeView::paintEvent(QPaintEvent *) {
  QPainter painter(viewport());
  const QRectF area = viewport()->rect();
  if (!trace_ || trace_->rows().empty()) {
    painter.fillRect(area, Qt::white);
    painter.setPen(Qt::gray);
    painter.drawText(area, Qt::AlignCenter,
                     live_ ? tr("Waiting for processes…") : tr("Open a trace (File ▸ Open trace)"));
    return;
  }
  options_.now = now();
  options_.scrollY = verticalScrollBar()->value();
  painter.setRenderHint(QPainter::TextAntialiasing);
  SpaceTimeRenderer::paint(painter, area, *trace_, layout_, axis_, options_);
}

void SpaceTimeView::resizeEvent(QResizeEvent *event) {
  QAbstractScrollArea::resizeEvent(event);
  updateScrollBar();
  if (follow_)
    traceGrew();
}

void SpaceTimeView::scrollContentsBy(int, int) { viewport()->update(); }

void SpaceTimeView::wheelEvent(QWheelEvent *event) {
  if (event->modifiers() & Qt::ShiftModifier) {
    QAbstractScrollArea::wheelEvent(event); // vertical scroll
    return;
  }
  const double steps = event->angleDelta().y() / 120.0;
  if (steps == 0)
    return;
  stopFollowing();
  axis_.zoomAround(std::max(event->position().x(), options_.labelWidth), std::pow(1.25, steps));
  viewport()->update();
}

void SpaceTimeView::mousePressEvent(QMouseEvent *event) {
  pressPos_ = lastPos_ = event->position().toPoint();
  zoomingToBand_ = event->button() == Qt::RightButton ||
                   (event->button() == Qt::LeftButton && (event->modifiers() & Qt::ShiftModifier));
  panning_ = event->button() == Qt::LeftButton && !zoomingToBand_;
  if (zoomingToBand_) {
    rubberBand_->setGeometry(QRect(pressPos_, QSize()));
    rubberBand_->show();
  }
}

void SpaceTimeView::mouseMoveEvent(QMouseEvent *event) {
  const QPoint pos = event->position().toPoint();
  if (zoomingToBand_) {
    rubberBand_->setGeometry(QRect(pressPos_, pos).normalized());
  } else if (panning_) {
    const QPoint delta = pos - lastPos_;
    if (delta.x()) {
      stopFollowing();
      axis_.panByPixels(delta.x());
    }
    verticalScrollBar()->setValue(verticalScrollBar()->value() - delta.y());
    viewport()->update();
  }
  lastPos_ = pos;
}

void SpaceTimeView::mouseReleaseEvent(QMouseEvent *event) {
  const QPoint pos = event->position().toPoint();
  if (zoomingToBand_) {
    rubberBand_->hide();
    const QRect band = QRect(pressPos_, pos).normalized();
    if (band.width() > 4) {
      stopFollowing();
      const double from = axis_.timeForX(std::max<double>(band.left(), options_.labelWidth));
      const double to = axis_.timeForX(band.right());
      axis_.fit(from, to, viewport()->width() - options_.labelWidth);
      viewport()->update();
    }
  } else if (panning_ && (pos - pressPos_).manhattanLength() < 3 && trace_) {
    // A click: select and show details.
    const DiagramHit hit = hitTest(*trace_, layout_, axis_, options_, viewport()->rect(), pos);
    options_.selectedMigration = hit.kind == DiagramHit::Kind::Migration ? hit.migration : -1;
    emit detailsChanged(hit.details);
    viewport()->update();
  }
  zoomingToBand_ = panning_ = false;
}

bool SpaceTimeView::viewportEvent(QEvent *event) {
  if (event->type() == QEvent::ToolTip && trace_) {
    auto *help = static_cast<QHelpEvent *>(event);
    const DiagramHit hit =
        hitTest(*trace_, layout_, axis_, options_, viewport()->rect(), help->pos());
    if (hit.kind == DiagramHit::Kind::Nothing)
      QToolTip::hideText();
    else
      QToolTip::showText(help->globalPos(), hit.details, viewport());
    return true;
  }
  return QAbstractScrollArea::viewportEvent(event);
}

} // namespace snow::monitor
