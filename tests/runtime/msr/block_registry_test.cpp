#include "msr/block_registry.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

namespace snow::msr {
namespace {

MemoryBlock heap_block(std::uintptr_t base, std::uint64_t bytes, TypeId type = 0) {
  MemoryBlock b;
  b.base = base;
  b.bytes = bytes;
  b.type = type;
  return b;
}

// Every block of the reference model is in the registry, with its size.
void expect_every_block_of(const std::map<std::uintptr_t, std::uint64_t> &model, BlockRegistry &r) {
  for (const auto &[base, bytes] : model) {
    const BlockSlot *b = r.find(base);
    ASSERT_NE(b, nullptr) << base;
    EXPECT_EQ(b->bytes, bytes);
  }
}

TEST(BlockRegistry, FindsBlocksByExactAddress) {
  BlockRegistry r;
  r.insert(heap_block(0x1000, 64, 3));
  ASSERT_NE(r.find(0x1000), nullptr);
  EXPECT_EQ(r.find(0x1000)->type, 3u);
  EXPECT_EQ(r.find(0x1008), nullptr);
  EXPECT_EQ(r.find(0), nullptr);
  EXPECT_EQ(r.size(), 1u);
}

TEST(BlockRegistry, ReinsertingAnAddressReplacesTheBlock) {
  BlockRegistry r;
  r.insert(heap_block(0x1000, 64, 3));
  r.insert(heap_block(0x1000, 32, 4));
  EXPECT_EQ(r.size(), 1u);
  EXPECT_EQ(r.find(0x1000)->bytes, 32u);
}

TEST(BlockRegistry, FindsTheBlockContainingAnInteriorOrOnePastTheEndAddress) {
  BlockRegistry r;
  r.insert(heap_block(0x1000, 64));
  r.insert(heap_block(0x2000, 16));
  EXPECT_EQ(r.find_containing(0x1020)->base, 0x1000u);
  EXPECT_EQ(r.find_containing(0x1040)->base, 0x1000u);  // one past the end
  EXPECT_EQ(r.find_containing(0x1041), nullptr);
  EXPECT_EQ(r.find_containing(0x0fff), nullptr);
  EXPECT_EQ(r.find_containing(0x2008)->base, 0x2000u);
}

TEST(BlockRegistry, PrefersTheBlockThatStartsAtAnAddressOverTheOneEndingThere) {
  BlockRegistry r;
  r.insert(heap_block(0x1000, 0x10));
  r.insert(heap_block(0x1010, 0x10));
  EXPECT_EQ(r.find_containing(0x1010)->base, 0x1010u);
  EXPECT_EQ(r.find_ending_at(0x1010)->base, 0x1000u);
}

TEST(BlockRegistry, InteriorIndexFollowsInsertionsAndErasures) {
  BlockRegistry r;
  r.insert(heap_block(0x1000, 64));
  EXPECT_NE(r.find_containing(0x1010), nullptr);
  r.erase(0x1000);
  EXPECT_EQ(r.find_containing(0x1010), nullptr);
  r.insert(heap_block(0x3000, 8));
  EXPECT_EQ(r.find_containing(0x3004)->base, 0x3000u);
}

// Against a std::map model: a million random operations, growth and
// backward-shift deletion included, must never lose or invent a block.
TEST(BlockRegistry, MatchesAReferenceModelUnderRandomInsertsAndErases) {
  BlockRegistry r;
  std::map<std::uintptr_t, std::uint64_t> model;
  std::mt19937_64 rng(42);
  const int operations = 200000;
  for (int i = 0; i < operations; ++i) {
    const std::uintptr_t base = 16 * (1 + rng() % 50000);
    if (rng() % 3 != 0) {
      const std::uint64_t bytes = rng() % 100;
      r.insert(heap_block(base, bytes));
      model[base] = bytes;
    } else {
      EXPECT_EQ(r.erase(base), model.erase(base) == 1);
    }
  }
  ASSERT_EQ(r.size(), model.size());
  expect_every_block_of(model, r);
  if (HasFatalFailure()) return;
  std::size_t seen = 0;
  r.for_each([&](const MemoryBlock &b) {
    ++seen;
    EXPECT_EQ(model.count(b.base), 1u);
  });
  EXPECT_EQ(seen, model.size());
}

// The allocator's inline paths (try_insert_heap, try_erase) with their
// fallbacks, as snow_malloc and snow_free use them: against the same model,
// with some addresses registered with a name first, whose re-registration as
// a heap block and whose erasure the inline paths must leave to the full ones.
// Each try must either do its whole job or change nothing.
TEST(BlockRegistry, InlineAllocatorPathsMatchTheReferenceModel) {
  BlockRegistry r;
  std::map<std::uintptr_t, std::uint64_t> model;
  std::mt19937_64 rng(7);
  static const char name[] = "labelled";
  std::size_t deferred_inserts = 0, deferred_erases = 0;
  for (int i = 0; i < 200000; ++i) {
    const std::uintptr_t base = 16 * (1 + rng() % 50000);
    const int op = static_cast<int>(rng() % 16);
    if (op == 0) {
      MemoryBlock b = heap_block(base, 7);
      b.name = name;
      r.insert(b);
      model[base] = 7;
    } else if (op < 10) {
      const std::uint64_t bytes = rng() % 100;
      const std::size_t before = r.size();
      if (!r.try_insert_heap(base, bytes, 3)) {
        ASSERT_EQ(r.size(), before);
        ++deferred_inserts;
        r.insert_heap(base, bytes, 3);
      }
      model[base] = bytes;
      const BlockSlot *b = r.find(base);
      ASSERT_NE(b, nullptr);
      ASSERT_EQ(b->bytes, bytes);
      ASSERT_EQ(b->type, 3u);
      ASSERT_EQ(r.name_of(*b), nullptr);
    } else {
      const std::size_t before = r.size();
      if (!r.try_erase(base)) {
        ASSERT_EQ(r.size(), before);
        ASSERT_NE(r.find(base), nullptr);
        ++deferred_erases;
        ASSERT_TRUE(r.erase(base));
      }
      model.erase(base);
      ASSERT_EQ(r.find(base), nullptr);
    }
    ASSERT_EQ(r.size(), model.size());
  }
  EXPECT_GT(deferred_inserts, 0u);  // growth and labelled bases took the full path
  EXPECT_GT(deferred_erases, 0u);   // backward shifts and labels did
  expect_every_block_of(model, r);
  if (HasFatalFailure()) return;
  std::size_t labelled = 0;
  r.for_each_labelled([&](const MemoryBlock &b) {
    ++labelled;
    EXPECT_EQ(model.count(b.base), 1u);
    EXPECT_STREQ(b.name, name);
  });
  std::size_t named_in_slots = 0;
  r.for_each([&](const MemoryBlock &b) { named_in_slots += b.name != nullptr; });
  EXPECT_EQ(labelled, named_in_slots);
}

// The table quadruples while it stays under 2 MiB and doubles beyond
// (BlockRegistry::grow): 100,000 blocks take it through both kinds of growth
// and onto the huge-page array, and every block must survive each rehash.
TEST(BlockRegistry, KeepsEveryBlockThroughQuadruplingAndDoublingGrowth) {
  BlockRegistry r;
  const std::uintptr_t blocks = 100000;
  for (std::uintptr_t i = 1; i <= blocks; ++i) r.insert(heap_block(64 * i, i));
  ASSERT_EQ(r.size(), blocks);
  for (std::uintptr_t i = 1; i <= blocks; ++i) {
    const BlockSlot *b = r.find(64 * i);
    ASSERT_NE(b, nullptr) << i;
    ASSERT_EQ(b->bytes, i);
  }
  EXPECT_EQ(r.find(64 * (blocks + 1)), nullptr);
  for (std::uintptr_t i = 1; i <= blocks; i += 2) ASSERT_TRUE(r.erase(64 * i));
  EXPECT_EQ(r.size(), blocks / 2);
  for (std::uintptr_t i = 1; i <= blocks; ++i) EXPECT_EQ(r.find(64 * i) != nullptr, i % 2 == 0) << i;
}

// Keys and names live beside the slots (heap blocks have none): they must
// follow re-registration, erasure and growth of the table.
TEST(BlockRegistry, KeysAndNamesFollowTheirBlock) {
  BlockRegistry r;
  MemoryBlock g = heap_block(0x1000, 8);
  g.origin = wire::Origin::Global;
  g.key = 3;
  g.name = "g";
  r.insert(g);
  r.insert(heap_block(0x2000, 8));
  MemoryBlock frame = heap_block(0x3000, 8);
  frame.origin = wire::Origin::Stack;  // key 0, as main's frame has
  frame.name = "main";
  r.insert(frame);
  for (std::uintptr_t base = 0x10000; base < 0x10000 + 16 * 5000; base += 16) r.insert(heap_block(base, 16));

  EXPECT_EQ(r.key_of(*r.find(0x1000)), 3u);
  EXPECT_STREQ(r.name_of(*r.find(0x1000)), "g");
  EXPECT_EQ(r.key_of(*r.find(0x2000)), 0u);
  EXPECT_EQ(r.name_of(*r.find(0x2000)), nullptr);
  EXPECT_STREQ(r.block(*r.find(0x3000)).name, "main");
  std::map<std::uintptr_t, std::string> labelled;
  r.for_each_labelled([&](const MemoryBlock &b) { labelled[b.base] = b.name; });
  EXPECT_EQ(labelled, (std::map<std::uintptr_t, std::string>{{0x1000, "g"}, {0x3000, "main"}}));

  r.insert(heap_block(0x1000, 8));  // the same address, now an unnamed heap block
  EXPECT_EQ(r.name_of(*r.find(0x1000)), nullptr);
  EXPECT_EQ(r.key_of(*r.find(0x1000)), 0u);
  r.erase(0x3000);
  std::size_t left = 0;
  r.for_each_labelled([&](const MemoryBlock &) { ++left; });
  EXPECT_EQ(left, 0u);
  r.insert(frame);  // back, under the same address
  EXPECT_STREQ(r.name_of(*r.find(0x3000)), "main");
}

TEST(BlockRegistry, NewEpochMakesEveryBlockUnvisited) {
  BlockRegistry r;
  r.insert(heap_block(0x1000, 8));
  const std::uint32_t e1 = r.next_epoch();
  r.find(0x1000)->epoch = e1;
  const std::uint32_t e2 = r.next_epoch();
  EXPECT_NE(e1, e2);
  EXPECT_NE(r.find(0x1000)->epoch, e2);
}

} // namespace
} // namespace snow::msr
