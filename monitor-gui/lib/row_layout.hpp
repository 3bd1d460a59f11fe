// Where each process row of the space-time diagram sits vertically: rows
// grouped under the host each process started on, a header per host.
#pragma once

#include <QString>

#include <vector>

namespace snow::monitor {

class ExecutionTrace;

struct HostGroup {
  int host;         // index into ExecutionTrace::hosts()
  double y;         // top of the header
  int firstDisplay; // index into RowLayout::order of its first row
  int count;
};

class RowLayout {
public:
  double top = 24;          // below the ruler
  double rowHeight = 18;    // one process
  double headerHeight = 16; // one host's header
  double barHeight = 10;    // the state bar inside a row

  void build(const ExecutionTrace &trace);

  const std::vector<int> &order() const { return order_; } // display position → row
  const std::vector<HostGroup> &groups() const { return groups_; }
  double rowTop(int row) const { return row < int(rowY_.size()) ? rowY_[row] : top; }
  double rowCenter(int row) const { return rowTop(row) + rowHeight / 2; }
  double height() const { return height_; }
  // The row under `y` (content coordinates), or -1.
  int rowAt(double y) const;

private:
  std::vector<int> order_;
  std::vector<double> rowY_;
  std::vector<HostGroup> groups_;
  double height_ = 0;
};

} // namespace snow::monitor
