#include "arrow_geometry.hpp"

#include <algorithm>
#include <cmath>

namespace snow::monitor {

ArrowGeometry arrowBetween(QPointF from, QPointF to, double headLength, double headAngle) {
  ArrowGeometry arrow;
  arrow.shaft = QLineF(from, to);
  const double length = arrow.shaft.length();
  if (length < headLength || headLength <= 0)
    return arrow;
  // The barbs point back along the shaft, turned by ±headAngle.
  const double back = std::atan2(from.y() - to.y(), from.x() - to.x());
  const double turn = headAngle * M_PI / 180;
  arrow.barbLeft = to + QPointF(std::cos(back + turn), std::sin(back + turn)) * headLength;
  arrow.barbRight = to + QPointF(std::cos(back - turn), std::sin(back - turn)) * headLength;
  arrow.hasHead = true;
  return arrow;
}

double distanceToSegment(QPointF point, QPointF a, QPointF b) {
  const QPointF ab = b - a;
  const double lengthSquared = QPointF::dotProduct(ab, ab);
  if (lengthSquared == 0)
    return QLineF(point, a).length();
  const double t = std::clamp(QPointF::dotProduct(point - a, ab) / lengthSquared, 0.0, 1.0);
  return QLineF(point, a + ab * t).length();
}

} // namespace snow::monitor
