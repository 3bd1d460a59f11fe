// Where a message arrow is drawn and what counts as pointing at it: the
// send point, the receive point and the two barbs of the head, in pixels.
#pragma once

#include <QLineF>
#include <QPointF>

namespace snow::monitor {

struct ArrowGeometry {
  QLineF shaft;     // from the send to the receive
  QPointF barbLeft; // the head's two barbs, ending at shaft.p2()
  QPointF barbRight;
  bool hasHead = false; // no head when the arrow is shorter than its head
};

// headLength in pixels, headAngle in degrees on either side of the shaft.
ArrowGeometry arrowBetween(QPointF from, QPointF to, double headLength = 7, double headAngle = 25);

// Distance from `point` to the segment [a, b], for hover and click hits.
double distanceToSegment(QPointF point, QPointF a, QPointF b);

} // namespace snow::monitor
