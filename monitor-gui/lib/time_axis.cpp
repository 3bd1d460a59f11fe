#include "time_axis.hpp"

#include <algorithm>
#include <cmath>

namespace snow::monitor {

namespace {
double clampScale(double secondsPerPixel) {
  return std::clamp(secondsPerPixel, TimeAxis::kMinSecondsPerPixel, TimeAxis::kMaxSecondsPerPixel);
}
} // namespace

TimeAxis::TimeAxis(double start, double secondsPerPixel, double left)
    : start_(start), secondsPerPixel_(clampScale(secondsPerPixel)), left_(left) {}

void TimeAxis::fit(double from, double to, double width) {
  if (width < 1)
    width = 1;
  if (!(to > from))
    to = from + 1;
  start_ = from;
  secondsPerPixel_ = clampScale((to - from) / width);
}

void TimeAxis::zoomAround(double x, double factor) {
  if (!(factor > 0))
    return;
  const double pinned = timeForX(x);
  secondsPerPixel_ = clampScale(secondsPerPixel_ / factor);
  start_ = pinned - (x - left_) * secondsPerPixel_;
}

void TimeAxis::panByPixels(double dx) { start_ -= dx * secondsPerPixel_; }

void TimeAxis::anchor(double seconds, double x) {
  start_ = seconds - (x - left_) * secondsPerPixel_;
}

double TimeAxis::tickStep(double minPixels) const {
  const double minSeconds = std::max(minPixels, 1.0) * secondsPerPixel_;
  const double decade = std::pow(10.0, std::floor(std::log10(minSeconds)));
  for (const double mantissa : {1.0, 2.0, 5.0, 10.0})
    if (mantissa * decade >= minSeconds * (1 - 1e-9))
      return mantissa * decade;
  return 10 * decade;
}

std::vector<double> TimeAxis::ticks(double x0, double x1, double minPixels) const {
  const double step = tickStep(minPixels);
  std::vector<double> result;
  const double first = std::ceil(timeForX(x0) / step - 1e-9) * step;
  for (double t = first; xForTime(t) <= x1 + 1e-6; t += step) {
    // Snap to the step so that 0.30000000000000004 prints as 0.3.
    result.push_back(std::round(t / step) * step);
    if (result.size() > 10000)
      break;
  }
  return result;
}

} // namespace snow::monitor
