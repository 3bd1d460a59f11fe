// The space-time diagram's time↔pixel mapping: a plain value type, so that
// zooming, panning and the ruler are checked by table-driven tests without a
// widget. x grows to the right with time; `left` is the x of time `start`.
#pragma once

#include <vector>

namespace snow::monitor {

class TimeAxis {
public:
  static constexpr double kMinSecondsPerPixel = 1e-7; // 100 ns per pixel
  static constexpr double kMaxSecondsPerPixel = 1e4;

  TimeAxis() = default;
  TimeAxis(double start, double secondsPerPixel, double left = 0);

  double start() const { return start_; }
  double secondsPerPixel() const { return secondsPerPixel_; }
  double left() const { return left_; }
  void setLeft(double left) { left_ = left; }

  double xForTime(double seconds) const { return left_ + (seconds - start_) / secondsPerPixel_; }
  double timeForX(double x) const { return start_ + (x - left_) * secondsPerPixel_; }
  // The time at the right edge of a plot `width` pixels wide.
  double endForWidth(double width) const { return start_ + width * secondsPerPixel_; }

  // Shows [from, to] across `width` pixels.
  void fit(double from, double to, double width);
  // Scales by `factor` (>1 zooms in) keeping the time under `x` where it is.
  void zoomAround(double x, double factor);
  // Moves the view by `dx` pixels (dx > 0 shows earlier times).
  void panByPixels(double dx);
  // Keeps `seconds` at `x`: the live view's auto-scroll.
  void anchor(double seconds, double x);

  // The ruler: a step of 1, 2 or 5 × 10^k seconds whose ticks are at least
  // `minPixels` apart, and the ticks within [timeForX(x0), timeForX(x1)].
  double tickStep(double minPixels) const;
  std::vector<double> ticks(double x0, double x1, double minPixels) const;

private:
  double start_ = 0;
  double secondsPerPixel_ = 0.01;
  double left_ = 0;
};

} // namespace snow::monitor
