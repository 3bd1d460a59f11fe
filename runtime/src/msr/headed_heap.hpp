// Heap blocks with a header: the typed allocator's blocks in a precompiled
// program, registered without a hash insert.
//
// snow_malloc(n) allocates n + kHeaderBytes from the C library and returns the
// address just past the header; the last four bytes of the header hold the
// block's index in a dense table of {base, bytes, type}. Registering is
// taking a free table entry and writing the index; snow_free reads the index
// back, checks that the entry there names this very block, and returns the
// entry to the free list — no hashing, no probing, no table growth that
// re-inserts every block (issue 3: a registry insert and erase per block was
// most of graph's and a third of bitonic's overhead).
//
// Telling blocks apart: snow_free, snow_realloc and snow_realloc_pending
// also see blocks that have no header — restored blocks, aligned blocks, blocks the C
// library allocated (getline's buffer, strdup called through a pointer), and
// every block of a process that keeps its heap plain. The four bytes below
// any block from the C library are readable (on glibc they are the chunk's
// size field, on every platform), and an index read from them names a block
// only if its entry's base is that block's address: a live block's address
// belongs to no other live block, and an entry is cleared when its block is
// freed. So the test is exact, not a guess at a magic number. (snow_adopt,
// whose pointer may be anything a wrapper returns, reads nothing below it:
// take_last_pending.)
//
// What it costs: a block handed to the C library's free or realloc with its
// header in front would corrupt the C library's heap. So the headers are used
// only in a precompiled program (snow_start turns them on) none of whose
// units may do that: the precompiler marks a unit that names free or realloc
// where it did not rewrite the call (a macro expansion, a function pointer,
// a header's inline function, a global's initializer), or calls getline,
// getdelim or reallocarray (snow_keep_heap_plain()), and SNOW_PLAIN_HEAP=1 in
// the environment does the same for libraries outside the precompiler's sight.
// Collection sees the blocks through the registry: while a state is
// collected every typed headed block is inserted there (HeadedBlocksInRegistry).
//
// Recycling: a freed block of at most kRecycledBytesMax bytes is not given
// back to the C library but kept, header and table entry included, on a free
// list of its size class (16-byte steps, class_of), and the next allocation of that
// class takes it: a pointer pop instead of malloc, the table entry already
// there (its base tagged with bit 0, so that no lookup finds it while it is
// free). Such blocks are allocated with their class's full size, so any
// request of the class fits. This pays for the bookkeeping: in a program that
// allocates and frees small blocks all the time (graph: one pair per ~1,000
// instructions) the header and table cost ~45 instructions a pair, far more
// than the 2 % a migratable program may cost, and glibc's malloc and free
// ~160. At most kRecycleLimit bytes are kept; SNOW_HEAP_RECYCLE=0 turns it
// off (a memory checker then sees every free).
#pragma once

#include "block_registry.hpp"

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace snow::msr {

class HeadedHeap {
public:
  // Keeps the C library's alignment for the block after it (16 on x86-64,
  // i686 and the 64-bit platforms, 8 on armhf; max_align_t covers any other).
  static constexpr std::size_t kHeaderBytes = alignof(std::max_align_t) > 16 ? alignof(std::max_align_t) : 16;

  struct Entry {
    std::uintptr_t base;   // the block (past its header); 0: a free entry
    std::uint64_t bytes;   // the block's size; in a free entry, the next free index
    TypeId type;
    bool pending;          // allocated by a wrapper, not adopted yet: not collected
  };

  HeadedHeap() {
    for (std::uint32_t &head : recycled_) head = kNone;
  }
  HeadedHeap(const HeadedHeap &) = delete;
  HeadedHeap &operator=(const HeadedHeap &) = delete;
  ~HeadedHeap();

  bool enabled() const { return enabled_; }
  void enable(bool recycling = true) {
    enabled_ = true;
    recycling_ = recycling;
  }

  // Recycling (see the top of this file). A size class is what the C
  // library's chunk for the block would be: the block, its header and the
  // chunk's size field, rounded up to 16 bytes (glibc's chunk on every
  // platform but armhf, whose 8-byte steps make two requests in three fall
  // on a 16-byte boundary anyway). A small block is allocated with the
  // largest size of its class, which costs no memory where the guess is
  // glibc's rounding and is correct wherever it is not: what a block can
  // hold is what was asked of malloc.
  static constexpr std::size_t kClassBytes = 16;
  static constexpr std::size_t kSlack = kHeaderBytes + sizeof(std::size_t);
  static constexpr std::size_t kRecycledBytesMax = 512;
  static constexpr std::size_t kRecycleLimit = std::size_t{8} << 20;
  static constexpr std::size_t class_of(std::size_t bytes) { return (bytes + kSlack + kClassBytes - 1) / kClassBytes; }
  static constexpr std::size_t kClasses = (kRecycledBytesMax + kSlack + kClassBytes - 1) / kClassBytes + 1;
  // What a block of `bytes` is allocated with (past its header).
  static constexpr std::size_t capacity_for(std::size_t bytes) {
    return bytes <= kRecycledBytesMax ? class_of(bytes) * kClassBytes - kSlack : bytes;
  }

  // The entry of the headed block at `block`, or null when it has no header
  // (any other block from the C library or the registry). Reads the four
  // bytes below `block` once a headed block has existed: `block` must not be
  // null and must come from the C library's allocator (what free and realloc
  // take).
  Entry *find(const void *block) {
    const std::uint32_t i = index_of(block);
    return i == kNone ? nullptr : &entries_[i];
  }
  static constexpr std::uint32_t kNone = 0xffffffffu;
  std::uint32_t index_of(const void *block) const {
    if (used_ == 0) return kNone;
    const std::uint32_t i = stored_index(block);
    if (i < used_ && entries_[i].base == reinterpret_cast<std::uintptr_t>(block)) return i;
    return kNone;
  }

  // Registers `block` (just allocated with its header) and writes its index.
  // False, with nothing changed, when the table is full: add() grows it.
  bool try_add(void *block, std::uint64_t bytes, TypeId type, bool pending) {
    std::uint32_t i = free_;
    if (i != kNone) {
      free_ = static_cast<std::uint32_t>(entries_[i].bytes);
    } else {
      if (used_ == capacity_) return false;
      i = used_++;
    }
    entries_[i] = Entry{reinterpret_cast<std::uintptr_t>(block), bytes, type, pending};
    std::memcpy(static_cast<char *>(block) - sizeof i, &i, sizeof i);
    ++live_;
    if (pending) last_pending_ = i;
    return true;
  }
  // A recycled block for `bytes`, registered as try_add would, or null when
  // its class has none.
  void *take_recycled(std::size_t bytes, TypeId type, bool pending) {
    if (bytes > kRecycledBytesMax) return nullptr;
    const std::size_t c = class_of(bytes);
    const std::uint32_t i = recycled_[c];
    if (i == kNone) return nullptr;
    Entry &e = entries_[i];
    recycled_[c] = static_cast<std::uint32_t>(e.bytes);
    recycled_bytes_ -= c * kClassBytes - kSlack;
    const std::uintptr_t block = e.base & ~std::uintptr_t{1};
    e = Entry{block, bytes, type, pending};
    ++live_;
    if (pending) last_pending_ = i;
    return reinterpret_cast<void *>(block);
  }
  // Keeps the freed headed block at index `i` (from index_of()) for reuse
  // instead of freeing it. False, with nothing changed, when it is not kept
  // (too large, recycling off, or kRecycleLimit reached): remove() and free it.
  bool recycle(std::uint32_t i) {
    Entry &e = entries_[i];
    if (!recycling_ || e.bytes > kRecycledBytesMax || recycled_bytes_ >= kRecycleLimit) return false;
    const std::size_t c = class_of(static_cast<std::size_t>(e.bytes));
    e.base |= 1;
    e.bytes = recycled_[c];
    recycled_[c] = i;
    recycled_bytes_ += c * kClassBytes - kSlack;
    --live_;
    return true;
  }
  std::size_t recycled_bytes() const { return recycled_bytes_; }

  // snow_adopt's lookup: the entry of `block` if it is the pending block
  // allocated (or grown by snow_realloc_pending) last, else null. Reads
  // nothing of `block`: a wrapper may return any pointer (a static buffer, an
  // mmap'd region), below which there may be no readable memory.
  Entry *take_last_pending(const void *block) {
    const std::uint32_t i = last_pending_;
    if (i >= used_ || entries_[i].base != reinterpret_cast<std::uintptr_t>(block)) return nullptr;
    last_pending_ = kNone;
    return &entries_[i];
  }
  void set_last_pending(const Entry &e) { last_pending_ = static_cast<std::uint32_t>(&e - entries_); }
  // try_add, growing the table if it must. False if it cannot (no memory,
  // or 2^32 - 1 blocks): the allocation then fails as out of memory.
  bool add(void *block, std::uint64_t bytes, TypeId type, bool pending);

  // Forgets a headed block (its index from index_of()), before it is freed.
  void remove(std::uint32_t i) {
    entries_[i].base = 0;
    entries_[i].bytes = free_;
    free_ = i;
    --live_;
  }

  // From a headed block to the C library's allocation and back (realloc
  // moves the header, index included, with the block).
  static void *header_of(void *block) { return static_cast<char *>(block) - kHeaderBytes; }
  static void *block_at(void *raw) { return static_cast<char *>(raw) + kHeaderBytes; }

  std::size_t size() const { return live_; }
  // Calls fn(const Entry &) for every live headed block, pending ones
  // included (recycled ones are free).
  template <typename Fn> void for_each(Fn &&fn) const {
    for (std::uint32_t i = 0; i < used_; ++i)
      if (entries_[i].base != 0 && (entries_[i].base & 1) == 0) fn(entries_[i]);
  }

private:
  // For a plain block the four bytes read are the C library's (its chunk
  // header; under AddressSanitizer, its redzone): a plain load, exempt from
  // the sanitizer, never a memcpy it would check.
  using LooseIndex = std::uint32_t __attribute__((may_alias));
  __attribute__((no_sanitize_address)) static std::uint32_t stored_index(const void *block) {
    // Through an integer the compiler cannot follow (the empty asm costs no
    // instruction): below the block is outside every object it knows of, and
    // it warns about that for a block it saw allocated.
    std::uintptr_t at = reinterpret_cast<std::uintptr_t>(block) - sizeof(std::uint32_t);
    asm("" : "+r"(at));
    return *reinterpret_cast<const LooseIndex *>(at);
  }

  Entry *entries_ = nullptr;
  std::uint32_t used_ = 0;      // entries ever handed out: [0, used_)
  std::uint32_t capacity_ = 0;
  std::uint32_t free_ = kNone;  // a list through the free entries' `bytes`
  std::uint32_t last_pending_ = kNone;
  std::size_t live_ = 0;
  // Free lists of recycled blocks, one per size class, through the entries'
  // `bytes` like free_.
  std::uint32_t recycled_[kClasses];
  std::size_t recycled_bytes_ = 0;
  bool enabled_ = false;
  bool recycling_ = false;
};

// The typed allocator's common path once headers are on: the new block,
// headed and registered, or null with errno ENOMEM (no memory for it or for
// the table's growth, or a size with no room for the header).
void *add_headed_slow(HeadedHeap &heap, void *raw, std::uint64_t bytes, TypeId type, bool pending);
[[gnu::always_inline]] inline void *allocate_headed(HeadedHeap &heap, std::size_t bytes, TypeId type, bool zeroed, bool pending) {
  if (void *block = heap.take_recycled(bytes, type, pending)) {
    if (zeroed) std::memset(block, 0, bytes);
    return block;
  }
  if (bytes > SIZE_MAX - HeadedHeap::kHeaderBytes) {
    errno = ENOMEM;
    return nullptr;
  }
  const std::size_t request = HeadedHeap::capacity_for(bytes) + HeadedHeap::kHeaderBytes;
  void *raw = zeroed ? std::calloc(request, 1) : std::malloc(request);
  if (raw == nullptr) return nullptr;
  void *block = HeadedHeap::block_at(raw);
  if (heap.try_add(block, bytes, type, pending)) return block;
  return add_headed_slow(heap, raw, bytes, type, pending);
}

// snow_realloc of a headed block (its entry from find()): the block moved or
// resized, with `type`; null, the block untouched, if there is no memory.
void *realloc_headed(HeadedHeap::Entry &entry, std::size_t bytes, TypeId type);

// While it lives, every typed headed block of `heap` (and slab block of
// `slabs`) is also in `registry`,
// as a heap block: what collection (StateEncoder) needs to see them. Pending
// blocks stay out, as they were before they had headers.
class SlabHeap;
class HeadedBlocksInRegistry {
public:
  // The slab heap's typed blocks too (slab_heap.hpp).
  HeadedBlocksInRegistry(const HeadedHeap &heap, const SlabHeap &slabs, BlockRegistry &registry);
  ~HeadedBlocksInRegistry();
  HeadedBlocksInRegistry(const HeadedBlocksInRegistry &) = delete;
  HeadedBlocksInRegistry &operator=(const HeadedBlocksInRegistry &) = delete;

private:
  const HeadedHeap &heap_;
  const SlabHeap &slabs_;
  BlockRegistry &registry_;
  bool inserted_ = false;
};

} // namespace snow::msr
