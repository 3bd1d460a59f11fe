// An append-only array whose elements never move: segments of doubling size
// (1K, 1K, 2K, 4K, … elements), so a table of millions of entries is neither
// copied as it grows nor written twice, and the big segments sit on huge
// pages (zeroed_memory.hpp). For the decoder's block table, which gains one
// entry per announced block and is read by id for every pointer.
#pragma once

#include "zeroed_memory.hpp"

#include <algorithm>
#include <cstddef>
#include <type_traits>
#include <utility>
#include <vector>

namespace snow::msr {

template <typename T> class SegmentedVector {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>,
                "elements live in zeroed memory and are never destroyed");

public:
  static constexpr unsigned kFirstLog2 = 10;  // the first two segments hold 1024 elements each

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  T &operator[](std::size_t i) {
    const Where w = where(i);
    return segments_[w.segment][w.offset];
  }
  const T &operator[](std::size_t i) const {
    const Where w = where(i);
    return segments_[w.segment][w.offset];
  }

  // Calls fn(index, element) for the elements from `first` on, in order
  // (a walk through the segments: no index arithmetic per element).
  template <typename Fn> void for_each_from(std::size_t first, Fn &&fn) {
    for (std::size_t i = first; i < size_;) {
      const Where w = where(i);
      T *p = segments_[w.segment].data() + w.offset;
      const std::size_t n = std::min(segments_[w.segment].size() - w.offset, size_ - i);
      for (std::size_t k = 0; k < n; ++k) fn(i + k, p[k]);
      i += n;
    }
  }

  void push_back(const T &value) {
    if (tail_ == tail_end_) add_segment();  // the last segment is full (or there is none)
    *tail_++ = value;
    ++size_;
  }

private:
  struct Where {
    std::size_t segment, offset;
  };
  // Segment 0 holds [0, 1K), segment s >= 1 holds [2^(s-1) K, 2^s K).
  static Where where(std::size_t i) {
    const std::size_t group = i >> kFirstLog2;
    if (group == 0) return {0, i};
    const unsigned top = static_cast<unsigned>(sizeof(unsigned long long) * 8 - 1) -
                         static_cast<unsigned>(__builtin_clzll(static_cast<unsigned long long>(group)));
    return {top + 1, i - (std::size_t{1} << (kFirstLog2 + top))};
  }

  void add_segment() {
    const std::size_t s = segments_.size();
    segments_.emplace_back(std::size_t{1} << (kFirstLog2 + (s ? s - 1 : 0)));
    tail_ = segments_.back().begin();
    tail_end_ = segments_.back().end();
  }

  std::vector<ZeroedArray<T>> segments_;
  std::size_t size_ = 0;
  T *tail_ = nullptr;      // the next free element of the last segment
  T *tail_end_ = nullptr;  // the end of the last segment
};

} // namespace snow::msr
