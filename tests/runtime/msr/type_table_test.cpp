#include "test_programs.hpp"

#include "msr/type_table.hpp"

#include <gtest/gtest.h>

#include <cstddef>

namespace snow::msr {
namespace {

using test::ProgramBuilder;

struct Pair {
  char c;
  double d;
};

TEST(TypeTable, CountsLeavesOfNestedAggregates) {
  ProgramBuilder b;
  auto ch = b.scalar("char", SNOW_KIND_UNSIGNED, 1, 1);
  auto dbl = b.scalar("double", SNOW_KIND_FLOAT, 8, 8);
  auto pair = b.record("struct pair", SNOW_KIND_STRUCT, sizeof(Pair),
                       {{"c", ch, offsetof(Pair, c)}, {"d", dbl, offsetof(Pair, d)}});
  auto arr = b.array("struct pair[5]", pair, 5, 5 * sizeof(Pair));
  Program p = b.build();
  EXPECT_EQ(p.types().at(pair).leaf_count, 2u);
  EXPECT_EQ(p.types().at(arr).leaf_count, 10u);
  EXPECT_EQ(p.types().at(pair).fields[1].first_leaf, 1u);
  EXPECT_EQ(p.types().describe_offset(arr, sizeof(Pair) * 3 + offsetof(Pair, d)), "[3].d");
}

TEST(TypeTable, AStructMayHoldAPointerTypeDefinedAfterIt) {
  struct Node {
    Node *next;
  };
  ProgramBuilder b;
  b.record("struct node", SNOW_KIND_STRUCT, sizeof(Node), {{"next", 1, offsetof(Node, next)}});
  b.pointer("struct node *", 0);
  EXPECT_NO_THROW(b.build());
}

TEST(TypeTable, RejectsACompositeThatContainsALaterComposite) {
  ProgramBuilder b;
  auto i = b.scalar("int", SNOW_KIND_SIGNED, 4, 4);
  b.record("struct outer", SNOW_KIND_STRUCT, 4, {{"inner", 2, 0}});
  b.record("struct inner", SNOW_KIND_STRUCT, 4, {{"x", i, 0}});
  try {
    b.build();
    FAIL() << "accepted a forward composite reference";
  } catch (const StateError &e) {
    EXPECT_EQ(e.code(), StateErrorCode::InvalidProgram);
    EXPECT_NE(std::string(e.what()).find("struct outer"), std::string::npos);
  }
}

TEST(TypeTable, RejectsAScalarWiderThanItsWireSize) {
  ProgramBuilder b;
  b.scalar("long", SNOW_KIND_SIGNED, 4, 8);
  EXPECT_THROW(b.build(), StateError);
}

TEST(TypeTable, RejectsOverlappingOrOutOfRangeFields) {
  ProgramBuilder b;
  auto i = b.scalar("int", SNOW_KIND_SIGNED, 4, 4);
  b.record("struct bad", SNOW_KIND_STRUCT, 8, {{"a", i, 0}, {"b", i, 2}});
  EXPECT_THROW(b.build(), StateError);
  ProgramBuilder c;
  auto j = c.scalar("int", SNOW_KIND_SIGNED, 4, 4);
  c.record("struct small", SNOW_KIND_STRUCT, 4, {{"a", j, 4}});
  EXPECT_THROW(c.build(), StateError);
}

TEST(TypeTable, AUnionOfSameShapedScalarsIsMovable) {
  ProgramBuilder b;
  auto i = b.scalar("int", SNOW_KIND_SIGNED, 4, 4);
  auto f = b.scalar("float", SNOW_KIND_FLOAT, 4, 4);
  auto u = b.record("union word", SNOW_KIND_UNION, 4, {{"i", i, 0}, {"f", f, 0}});
  Program p = b.build();
  EXPECT_TRUE(p.types().at(u).unmovable_reason.empty());
}

TEST(TypeTable, AUnionMixingPointersAndScalarsIsNotMovableAndSaysWhy) {
  ProgramBuilder b;
  auto l = b.scalar("long long", SNOW_KIND_SIGNED, 8, 8);
  auto p = b.pointer("void *", SNOW_NO_TYPE);
  auto u = b.record("union any", SNOW_KIND_UNION, 8, {{"n", l, 0}, {"ptr", p, 0}});
  auto s = b.record("struct holder", SNOW_KIND_STRUCT, 8, {{"value", u, 0}});
  Program prog = b.build();
  EXPECT_NE(prog.types().at(u).unmovable_reason.find("ptr"), std::string::npos);
  EXPECT_NE(prog.types().at(s).unmovable_reason.find("field 'value'"), std::string::npos);
}

TEST(TypeTable, AUnionOfDifferentShapesIsNotMovable) {
  ProgramBuilder b;
  auto c = b.scalar("char", SNOW_KIND_UNSIGNED, 1, 1);
  auto d = b.scalar("double", SNOW_KIND_FLOAT, 8, 8);
  auto bytes = b.array("char[8]", c, 8, 8);
  auto u = b.record("union bits", SNOW_KIND_UNION, 8, {{"d", d, 0}, {"bytes", bytes, 0}});
  EXPECT_NE(b.build().types().at(u).unmovable_reason.find("different layouts"), std::string::npos);
}

TEST(TypeTable, UnsupportedKindsPropagateToEnclosingTypes) {
  ProgramBuilder b;
  auto ld = b.unsupported("long double", 16);
  auto arr = b.array("long double[2]", ld, 2, 32);
  EXPECT_NE(b.build().types().at(arr).unmovable_reason.find("long double"), std::string::npos);
}

TEST(TypeTable, EdgeFitFollowsArraysMembersAndCompatibleScalars) {
  struct Tail {
    double d;
    int n[3];
  };  // 8 + 12, then 4 bytes of padding on most platforms
  ProgramBuilder b;
  auto ch = b.scalar("char", SNOW_KIND_UNSIGNED, 1, 1);
  auto dbl = b.scalar("double", SNOW_KIND_FLOAT, 8, 8);
  auto real = b.scalar("real", SNOW_KIND_FLOAT, 8, 8);  // typedef double real
  auto in = b.scalar("int", SNOW_KIND_SIGNED, 4, 4);
  auto un = b.scalar("unsigned int", SNOW_KIND_UNSIGNED, 4, 4);
  auto pair = b.record("struct pair", SNOW_KIND_STRUCT, sizeof(Pair),
                       {{"c", ch, offsetof(Pair, c)}, {"d", dbl, offsetof(Pair, d)}});
  auto pairs = b.array("struct pair[2]", pair, 2, 2 * sizeof(Pair));
  auto ints = b.array("int[3]", in, 3, 3 * sizeof(int));
  auto tail = b.record("struct tail", SNOW_KIND_STRUCT, sizeof(Tail),
                       {{"d", dbl, offsetof(Tail, d)}, {"n", ints, offsetof(Tail, n)}});
  auto ip = b.pointer("int *", in);
  auto cp = b.pointer("char *", ch);
  Program p = b.build();
  const TypeTable &t = p.types();
  EXPECT_EQ(t.edge_fit(dbl, dbl, false), 0u);
  EXPECT_EQ(t.edge_fit(dbl, real, true), 0u);          // same class and width
  EXPECT_EQ(t.edge_fit(in, un, false), 0u);            // signedness ignored
  EXPECT_EQ(t.edge_fit(in, dbl, false), TypeTable::kNoFit);
  EXPECT_EQ(t.edge_fit(in, ints, true), 0u);           // an array pointee is its element
  EXPECT_EQ(t.edge_fit(pairs, pair, false), 0u);       // an array block is its element
  EXPECT_EQ(t.edge_fit(pair, ch, false), 1u);          // first member
  EXPECT_EQ(t.edge_fit(pairs, ch, false), 1u);
  EXPECT_EQ(t.edge_fit(pair, dbl, false), TypeTable::kNoFit);
  EXPECT_EQ(t.edge_fit(pair, dbl, true), 1u);          // last member, no padding after it
  EXPECT_EQ(t.edge_fit(tail, in, false), TypeTable::kNoFit);
  EXPECT_EQ(t.edge_fit(tail, in, true), sizeof(Tail) == 20 ? 1u : TypeTable::kNoFit);  // padding after it
  EXPECT_EQ(t.edge_fit(ip, cp, false), 0u);            // any data pointer
  EXPECT_EQ(t.edge_fit(dbl, SNOW_NO_TYPE, false), TypeTable::kNoFit);
}

TEST(TypeTable, SynthesizedLayoutUsesNaturalAlignment) {
  std::vector<TypeInfo> types(3);
  types[0].name = "char";
  types[0].kind = Kind::Unsigned;
  types[0].wire_size = 1;
  types[1].name = "double";
  types[1].kind = Kind::Float;
  types[1].wire_size = 8;
  types[2].name = "struct pair";
  types[2].kind = Kind::Struct;
  types[2].fields = {{"c", 0, 0, 0}, {"d", 1, 0, 0}};
  TypeTable t = TypeTable::synthesize(types);
  EXPECT_EQ(t.at(2).fields[1].offset, 8u);
  EXPECT_EQ(t.at(2).size, 16u);
}

} // namespace
} // namespace snow::msr
