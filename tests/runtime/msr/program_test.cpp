#include "test_programs.hpp"

#include "msr/chunk_stream.hpp"
#include "msr/process_state.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace snow::msr {
namespace {

int forty_two() { return 42; }

test::ProgramBuilder two_field_program(const char *second_field, std::size_t offset) {
  test::ProgramBuilder b;
  auto i = b.scalar("int", SNOW_KIND_SIGNED, 4, 4);
  b.record("struct s", SNOW_KIND_STRUCT, 16, {{"a", i, 0}, {second_field, i, offset}});
  return b;
}

TEST(Program, FingerprintIgnoresNativeOffsetsButNotNames) {
  // The same description laid out differently (as on another platform) must
  // have the same fingerprint; a renamed field must not.
  const Program here = two_field_program("b", 4).build();
  const Program there = two_field_program("b", 8).build();
  const Program renamed = two_field_program("c", 4).build();
  EXPECT_EQ(here.fingerprint(), there.fingerprint());
  EXPECT_NE(here.fingerprint(), renamed.fingerprint());
  EXPECT_NE(Program::explain_difference(here, renamed).find("'b' here but 'c'"), std::string::npos);
}

TEST(Program, FunctionsMapToStableIds) {
  test::ProgramBuilder b;
  b.function_entry("forty_two", reinterpret_cast<snow_function_address>(forty_two));
  const Program p = b.build();
  EXPECT_EQ(p.function_id(reinterpret_cast<snow_function_address>(forty_two)), 0);
  EXPECT_EQ(p.function_id(reinterpret_cast<snow_function_address>(&std::abort)), -1);
}

TEST(Program, DescriptionRoundTripsThroughAStream) {
  test::init_state_graph();
  const Program &mine = *::snow::msr::process_state().program;
  MemorySink sink;
  {
    ChunkWriter w(sink, 128);
    w.write_preamble();
    mine.write_description(w);
    w.flush_chunk();
  }
  MemorySource source(sink.bytes);
  ChunkReader r(source, {});
  r.read_preamble();
  const Program theirs = Program::read_description(r);
  EXPECT_EQ(theirs.fingerprint(), mine.fingerprint());
  EXPECT_EQ(theirs.types().size(), mine.types().size());
  EXPECT_EQ(theirs.globals().size(), mine.globals().size());
}

TEST(Program, RejectsAGlobalWithAnUnknownType) {
  test::ProgramBuilder b;
  static int x;
  b.scalar("int", SNOW_KIND_SIGNED, 4, 4);
  b.global("x", &x, 5);
  try {
    b.build();
    FAIL();
  } catch (const StateError &e) {
    EXPECT_EQ(e.code(), StateErrorCode::InvalidProgram);
    EXPECT_NE(std::string(e.what()).find("'x'"), std::string::npos);
  }
}

} // namespace
} // namespace snow::msr
