#include "msr/headed_heap.hpp"
#include "msr/slab_heap.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <vector>

namespace snow::msr {
namespace {

struct Described {
  std::size_t bytes = 0;
  TypeId type = 0;
  bool pending = false;
};
Described described(const SlabHeap &slabs, const void *p) {
  Described d;
  EXPECT_TRUE(slabs.describe_block(p, d.bytes, d.type, d.pending)) << p;
  return d;
}

TEST(SlabHeap, ABlockIsDescribedOutOfBandAndItsSlotIsReusedOnceFreed) {
  SlabHeap slabs;
  ASSERT_TRUE(slabs.enable());
  void *a = slabs.allocate(24, 7, false);
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(slabs.contains(a));
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a) % 16, 0u);  // malloc's alignment
  std::memset(a, 0xab, SlabHeap::capacity(24));          // the whole class is the block's (32 bytes)
  EXPECT_EQ(described(slabs, a).bytes, 24u);
  EXPECT_EQ(described(slabs, a).type, 7u);
  EXPECT_EQ(slabs.size(), 1u);
  void *b = slabs.allocate(32, 8, false);  // the same class, the next slot
  EXPECT_EQ(static_cast<char *>(b) - static_cast<char *>(a), 32);
  EXPECT_TRUE(slabs.release(a));
  EXPECT_EQ(slabs.size(), 1u);
  std::size_t bytes = 0;
  TypeId type = 0;
  bool pending = false;
  EXPECT_FALSE(slabs.describe_block(a, bytes, type, pending));  // free
  EXPECT_FALSE(slabs.release(a));                               // freed twice: refused
  EXPECT_FALSE(slabs.release(static_cast<char *>(b) + 8));      // not a block's start: refused
  EXPECT_EQ(slabs.allocate(17, 9, false), a);                    // the freed slot first
  EXPECT_EQ(described(slabs, a).bytes, 17u);
  EXPECT_EQ(described(slabs, a).type, 9u);
}

TEST(SlabHeap, OnlyItsOwnMemoryIsContained) {
  SlabHeap off;
  int local = 0;
  EXPECT_FALSE(off.contains(&local));
  EXPECT_EQ(off.allocate(8, 1, false), nullptr);  // not enabled: the headed heap takes it
  SlabHeap slabs;
  ASSERT_TRUE(slabs.enable());
  void *heap = std::malloc(16);
  EXPECT_FALSE(slabs.contains(heap));
  EXPECT_FALSE(slabs.contains(&local));
  std::free(heap);
  EXPECT_EQ(slabs.allocate(SlabHeap::kMaxBytes + 1, 1, false), nullptr);  // too large
  EXPECT_EQ(slabs.allocate(8, SlabHeap::kMaxType + 1, false), nullptr);   // a type id it cannot record
}

// Every class, across many slabs: blocks never overlap, each keeps its
// description, and collection sees the typed ones.
TEST(SlabHeap, ManyBlocksOfEveryClassKeepTheirDescriptions) {
  SlabHeap slabs;
  ASSERT_TRUE(slabs.enable());
  std::map<std::uintptr_t, std::size_t> blocks;  // base → bytes
  for (std::size_t i = 0; i < 40000; ++i) {
    const std::size_t bytes = (i * 37) % (SlabHeap::kMaxBytes + 1);
    void *p = slabs.allocate(bytes, static_cast<TypeId>(i % 1000), i % 97 == 0);
    ASSERT_NE(p, nullptr);
    std::memset(p, static_cast<int>(i & 0xff), bytes);
    blocks[reinterpret_cast<std::uintptr_t>(p)] = bytes;
  }
  std::uintptr_t end = 0;
  for (const auto &[base, bytes] : blocks) {
    ASSERT_GE(base, end) << "blocks overlap";
    end = base + bytes;
  }
  std::size_t typed = 0;
  slabs.for_each([&](std::uintptr_t base, std::size_t bytes, TypeId type) {
    ++typed;
    ASSERT_EQ(blocks.count(base), 1u);
    EXPECT_EQ(blocks[base], bytes);
    EXPECT_LT(type, 1000u);
  });
  std::size_t pending = 0;
  for (std::size_t i = 0; i < 40000; ++i) pending += i % 97 == 0;
  EXPECT_EQ(typed, 40000 - pending);  // pending blocks are not collected
  for (const auto &[base, bytes] : blocks) ASSERT_TRUE(slabs.release(reinterpret_cast<void *>(base)));
  EXPECT_EQ(slabs.size(), 0u);
}

TEST(SlabHeap, ResizingStaysInItsClassMovesToAnotherOrToTheHeadedHeap) {
  SlabHeap slabs;
  HeadedHeap heap;
  heap.enable();
  ASSERT_TRUE(slabs.enable());
  auto *a = static_cast<unsigned char *>(slabs.allocate(20, 3, false));
  for (int i = 0; i < 20; ++i) a[i] = static_cast<unsigned char>(i);
  EXPECT_EQ(resize_slab_block(slabs, heap, a, 30, 4, false), a);  // 20 and 30 bytes: one class
  EXPECT_EQ(described(slabs, a).bytes, 30u);
  EXPECT_EQ(described(slabs, a).type, 4u);
  auto *b = static_cast<unsigned char *>(resize_slab_block(slabs, heap, a, 100, 4, false));
  ASSERT_NE(b, a);
  EXPECT_TRUE(slabs.contains(b));
  for (int i = 0; i < 20; ++i) EXPECT_EQ(b[i], i);
  auto *c = static_cast<unsigned char *>(resize_slab_block(slabs, heap, b, 4000, 5, false));
  EXPECT_FALSE(slabs.contains(c));
  ASSERT_NE(heap.find(c), nullptr);
  EXPECT_EQ(heap.find(c)->type, 5u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(c[i], i);
  EXPECT_EQ(slabs.size(), 0u);
  const std::uint32_t i = heap.index_of(c);
  heap.remove(i);
  std::free(HeadedHeap::header_of(c));
}

// A wrapper's block: pending until snow_adopt types it; a wrapper's
// realloc keeps its type and makes it the one to adopt.
TEST(SlabHeap, AWrappersBlockIsPendingUntilAdopted) {
  SlabHeap slabs;
  HeadedHeap heap;
  heap.enable();
  ASSERT_TRUE(slabs.enable());
  void *p = slabs.allocate(40, SNOW_NO_TYPE, true);
  EXPECT_TRUE(described(slabs, p).pending);
  std::size_t seen = 0;
  slabs.for_each([&](std::uintptr_t, std::size_t, TypeId) { ++seen; });
  EXPECT_EQ(seen, 0u);
  EXPECT_FALSE(slabs.take_last_pending(static_cast<char *>(p) + 16));
  ASSERT_TRUE(slabs.take_last_pending(p));
  adopt_slab_block(slabs, p, 12);
  EXPECT_FALSE(described(slabs, p).pending);
  EXPECT_EQ(described(slabs, p).type, 12u);
  EXPECT_FALSE(slabs.take_last_pending(p));  // taken
  void *grown = resize_slab_block(slabs, heap, p, 300, 0, true);
  EXPECT_EQ(described(slabs, grown).type, 12u);  // kept
  EXPECT_TRUE(slabs.take_last_pending(grown));
  slabs.release(grown);
}

TEST(SlabHeap, CollectionSeesItsTypedBlocksInTheRegistryWhileItLasts) {
  SlabHeap slabs;
  HeadedHeap heap;
  BlockRegistry registry;
  ASSERT_TRUE(slabs.enable());
  void *typed = slabs.allocate(48, 6, false);
  void *pending = slabs.allocate(8, SNOW_NO_TYPE, true);
  {
    const HeadedBlocksInRegistry in(heap, slabs, registry);
    EXPECT_EQ(registry.size(), 1u);
    const BlockSlot *s = registry.find(reinterpret_cast<std::uintptr_t>(typed));
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->bytes, 48u);
    EXPECT_EQ(s->type, 6u);
    EXPECT_EQ(registry.find(reinterpret_cast<std::uintptr_t>(pending)), nullptr);
  }
  EXPECT_EQ(registry.size(), 0u);
}

} // namespace
} // namespace snow::msr
