#include "test_programs.hpp"

#include "msr/logical_address.hpp"

#include <gtest/gtest.h>

#include <cstddef>

namespace snow::msr {
namespace {

struct Item {
  double x;
  int tag;
  char name[6];
};

class LogicalAddress : public ::testing::Test {
protected:
  void SetUp() override {
    auto dbl = b.scalar("double", SNOW_KIND_FLOAT, 8, 8);
    auto in = b.scalar("int", SNOW_KIND_SIGNED, 4, 4);
    auto ch = b.scalar("char", SNOW_KIND_UNSIGNED, 1, 1);
    auto name = b.array("char[6]", ch, 6, 6);
    item = b.record("struct item", SNOW_KIND_STRUCT, sizeof(Item),
                    {{"x", dbl, offsetof(Item, x)}, {"tag", in, offsetof(Item, tag)}, {"name", name, offsetof(Item, name)}});
    program.emplace(b.build());
  }
  std::uint64_t logical(std::uint64_t offset) { return logical_from_native(program->types(), item, 10, offset); }
  std::uint64_t native(std::uint64_t logical) { return native_from_logical(program->types(), item, 10, logical); }

  test::ProgramBuilder b;
  TypeId item = 0;
  std::optional<Program> program;
};

// Each struct item has 8 leaves: x, tag, name[0..5].
TEST_F(LogicalAddress, InteriorPointersMapToLeafIndices) {
  EXPECT_EQ(logical(0), 0u);
  EXPECT_EQ(logical(3 * sizeof(Item)), 2u * 3 * 8);                                  // &a[3]
  EXPECT_EQ(logical(5 * sizeof(Item) + offsetof(Item, tag)), 2u * (5 * 8 + 1));      // &a[5].tag
  EXPECT_EQ(logical(2 * sizeof(Item) + offsetof(Item, name) + 4), 2u * (2 * 8 + 6)); // &a[2].name[4]
}

TEST_F(LogicalAddress, OnePastTheEndOfTheBlock) {
  EXPECT_EQ(logical(10 * sizeof(Item)), 2u * 10 * 8);
  EXPECT_EQ(native(2u * 10 * 8), 10 * sizeof(Item));
}

TEST_F(LogicalAddress, JustPastAMemberIntoPaddingIsTheEndOfItsLastLeaf) {
  // &a[1].name[6] lies in the struct's trailing padding on every platform.
  const std::uint64_t off = sizeof(Item) + offsetof(Item, name) + 6;
  ASSERT_LT(offsetof(Item, name) + 6, sizeof(Item));
  EXPECT_EQ(logical(off), 2u * (8 + 7) + 1);
  EXPECT_EQ(native(2u * (8 + 7) + 1), off);
}

TEST_F(LogicalAddress, RoundTripsEveryLeafStart) {
  for (std::uint64_t leaf = 0; leaf <= 80; ++leaf) {
    const std::uint64_t off = native(2 * leaf);
    EXPECT_EQ(logical(off), 2 * leaf) << "leaf " << leaf;
  }
}

TEST_F(LogicalAddress, PointersIntoTheMiddleOfAScalarAreRefused) {
  try {
    logical(sizeof(Item) + 3);  // inside a[1].x
    FAIL();
  } catch (const StateError &e) {
    EXPECT_EQ(e.code(), StateErrorCode::PointerIntoScalar);
    EXPECT_NE(std::string(e.what()).find(".x"), std::string::npos);
  }
}

TEST_F(LogicalAddress, PointersDeepInPaddingAreRefused) {
  ASSERT_LT(offsetof(Item, name) + 7, sizeof(Item));  // at least two bytes of padding on every platform
  EXPECT_THROW(logical(offsetof(Item, name) + 7), StateError);
}

TEST_F(LogicalAddress, OffsetsOutsideTheBlockAreRefused) {
  EXPECT_THROW(native(2u * 80 + 1), StateError);
  EXPECT_THROW(native(2u * 81), StateError);
}

} // namespace
} // namespace snow::msr
