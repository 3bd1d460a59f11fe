#include "msr/headed_heap.hpp"
#include "msr/slab_heap.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <vector>

namespace snow::msr {
namespace {

// A block as snow_malloc makes it: the C library's allocation, the header,
// then the block.
void *allocate(HeadedHeap &heap, std::size_t bytes, TypeId type, bool pending = false) {
  void *raw = std::malloc(bytes + HeadedHeap::kHeaderBytes);
  void *block = HeadedHeap::block_at(raw);
  EXPECT_TRUE(heap.add(block, bytes, type, pending));
  return block;
}

void release(HeadedHeap &heap, void *block) {
  const std::uint32_t i = heap.index_of(block);
  ASSERT_NE(i, HeadedHeap::kNone);
  heap.remove(i);
  std::free(HeadedHeap::header_of(block));
}

TEST(HeadedHeap, TheHeaderKeepsTheCLibrarysAlignment) {
  EXPECT_EQ(HeadedHeap::kHeaderBytes % alignof(std::max_align_t), 0u);
  EXPECT_GE(HeadedHeap::kHeaderBytes, 16u);
}

TEST(HeadedHeap, FindsItsBlocksAndNoOthers) {
  HeadedHeap heap;
  // Before any headed block, find() reads nothing (this address is unmapped).
  EXPECT_EQ(heap.find(reinterpret_cast<void *>(std::uintptr_t{64})), nullptr);
  void *a = allocate(heap, 24, 3);
  void *b = allocate(heap, 100, 4);
  ASSERT_NE(heap.find(a), nullptr);
  EXPECT_EQ(heap.find(a)->bytes, 24u);
  EXPECT_EQ(heap.find(a)->type, 3u);
  EXPECT_EQ(heap.find(b)->bytes, 100u);
  EXPECT_EQ(heap.size(), 2u);
  // Plain blocks from the C library, of sizes whose size field looks like a
  // small index on either byte order.
  for (std::size_t n : {1u, 8u, 24u, 40u, 4096u, 200000u}) {
    void *plain = std::malloc(n);
    EXPECT_EQ(heap.find(plain), nullptr) << n;
    std::free(plain);
  }
  // Memory whose four bytes below hold a live block's index: not that block.
  alignas(16) unsigned char buffer[64] = {};
  std::uint32_t index_of_a;
  std::memcpy(&index_of_a, static_cast<char *>(a) - sizeof index_of_a, sizeof index_of_a);
  EXPECT_EQ(index_of_a, 0u);  // the first entry
  std::memcpy(buffer + 32 - sizeof index_of_a, &index_of_a, sizeof index_of_a);
  EXPECT_EQ(heap.find(buffer + 32), nullptr);
  release(heap, a);
  EXPECT_EQ(heap.size(), 1u);
  release(heap, b);
  EXPECT_EQ(heap.size(), 0u);
}

// 20000 blocks: the first table (160 KiB of entries, an mmapped chunk) grows twice.
TEST(HeadedHeap, ReusesFreedEntriesAndGrowsPastItsFirstTable) {
  HeadedHeap heap;
  std::vector<void *> blocks;
  for (std::size_t i = 0; i < 20000; ++i) blocks.push_back(allocate(heap, i, static_cast<TypeId>(i % 7)));
  for (std::size_t i = 1; i < blocks.size(); i += 2) release(heap, blocks[i]);
  EXPECT_EQ(heap.size(), 10000u);
  for (std::size_t i = 1; i < blocks.size(); i += 2) blocks[i] = allocate(heap, i + 1, 9);
  EXPECT_EQ(heap.size(), 20000u);
  std::size_t seen = 0;
  heap.for_each([&](const HeadedHeap::Entry &) { ++seen; });
  EXPECT_EQ(seen, 20000u);
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const HeadedHeap::Entry *e = heap.find(blocks[i]);
    ASSERT_NE(e, nullptr) << i;
    EXPECT_EQ(e->bytes, i % 2 ? i + 1 : i);
    EXPECT_EQ(e->type, i % 2 ? 9u : static_cast<TypeId>(i % 7));
  }
  for (void *b : blocks) release(heap, b);
  EXPECT_EQ(heap.size(), 0u);
}

TEST(HeadedHeap, ReallocMovesTheBlockWithItsHeader) {
  HeadedHeap heap;
  auto *block = static_cast<unsigned char *>(allocate(heap, 16, 2));
  for (int i = 0; i < 16; ++i) block[i] = static_cast<unsigned char>(i);
  auto *grown = static_cast<unsigned char *>(realloc_headed(*heap.find(block), 1 << 20, 5));
  ASSERT_NE(grown, nullptr);
  const HeadedHeap::Entry *e = heap.find(grown);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->bytes, std::uint64_t{1} << 20);
  EXPECT_EQ(e->type, 5u);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(grown[i], i);
  EXPECT_EQ(heap.size(), 1u);
  release(heap, grown);
}

// snow_adopt takes only the pending block allocated last, and reads nothing
// of the pointer it is given.
TEST(HeadedHeap, AdoptionTakesTheLastPendingBlockOnly) {
  HeadedHeap heap;
  void *first = allocate(heap, 8, SNOW_NO_TYPE, true);
  void *last = allocate(heap, 8, SNOW_NO_TYPE, true);
  EXPECT_EQ(heap.take_last_pending(first), nullptr);
  EXPECT_EQ(heap.take_last_pending(reinterpret_cast<void *>(std::uintptr_t{64})), nullptr);  // unmapped: not read
  HeadedHeap::Entry *e = heap.take_last_pending(last);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e, heap.find(last));
  EXPECT_EQ(heap.take_last_pending(last), nullptr);  // taken
  void *typed = allocate(heap, 8, 2);  // not pending: does not replace the last one
  EXPECT_EQ(heap.take_last_pending(typed), nullptr);
  heap.set_last_pending(*heap.find(typed));  // as snow_realloc_pending does
  EXPECT_EQ(heap.take_last_pending(typed), heap.find(typed));
  void *gone = allocate(heap, 8, SNOW_NO_TYPE, true);
  release(heap, gone);  // freed before adoption: its entry no longer names it
  EXPECT_EQ(heap.take_last_pending(gone), nullptr);
  release(heap, first);
  release(heap, last);
  release(heap, typed);
}

TEST(HeadedHeap, CollectionSeesTypedBlocksInTheRegistryWhileItLasts) {
  HeadedHeap heap;
  BlockRegistry registry;
  const SlabHeap no_slabs;
  static int global = 0;
  MemoryBlock g;
  g.base = reinterpret_cast<std::uintptr_t>(&global);
  g.bytes = sizeof global;
  g.origin = wire::Origin::Global;
  g.name = "global";
  registry.insert(g);
  void *typed = allocate(heap, 48, 6);
  void *pending = allocate(heap, 8, SNOW_NO_TYPE, true);
  {
    const HeadedBlocksInRegistry in(heap, no_slabs, registry);
    EXPECT_EQ(registry.size(), 2u);
    const BlockSlot *s = registry.find(reinterpret_cast<std::uintptr_t>(typed));
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->bytes, 48u);
    EXPECT_EQ(s->type, 6u);
    EXPECT_EQ(s->origin, wire::Origin::Heap);
    EXPECT_EQ(registry.find(reinterpret_cast<std::uintptr_t>(pending)), nullptr);
  }
  EXPECT_EQ(registry.size(), 1u);
  EXPECT_EQ(registry.find(reinterpret_cast<std::uintptr_t>(typed)), nullptr);
  EXPECT_NE(registry.find(g.base), nullptr);
  release(heap, typed);
  release(heap, pending);
}

// Frees as snow_free does: recycled if the heap keeps it, else given back.
bool free_headed(HeadedHeap &heap, void *block) {
  const std::uint32_t i = heap.index_of(block);
  EXPECT_NE(i, HeadedHeap::kNone);
  if (heap.recycle(i)) return true;
  heap.remove(i);
  std::free(HeadedHeap::header_of(block));
  return false;
}

TEST(HeadedHeap, AFreedSmallBlockIsRecycledForAnyRequestOfItsClass) {
  HeadedHeap heap;
  heap.enable();
  BlockRegistry registry;
  const SlabHeap no_slabs;
  // 17 and 24 bytes are one class: a 48-byte chunk, header and size field included.
  constexpr std::size_t kLargest = HeadedHeap::capacity_for(17);
  static_assert(HeadedHeap::class_of(17) == HeadedHeap::class_of(kLargest));
  static_assert(HeadedHeap::class_of(kLargest + 1) == HeadedHeap::class_of(17) + 1);
  static_assert(HeadedHeap::class_of(HeadedHeap::kRecycledBytesMax) == HeadedHeap::kClasses - 1);
  auto *a = static_cast<unsigned char *>(allocate_headed(heap, 17, 3, false, false));
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(free_headed(heap, a));
  // Free: no lookup finds it, collection does not see it.
  EXPECT_EQ(heap.find(a), nullptr);
  EXPECT_EQ(heap.size(), 0u);
  EXPECT_EQ(heap.recycled_bytes(), kLargest);
  heap.for_each([&](const HeadedHeap::Entry &e) { ADD_FAILURE() << "saw a recycled block at " << e.base; });
  std::memset(a, 0xab, kLargest);  // dirty, as a program leaves it (AddressSanitizer checks it fits)
  // The largest request of its class gets it back, zeroed when asked, typed anew.
  auto *b = static_cast<unsigned char *>(allocate_headed(heap, kLargest, 5, true, false));
  EXPECT_EQ(b, a);
  for (std::size_t i = 0; i < kLargest; ++i) ASSERT_EQ(b[i], 0) << i;
  ASSERT_NE(heap.find(b), nullptr);
  EXPECT_EQ(heap.find(b)->bytes, kLargest);
  EXPECT_EQ(heap.find(b)->type, 5u);
  EXPECT_EQ(heap.size(), 1u);
  EXPECT_EQ(heap.recycled_bytes(), 0u);
  // The class is empty again: a new block.
  void *c = allocate_headed(heap, 17, 3, false, false);
  EXPECT_NE(c, b);
  // Another class's block does not take it.
  EXPECT_TRUE(free_headed(heap, b));
  void *d = allocate_headed(heap, kLargest + 1, 3, false, true);
  EXPECT_NE(d, b);
  EXPECT_EQ(heap.take_last_pending(d), heap.find(d));  // a recycled block can be pending
  {
    // Collection sees the live typed block only: not the pending one, not the recycled one.
    const HeadedBlocksInRegistry in(heap, no_slabs, registry);
    EXPECT_EQ(registry.size(), 1u);
    EXPECT_NE(registry.find(reinterpret_cast<std::uintptr_t>(c)), nullptr);
  }
  free_headed(heap, c);
  free_headed(heap, d);
  // The heap frees what it recycled when it goes (LeakSanitizer checks).
}

TEST(HeadedHeap, AReallocatedSmallBlockKeepsItsClassSoItCanBeRecycled) {
  HeadedHeap heap;
  heap.enable();
  void *a = allocate_headed(heap, 400, 1, false, false);
  auto *shrunk = static_cast<unsigned char *>(realloc_headed(*heap.find(a), 20, 1));
  ASSERT_NE(shrunk, nullptr);
  EXPECT_TRUE(free_headed(heap, shrunk));
  constexpr std::size_t kLargest = HeadedHeap::capacity_for(20);
  auto *again = static_cast<unsigned char *>(allocate_headed(heap, kLargest, 1, false, false));
  EXPECT_EQ(again, shrunk);
  std::memset(again, 1, kLargest);  // the whole class fits (AddressSanitizer checks)
  free_headed(heap, again);
}

TEST(HeadedHeap, LargeBlocksAndAHeapWithoutRecyclingGiveEveryBlockBack) {
  HeadedHeap heap;
  heap.enable();
  void *large = allocate_headed(heap, HeadedHeap::kRecycledBytesMax + 1, 1, false, false);
  EXPECT_FALSE(free_headed(heap, large));
  HeadedHeap off;
  off.enable(false);
  void *small = allocate_headed(off, 16, 1, false, false);
  EXPECT_FALSE(free_headed(off, small));
  EXPECT_EQ(off.recycled_bytes(), 0u);
}

TEST(HeadedHeap, RecyclingStopsAtItsLimit) {
  HeadedHeap heap;
  heap.enable();
  constexpr std::size_t kBytes = HeadedHeap::kRecycledBytesMax;
  constexpr std::size_t kCapacity = HeadedHeap::capacity_for(kBytes);  // what each one keeps
  constexpr std::size_t kKept = (HeadedHeap::kRecycleLimit + kCapacity - 1) / kCapacity;
  std::vector<void *> blocks;
  for (std::size_t i = 0; i < kKept + 100; ++i) blocks.push_back(allocate_headed(heap, kBytes, 1, false, false));
  std::size_t recycled = 0;
  for (void *b : blocks) recycled += free_headed(heap, b);
  EXPECT_EQ(recycled, kKept);
  EXPECT_EQ(heap.recycled_bytes(), kKept * kCapacity);
}

} // namespace
} // namespace snow::msr
