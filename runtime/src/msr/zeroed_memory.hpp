// Large zero-filled arrays for the engine's own bookkeeping: the registry's
// slot array and the decoder's staging copies.
//
// Both are allocated in one piece and then written at random (a hash table)
// or once through (a staging copy). From the kernel they come zeroed for free,
// so nothing here clears them again; and from 2 MiB on they are put on
// transparent huge pages, where a 64 MiB registry takes 32 page faults and
// few TLB misses instead of 16,384 faults and a TLB miss per lookup. On a
// virtual machine a page fault costs microseconds: for a million-block
// registry that was a third of a restore.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace snow::msr {

inline constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;

// `bytes` of zeroed memory, at least 16-byte aligned; throws std::bad_alloc.
// Release with release_zeroed(p, bytes) and the same size.
inline void *allocate_zeroed(std::size_t bytes) {
  if (bytes > SIZE_MAX - kHugePageBytes) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (bytes >= kHugePageBytes) {
    // Over-allocate by one huge page and trim, so the array starts on a huge
    // page boundary and every 2 MiB of it can be one huge page.
    const std::size_t span = bytes + kHugePageBytes;
    void *raw = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) throw std::bad_alloc();
    const auto start = reinterpret_cast<std::uintptr_t>(raw);
    const std::uintptr_t aligned = (start + kHugePageBytes - 1) & ~(std::uintptr_t{kHugePageBytes} - 1);
    const std::size_t head = aligned - start, tail = span - head - bytes;
    if (head != 0) munmap(raw, head);
    if (tail != 0) munmap(reinterpret_cast<void *>(aligned + bytes), tail);
    madvise(reinterpret_cast<void *>(aligned), bytes, MADV_HUGEPAGE);  // advice: failure is harmless
#if defined(MADV_POPULATE_WRITE)
    // Fault it all in now, huge page by huge page: every page will be
    // written (a hash table at random, a staging copy throughout), and a
    // page still unmapped when its first prefetch comes makes the prefetch
    // useless and the store behind it take the fault. (Linux 5.14; older
    // kernels refuse the advice and fault on first touch as before.)
    madvise(reinterpret_cast<void *>(aligned), bytes, MADV_POPULATE_WRITE);
#endif
    return reinterpret_cast<void *>(aligned);
  }
#endif
  void *p = std::calloc(bytes ? bytes : 1, 1);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

inline void release_zeroed(void *p, std::size_t bytes) {
  if (p == nullptr) return;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (bytes >= kHugePageBytes) {
    munmap(p, bytes);
    return;
  }
#endif
  (void)bytes;
  std::free(p);
}

// Owns one zeroed array of `T` (a trivially copyable type whose all-zero bytes
// are a valid value).
template <typename T> class ZeroedArray {
public:
  ZeroedArray() = default;
  explicit ZeroedArray(std::size_t count)
      : data_(static_cast<T *>(allocate_zeroed(checked_bytes(count)))), count_(count) {}
  ~ZeroedArray() { release_zeroed(data_, count_ * sizeof(T)); }
  ZeroedArray(ZeroedArray &&other) noexcept : data_(other.data_), count_(other.count_) {
    other.data_ = nullptr;
    other.count_ = 0;
  }
  ZeroedArray &operator=(ZeroedArray &&other) noexcept {
    if (this != &other) {
      release_zeroed(data_, count_ * sizeof(T));
      data_ = other.data_;
      count_ = other.count_;
      other.data_ = nullptr;
      other.count_ = 0;
    }
    return *this;
  }
  ZeroedArray(const ZeroedArray &) = delete;
  ZeroedArray &operator=(const ZeroedArray &) = delete;

  T *data() { return data_; }
  const T *data() const { return data_; }
  std::size_t size() const { return count_; }
  T &operator[](std::size_t i) { return data_[i]; }
  const T &operator[](std::size_t i) const { return data_[i]; }
  T *begin() { return data_; }
  T *end() { return data_ + count_; }
  const T *begin() const { return data_; }
  const T *end() const { return data_ + count_; }

private:
  static std::size_t checked_bytes(std::size_t count) {
    if (count > SIZE_MAX / sizeof(T)) throw std::bad_alloc();
    return count * sizeof(T);
  }
  T *data_ = nullptr;
  std::size_t count_ = 0;
};

} // namespace snow::msr
