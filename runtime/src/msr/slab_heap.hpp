// Small typed blocks without a header: slabs of one size class each.
//
// A precompiled program's typed allocator takes every block of at most
// kMaxBytes from here (headed_heap.hpp takes the rest). Why: a headed block
// carries a 16-byte header and a 24-byte table entry, 2.25 times the memory
// of a 24-byte node's glibc chunk, and at bitonic's and graph's sizes that
// memory was a 1.4 CPU-time ratio although their instructions were within
// 1.02 (docs/performance.md, change 11). Here a 24-byte node takes a 32-byte
// slot, as in glibc, and four bytes of out-of-band description.
//
// Layout: one reservation of address space at enable() (read/write, never
// committed until touched), carved into kSlabBytes-aligned slabs. A slab
// serves one size class (16-byte steps, so every slot keeps malloc's
// alignment): a header, one 32-bit description per slot (the block's type
// and byte count, or kFreeSlot), then the slots. Telling a block of ours
// from any other is a range test on its address — exact, reading nothing —
// and its slab is its address rounded down.
//
// Allocation pops the class's free list (threaded through freed slots) or
// takes the next never-used slot of its newest slab; freeing pushes the slot.
// Memory is never given back (a slab once used stays, as glibc keeps most
// freed small chunks). SNOW_HEAP_RECYCLE=0 leaves slabs off, so that a memory
// checker sees glibc's malloc and free for every block.
#pragma once

#include "block_registry.hpp"

#include <cstddef>
#include <cstdint>

namespace snow::msr {

class SlabHeap {
public:
  static constexpr std::size_t kMaxBytes = 512;
  static constexpr std::size_t kSlabBytes = std::size_t{64} << 10;
  static constexpr std::size_t kClassBytes = 16;
  static constexpr std::size_t kClasses = kMaxBytes / kClassBytes + 1;  // class 0 unused
  // A slot's description: bits 0-9 the block's bytes (0-512), bits 10-31 its
  // type; all ones for a free slot; the type kPendingType while a wrapper's
  // block waits for snow_adopt.
  static constexpr std::uint32_t kFreeSlot = 0xffffffffu;
  static constexpr std::uint32_t kPendingType = 0x3ffffeu;
  static constexpr std::uint32_t kMaxType = 0x3ffffdu;  // larger type ids go to the headed heap

  SlabHeap() = default;
  SlabHeap(const SlabHeap &) = delete;
  SlabHeap &operator=(const SlabHeap &) = delete;
  ~SlabHeap();

  // Reserves the address space (the largest of a few sizes the system
  // grants). False, with slabs left off, if none is granted.
  bool enable();
  bool enabled() const { return begin_ != 0; }

  // Whether `p` is in a slab (used or not, a block's start or not).
  bool contains(const void *p) const { return reinterpret_cast<std::uintptr_t>(p) - begin_ < next_slab_ - begin_; }

  // A block of `bytes` (at most kMaxBytes) typed `type`, or null when
  // slabs are off, the type id is too large, or the reservation is used up:
  // the caller then takes the headed heap.
  void *allocate(std::size_t bytes, TypeId type, bool pending) {
    if (begin_ == 0 || bytes > kMaxBytes || (type > kMaxType && !pending)) return nullptr;
    const std::size_t c = bytes == 0 ? 1 : (bytes + kClassBytes - 1) / kClassBytes;
    void *p = free_[c];
    if (p != nullptr) {
      free_[c] = *static_cast<void **>(p);
    } else {
      p = take_fresh(c);
      if (p == nullptr) return nullptr;
    }
    *description(p) = describe(bytes, pending ? kPendingType : type);
    ++live_;
    if (pending) last_pending_ = p;
    return p;
  }

  // Frees a block of ours (contains(p)). A pointer that is not a live
  // block's start is refused: false, nothing changed.
  bool release(void *p) {
    if (!at_slot_start(p)) return false;
    std::uint32_t *d = description(p);
    if (*d == kFreeSlot) return false;
    *d = kFreeSlot;
    const std::size_t c = slab_of(p)->size_class;
    *static_cast<void **>(p) = free_[c];
    free_[c] = p;
    --live_;
    if (p == last_pending_) last_pending_ = nullptr;
    return true;
  }

  // The bytes and type of a live block of ours; false for a free slot or
  // an address inside a slot.
  bool describe_block(const void *p, std::size_t &bytes, TypeId &type, bool &pending) const;
  // Sets the type of a live block (snow_realloc of the same class, snow_adopt).
  void retype(void *p, std::size_t bytes, TypeId type) { *description(p) = describe(bytes, type); }

  // snow_adopt: the pending block allocated last, if it is `p`.
  bool take_last_pending(const void *p) {
    if (p == nullptr || p != last_pending_) return false;
    last_pending_ = nullptr;
    return true;
  }
  void set_last_pending(void *p) { last_pending_ = p; }

  // What a block of this class can hold.
  static std::size_t capacity(std::size_t bytes) {
    return bytes == 0 ? kClassBytes : (bytes + kClassBytes - 1) / kClassBytes * kClassBytes;
  }

  std::size_t size() const { return live_; }
  // Calls fn(base, bytes, type) for every live typed block (pending ones not).
  template <typename Fn> void for_each(Fn &&fn) const {
    for (std::uintptr_t s = begin_; s < next_slab_; s += kSlabBytes) {
      const Slab *slab = reinterpret_cast<const Slab *>(s);
      const std::uint32_t *d = descriptions(slab);
      for (std::uint32_t i = 0; i < slab->used; ++i) {
        if (d[i] == kFreeSlot || (d[i] >> 10) == kPendingType) continue;
        fn(reinterpret_cast<std::uintptr_t>(slot(slab, i)), std::size_t{d[i] & 0x3ffu}, TypeId{d[i] >> 10});
      }
    }
  }

private:
  struct Slab {
    std::uint32_t size_class;
    std::uint32_t slot_bytes;
    std::uint32_t slots;         // how many fit
    std::uint32_t used;          // slots ever handed out: [0, used)
    std::uint32_t reciprocal;    // ceil(2^32 / slot_bytes): offset → index without a division
    std::uint32_t first_slot;    // offset of slot 0 from the slab
  };
  static std::uint32_t describe(std::size_t bytes, TypeId type) {
    return static_cast<std::uint32_t>(type) << 10 | static_cast<std::uint32_t>(bytes);
  }
  static Slab *slab_of(const void *p) {
    return reinterpret_cast<Slab *>(reinterpret_cast<std::uintptr_t>(p) & ~(std::uintptr_t{kSlabBytes} - 1));
  }
  static std::uint32_t *descriptions(const Slab *slab) {
    return reinterpret_cast<std::uint32_t *>(reinterpret_cast<std::uintptr_t>(slab) + sizeof(Slab));
  }
  static void *slot(const Slab *slab, std::uint32_t i) {
    return reinterpret_cast<void *>(reinterpret_cast<std::uintptr_t>(slab) + slab->first_slot +
                                    std::uintptr_t{i} * slab->slot_bytes);
  }
  static std::uint32_t index_of(const Slab *slab, const void *p) {
    const std::uint64_t offset = reinterpret_cast<std::uintptr_t>(p) - reinterpret_cast<std::uintptr_t>(slab) -
                                 slab->first_slot;
    return static_cast<std::uint32_t>((offset * slab->reciprocal) >> 32);
  }
  static std::uint32_t *description(const void *p) {
    const Slab *slab = slab_of(p);
    return descriptions(slab) + index_of(slab, p);
  }
  static bool at_slot_start(const void *p) {
    const Slab *slab = slab_of(p);
    const std::uintptr_t offset = reinterpret_cast<std::uintptr_t>(p) - reinterpret_cast<std::uintptr_t>(slab);
    return offset >= slab->first_slot && (offset - slab->first_slot) % slab->slot_bytes == 0 &&
           index_of(slab, p) < slab->used;
  }
  // The next never-used slot of class c, starting a slab if it must.
  void *take_fresh(std::size_t c);

  std::uintptr_t begin_ = 0;      // the reservation, kSlabBytes-aligned
  std::uintptr_t reserved_ = 0;   // its bytes (0: slabs off, and contains() is false)
  std::uintptr_t next_slab_ = 0;  // where the next slab goes
  void *mapping_ = nullptr;       // what mmap returned, and its length
  std::size_t mapped_ = 0;
  void *free_[kClasses] = {};
  Slab *newest_[kClasses] = {};
  void *last_pending_ = nullptr;
  std::size_t live_ = 0;
};

class HeadedHeap;

// snow_realloc (for_wrapper false: the block becomes `type`) and
// snow_realloc_pending (true: it keeps its type, or stays pending, and is
// the one snow_adopt takes next) of a block in a slab: in place within its
// class, else moved to a new slab block or a headed one. Null, the block
// untouched, when there is no memory. Aborts, naming the pointer, when
// `block` is no live block.
void *resize_slab_block(SlabHeap &slabs, HeadedHeap &heap, void *block, std::size_t bytes, TypeId type,
                        bool for_wrapper);
// Ends the process, naming `what` (free, realloc, …) and the pointer that is
// no live block of the typed allocator: a block freed twice, or not from it.
[[noreturn]] void not_a_block(const char *what, const void *block);
// snow_adopt of the slab block a wrapper allocated last.
void adopt_slab_block(SlabHeap &slabs, void *block, TypeId type);

} // namespace snow::msr
