#include "test_programs.hpp"

#include "msr/codec_plan.hpp"

#include <gtest/gtest.h>

#include <cstddef>

namespace snow::msr {
namespace {

struct Vec3 {
  double x, y, z;
};
struct Padded {
  char c;
  double d;
};
struct Node {
  Node *next;
  double v;
};

class CodecPlanTest : public ::testing::Test {
protected:
  void SetUp() override {
    ch = b.scalar("char", SNOW_KIND_UNSIGNED, 1, 1);
    dbl = b.scalar("double", SNOW_KIND_FLOAT, 8, 8);
    lng = b.scalar("long", SNOW_KIND_SIGNED, 8, sizeof(long));
    vec = b.record("struct vec3", SNOW_KIND_STRUCT, sizeof(Vec3),
                   {{"x", dbl, offsetof(Vec3, x)}, {"y", dbl, offsetof(Vec3, y)}, {"z", dbl, offsetof(Vec3, z)}});
    vecs = b.array("struct vec3[100]", vec, 100, 100 * sizeof(Vec3));
    padded = b.record("struct padded", SNOW_KIND_STRUCT, sizeof(Padded),
                      {{"c", ch, offsetof(Padded, c)}, {"d", dbl, offsetof(Padded, d)}});
    paddeds = b.array("struct padded[4]", padded, 4, 4 * sizeof(Padded));
    node_ptr = b.pointer("struct node *", 8);  // struct node, defined next
    node = b.record("struct node", SNOW_KIND_STRUCT, sizeof(Node),
                    {{"next", node_ptr, offsetof(Node, next)}, {"v", dbl, offsetof(Node, v)}});
    program.emplace(b.build());
  }
  CodecPlan plan(TypeId t, bool swap) { return build_plan(program->types(), t, swap); }

  test::ProgramBuilder b;
  TypeId ch = 0, dbl = 0, lng = 0, vec = 0, vecs = 0, padded = 0, paddeds = 0, node_ptr = 0, node = 0;
  std::optional<Program> program;
};

TEST_F(CodecPlanTest, AnArrayOfPlainStructsIsOneVerbatimRunWithoutSwapping) {
  CodecPlan p = plan(vecs, false);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].code, PlanOp::Code::Bytes);
  EXPECT_EQ(p[0].count, 100 * sizeof(Vec3));
}

TEST_F(CodecPlanTest, SwappingTurnsTheRunIntoOneScalarRun) {
  CodecPlan p = plan(vecs, true);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].code, PlanOp::Code::Scalars);
  EXPECT_EQ(p[0].count, 300u);
  EXPECT_EQ(p[0].stride, 8u);
}

TEST_F(CodecPlanTest, PaddingSplitsRunsAndArraysOfPaddedStructsRepeat) {
  CodecPlan p = plan(paddeds, false);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].code, PlanOp::Code::Repeat);
  EXPECT_EQ(p[0].count, 4u);
  EXPECT_EQ(p[0].body, 2u);
  EXPECT_EQ(p[1].count, 1u);  // c
  EXPECT_EQ(p[2].offset, offsetof(Padded, d));
}

TEST_F(CodecPlanTest, PointersGetTheirOwnRunWithTheirPointeeType) {
  CodecPlan p = plan(node, false);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].code, PlanOp::Code::Pointers);
  EXPECT_EQ(p[0].pointee, node);
  EXPECT_EQ(p[1].code, PlanOp::Code::Bytes);
}

TEST(CodecPlan, ContiguousPointersToDifferentTypesAreSeparateRuns) {
  struct Two {
    double *reals[3];
    Node *node;
  };
  test::ProgramBuilder b;
  auto dbl = b.scalar("double", SNOW_KIND_FLOAT, 8, 8);
  auto dp = b.pointer("double *", dbl);
  auto dps = b.array("double *[3]", dp, 3, 3 * sizeof(double *));
  auto np = b.pointer("struct node *", 5);  // struct node, defined last
  auto two = b.record("struct two", SNOW_KIND_STRUCT, sizeof(Two),
                      {{"reals", dps, offsetof(Two, reals)}, {"node", np, offsetof(Two, node)}});
  auto node = b.record("struct node", SNOW_KIND_STRUCT, sizeof(Node),
                       {{"next", np, offsetof(Node, next)}, {"v", dbl, offsetof(Node, v)}});
  ASSERT_EQ(node, 5u);
  const Program program = b.build();
  CodecPlan p = build_plan(program.types(), two, false);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].code, PlanOp::Code::Pointers);
  EXPECT_EQ(p[0].count, 3u);
  EXPECT_EQ(p[0].pointee, dbl);
  EXPECT_EQ(p[1].code, PlanOp::Code::Pointers);
  EXPECT_EQ(p[1].count, 1u);
  EXPECT_EQ(p[1].pointee, node);
}

TEST(CodecPlan, ContiguousPointersToTheSameTypeStayOneRun) {
  struct Three {
    double *a;
    double *b[2];
  };
  test::ProgramBuilder b;
  auto dbl = b.scalar("double", SNOW_KIND_FLOAT, 8, 8);
  auto dp = b.pointer("double *", dbl);
  auto dps = b.array("double *[2]", dp, 2, 2 * sizeof(double *));
  auto three = b.record("struct three", SNOW_KIND_STRUCT, sizeof(Three),
                        {{"a", dp, offsetof(Three, a)}, {"b", dps, offsetof(Three, b)}});
  const Program program = b.build();
  CodecPlan p = build_plan(program.types(), three, false);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].count, 3u);
  EXPECT_EQ(p[0].pointee, dbl);
}

TEST_F(CodecPlanTest, ALongNarrowerThanItsWireSizeIsConverted) {
  CodecPlan p = plan(lng, false);
  ASSERT_EQ(p.size(), 1u);
  if (sizeof(long) == 8) {
    EXPECT_EQ(p[0].code, PlanOp::Code::Bytes);
  } else {
    EXPECT_EQ(p[0].code, PlanOp::Code::Scalars);
    EXPECT_EQ(p[0].native_size, 4u);
    EXPECT_EQ(p[0].wire_size, 8u);
  }
}

} // namespace
} // namespace snow::msr
