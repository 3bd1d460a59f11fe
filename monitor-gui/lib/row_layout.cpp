#include "row_layout.hpp"

#include "execution_trace.hpp"

#include <algorithm>

namespace snow::monitor {

void RowLayout::build(const ExecutionTrace &trace) {
  const auto &rows = trace.rows();
  order_.resize(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i)
    order_[i] = static_cast<int>(i);
  // Hosts in the order they first appear, processes by id within a host.
  std::stable_sort(order_.begin(), order_.end(), [&](int a, int b) {
    if (rows[a].initialHost != rows[b].initialHost)
      return rows[a].initialHost < rows[b].initialHost;
    return a < b;
  });
  rowY_.assign(rows.size(), top);
  groups_.clear();
  double y = top;
  for (std::size_t i = 0; i < order_.size(); ++i) {
    const int row = order_[i];
    if (groups_.empty() || groups_.back().host != rows[row].initialHost) {
      groups_.push_back({rows[row].initialHost, y, static_cast<int>(i), 0});
      y += headerHeight;
    }
    ++groups_.back().count;
    rowY_[row] = y;
    y += rowHeight;
  }
  height_ = y;
}

int RowLayout::rowAt(double y) const {
  for (const HostGroup &group : groups_) {
    const double first = group.y + headerHeight;
    if (y < first || y >= first + group.count * rowHeight)
      continue;
    return order_[group.firstDisplay + static_cast<int>((y - first) / rowHeight)];
  }
  return -1;
}

} // namespace snow::monitor
