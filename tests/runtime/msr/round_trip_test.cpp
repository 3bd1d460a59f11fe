// Collection followed by restoration, in one process: the state graph in both
// byte orders and many chunk sizes, layouts that differ between the two sides
// (as between platforms), and each refusal the encoder must make.
#include "test_programs.hpp"

#include "msr/chunk_stream.hpp"
#include "msr/process_state.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace snow::msr {
namespace {

std::vector<unsigned char> encode(const Program &p, BlockRegistry &r, const std::vector<const void *> &roots,
                                  EncoderOptions options = {}) {
  MemorySink sink;
  StateEncoder e(p, r, sink, options);
  for (const void *root : roots) e.add_root(root);
  e.finish();
  return sink.bytes;
}

void decode(const Program &p, BlockRegistry &r, const std::vector<unsigned char> &bytes) {
  MemorySource source(bytes);
  StateDecoder d(&p, r, source);
  d.restore_all();
}

StateErrorCode encode_error(const Program &p, BlockRegistry &r, const std::vector<const void *> &roots,
                            std::string *message = nullptr) {
  try {
    encode(p, r, roots);
  } catch (const StateError &e) {
    if (message) *message = e.what();
    return e.code();
  }
  ADD_FAILURE() << "collection succeeded";
  return StateErrorCode::Io;
}

MemoryBlock heap(void *p, std::size_t bytes, TypeId type) {
  MemoryBlock b;
  b.base = reinterpret_cast<std::uintptr_t>(p);
  b.bytes = bytes;
  b.type = type;
  return b;
}

// ---- the state graph -------------------------------------------------------

TEST(RoundTrip, StateGraphSurvivesEveryChunkSizeInBothByteOrders) {
  for (ByteOrder order : {ByteOrder::Little, ByteOrder::Big}) {
    for (std::uint32_t chunk : {64u, 100u, 1000u, 65536u}) {
      EncoderOptions options;
      options.byte_order = order;
      options.chunk_payload = chunk;
      const std::vector<unsigned char> stream = test::collect_state_graph(11, options);
      const test::RestoreResult r = test::restore_state_graph(stream, 11);
      ASSERT_FALSE(r.error) << r.message;
      EXPECT_EQ(r.failed_checks, 0) << "chunk " << chunk;
    }
  }
}

TEST(RoundTrip, RestoringDifferentValuesIsSeenByTheVerifier) {
  // Guards the guard: restoring seed 5 and verifying against seed 6 must fail.
  const test::RestoreResult r = test::restore_state_graph(test::collect_state_graph(5), 6);
  ASSERT_FALSE(r.error) << r.message;
  EXPECT_GT(r.failed_checks, 0);
}

TEST(RoundTrip, ReCollectingARestoredGraphGivesTheIdenticalStream) {
  const std::vector<unsigned char> first = test::collect_state_graph(3);
  ASSERT_FALSE(test::restore_state_graph(first, 3).error);
  // The globals now hold the restored graph; the frame is rebuilt by collect,
  // so compare with a fresh collection of the same seed instead.
  EXPECT_EQ(test::collect_state_graph(3), first);
}

// ---- layouts that differ between the two sides ------------------------------

// The same C declarations as two platforms would lay them out: a 64-bit side
// (long 8, double aligned to 8) and a 32-bit one (long 4, double aligned to 4).
struct Wide {
  char c;
  char pad1[7];
  double d;
  std::int64_t l;
  std::int64_t *p;  // the pointer is this process's own width on both sides
};
struct Narrow {
  char c;
  char pad1[3];
  double d;
  std::int32_t l;
  std::int32_t pad2;
  std::int32_t *p;
};

test::ProgramBuilder layout_program(std::size_t size, std::size_t d, std::size_t l, std::size_t p, std::size_t long_size,
                                    void *record, void *numbers, std::size_t numbers_bytes) {
  test::ProgramBuilder b;
  auto ch = b.scalar("char", SNOW_KIND_UNSIGNED, 1, 1);
  auto dbl = b.scalar("double", SNOW_KIND_FLOAT, 8, 8);
  auto lng = b.scalar("long", SNOW_KIND_SIGNED, 8, long_size);
  auto lp = b.pointer("long *", lng);
  auto rec = b.record("struct padded", SNOW_KIND_STRUCT, size, {{"c", ch, 0}, {"d", dbl, d}, {"l", lng, l}, {"p", lp, p}});
  b.global("record", record, rec);
  b.global("numbers", numbers, lng, numbers_bytes / long_size);
  return b;
}

TEST(RoundTrip, ALayoutWithOtherPaddingAndLongWidthRestoresFieldByField) {
  static Wide wide;
  static std::int64_t wide_numbers[4] = {10, -20, 30, -40};
  static Narrow narrow;
  static std::int32_t narrow_numbers[4];
  wide = Wide{'x', {}, 2.5, -77, &wide_numbers[2]};
  auto wb = layout_program(sizeof(Wide), offsetof(Wide, d), offsetof(Wide, l), offsetof(Wide, p), 8, &wide,
                           wide_numbers, sizeof wide_numbers);
  auto nb = layout_program(sizeof(Narrow), offsetof(Narrow, d), offsetof(Narrow, l), offsetof(Narrow, p), 4, &narrow,
                           narrow_numbers, sizeof narrow_numbers);
  const Program wp = wb.build(), np = nb.build();
  ASSERT_EQ(wp.fingerprint(), np.fingerprint());
  BlockRegistry wr, nr;
  register_program_globals(wr, wp);
  register_program_globals(nr, np);

  decode(np, nr, encode(wp, wr, {&wide, wide_numbers}));
  EXPECT_EQ(narrow.c, 'x');
  EXPECT_EQ(narrow.d, 2.5);
  EXPECT_EQ(narrow.l, -77);
  EXPECT_EQ(narrow.p, &narrow_numbers[2]);
  EXPECT_EQ(narrow_numbers[0], 10);
  EXPECT_EQ(narrow_numbers[3], -40);

  // And back: the narrow side collected "as" the wide one gives the same values.
  wide = Wide{};
  decode(wp, wr, encode(np, nr, {&narrow, narrow_numbers}));
  EXPECT_EQ(wide.l, -77);
  EXPECT_EQ(wide.p, &wide_numbers[2]);
}

TEST(RoundTrip, AValueThatDoesNotFitTheDestinationNamesTheVariableAndTheValue) {
  static Wide wide;
  static std::int64_t wide_numbers[4] = {1, 2, std::int64_t{1} << 40, 4};
  static Narrow narrow;
  static std::int32_t narrow_numbers[4];
  wide = Wide{'x', {}, 2.5, 5, nullptr};
  auto wb = layout_program(sizeof(Wide), offsetof(Wide, d), offsetof(Wide, l), offsetof(Wide, p), 8, &wide,
                           wide_numbers, sizeof wide_numbers);
  auto nb = layout_program(sizeof(Narrow), offsetof(Narrow, d), offsetof(Narrow, l), offsetof(Narrow, p), 4, &narrow,
                           narrow_numbers, sizeof narrow_numbers);
  const Program wp = wb.build(), np = nb.build();
  BlockRegistry wr, nr;
  register_program_globals(wr, wp);
  register_program_globals(nr, np);
  try {
    decode(np, nr, encode(wp, wr, {&wide, wide_numbers}));
    FAIL() << "a 2^40 long restored into 32 bits";
  } catch (const StateError &e) {
    EXPECT_EQ(e.code(), StateErrorCode::ValueOutOfRange);
    EXPECT_NE(std::string(e.what()).find("numbers[2]"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("1099511627776"), std::string::npos) << e.what();
  }
}

// ---- what the encoder refuses ----------------------------------------------

struct Holder {
  void *target;
};

class Refusals : public ::testing::Test {
protected:
  void SetUp() override {
    in = b.scalar("int", SNOW_KIND_SIGNED, 4, 4);
    vp = b.pointer("void *", SNOW_NO_TYPE);
    holder_t = b.record("struct holder", SNOW_KIND_STRUCT, sizeof(Holder), {{"target", vp, 0}});
    ld = b.unsupported("long double", sizeof(long double));
    b.global("holder", &holder, holder_t);
    program.emplace(b.build());
    register_program_globals(registry, *program);
  }
  test::ProgramBuilder b;
  TypeId in = 0, vp = 0, holder_t = 0, ld = 0;
  Holder holder{};
  std::optional<Program> program;
  BlockRegistry registry;
};

TEST_F(Refusals, APointerToUnregisteredMemoryNamesWhereItIsStored) {
  int loose = 0;
  holder.target = &loose;
  std::string message;
  EXPECT_EQ(encode_error(*program, registry, {&holder}, &message), StateErrorCode::UnregisteredPointer);
  EXPECT_NE(message.find("holder.target"), std::string::npos) << message;
}

TEST_F(Refusals, AHeapBlockOfAnUnmovableType) {
  long double value = 1;
  registry.insert(heap(&value, sizeof value, ld));
  holder.target = &value;
  std::string message;
  EXPECT_EQ(encode_error(*program, registry, {&holder}, &message), StateErrorCode::UnsupportedType);
  EXPECT_NE(message.find("long double"), std::string::npos);
}

TEST_F(Refusals, AHeapBlockThatIsNotAWholeNumberOfElements) {
  int values[3] = {};
  registry.insert(heap(values, 10, in));
  holder.target = values;
  std::string message;
  EXPECT_EQ(encode_error(*program, registry, {&holder}, &message), StateErrorCode::BadBlock);
  EXPECT_NE(message.find("10 bytes"), std::string::npos);
}

TEST_F(Refusals, AHeapBlockOfUnknownType) {
  int values[3] = {};
  registry.insert(heap(values, sizeof values, SNOW_NO_TYPE));
  holder.target = values;
  EXPECT_EQ(encode_error(*program, registry, {&holder}), StateErrorCode::BadBlock);
}

TEST_F(Refusals, APointerIntoTheMiddleOfAnInt) {
  int values[3] = {};
  registry.insert(heap(values, sizeof values, in));
  holder.target = reinterpret_cast<char *>(values) + 2;
  EXPECT_EQ(encode_error(*program, registry, {&holder}), StateErrorCode::PointerIntoScalar);
}

TEST_F(Refusals, APointerToAStackVariableWhoseFrameIsNotCollected) {
  int local = 0;
  MemoryBlock s = heap(&local, sizeof local, in);
  s.origin = wire::Origin::Stack;
  s.key = 7;
  s.name = "local";
  registry.insert(s);
  holder.target = &local;
  std::string message;
  EXPECT_EQ(encode_error(*program, registry, {&holder}, &message), StateErrorCode::MissingRoot);
  EXPECT_NE(message.find("'local'"), std::string::npos);
}

TEST_F(Refusals, ARootMustBeAGlobalOrStackBlock) {
  int values[1] = {};
  registry.insert(heap(values, sizeof values, in));
  EXPECT_EQ(encode_error(*program, registry, {values}), StateErrorCode::BadBlock);
}

// ---- sharing, function pointers, adjacency ------------------------------------

int twice(int x) { return 2 * x; }

TEST(RoundTrip, SharedBlocksStaySharedAndFunctionPointersMapByName) {
  struct Pair {
    int *a;
    int *b;
    int (*fn)(int);
  };
  static Pair src, dst;
  test::ProgramBuilder b;
  auto in = b.scalar("int", SNOW_KIND_SIGNED, 4, 4);
  auto ip = b.pointer("int *", in);
  auto fn = b.function("int (*)(int)");
  auto pair = b.record("struct pair", SNOW_KIND_STRUCT, sizeof(Pair),
                       {{"a", ip, offsetof(Pair, a)}, {"b", ip, offsetof(Pair, b)}, {"fn", fn, offsetof(Pair, fn)}});
  b.function_entry("twice", reinterpret_cast<snow_function_address>(twice));
  test::ProgramBuilder b2 = b;
  b.global("pair", &src, pair);
  b2.global("pair", &dst, pair);
  const Program sp = b.build(), dp = b2.build();
  BlockRegistry sr, dr;
  register_program_globals(sr, sp);
  register_program_globals(dr, dp);
  int shared[2] = {5, 6};
  sr.insert(heap(shared, sizeof shared, in));
  src = Pair{&shared[0], &shared[1], twice};
  decode(dp, dr, encode(sp, sr, {&src}));
  ASSERT_NE(dst.a, nullptr);
  EXPECT_NE(dst.a, &shared[0]);     // a fresh heap block here
  EXPECT_EQ(dst.b, dst.a + 1);      // into the same block
  EXPECT_EQ(*dst.b, 6);
  EXPECT_EQ(dst.fn(21), 42);
  EXPECT_NE(dr.find(reinterpret_cast<std::uintptr_t>(dst.a)), nullptr);  // registered: it can move again
  free_heap_blocks(dr);
}

TEST(RoundTrip, AnAddressThatEndsOneGlobalAndStartsAnotherFollowsThePointerType) {
  // Two globals carved from one array are adjacent; `end` is one past `ints`
  // and typed int *, so it must not become a pointer to `reals`.
  struct Cursor {
    int *end;
  };
  alignas(8) static unsigned char src_storage[16 + 8], dst_ints[16], dst_reals[8];
  static Cursor src_cursor, dst_cursor;
  auto make = [](void *ints, void *reals, Cursor *cursor) {
    test::ProgramBuilder b;
    auto in = b.scalar("int", SNOW_KIND_SIGNED, 4, 4);
    auto dbl = b.scalar("double", SNOW_KIND_FLOAT, 8, 8);
    auto ip = b.pointer("int *", in);
    auto cur = b.record("struct cursor", SNOW_KIND_STRUCT, sizeof(Cursor), {{"end", ip, 0}});
    b.global("ints", ints, in, 4);
    b.global("reals", reals, dbl, 1);
    b.global("cursor", cursor, cur);
    return b;
  };
  auto sb = make(src_storage, src_storage + 16, &src_cursor);
  auto db = make(dst_ints, dst_reals, &dst_cursor);
  const Program sp = sb.build(), dp = db.build();
  BlockRegistry sr, dr;
  register_program_globals(sr, sp);
  register_program_globals(dr, dp);
  src_cursor.end = reinterpret_cast<int *>(src_storage) + 4;
  decode(dp, dr, encode(sp, sr, {&src_cursor, src_storage, src_storage + 16}));
  EXPECT_EQ(dst_cursor.end, reinterpret_cast<int *>(dst_ints) + 4);
}

TEST(RoundTrip, APointerAfterAnArrayOfOtherPointersKeepsItsOwnPointeeType) {
  // As in NAS MG: a frame's `double *line[3]` is followed directly by a
  // `const struct item *cls` pointing at the table `items`, which starts
  // exactly where the global `reals` (double[4]) ends. The two pointer fields
  // are contiguous, so a plan that merges them into one run of `double *`
  // would encode `cls` as one past the end of `reals`.
  struct Item {
    char name;
    int n;
    double x;
  };
  struct Frame {
    double *line[3];
    const Item *cls;
  };
  static_assert(offsetof(Frame, cls) == 3 * sizeof(double *), "the pointers are contiguous");
  alignas(8) static unsigned char src_storage[4 * sizeof(double) + 2 * sizeof(Item)];
  alignas(8) static unsigned char dst_reals[4 * sizeof(double)], dst_items[2 * sizeof(Item)];
  static Frame src_frame, dst_frame;
  auto make = [](void *reals, void *items, Frame *frame) {
    test::ProgramBuilder b;
    auto dbl = b.scalar("double", SNOW_KIND_FLOAT, 8, 8);
    auto ch = b.scalar("char", SNOW_KIND_UNSIGNED, 1, 1);
    auto in = b.scalar("int", SNOW_KIND_SIGNED, 4, 4);
    auto dp = b.pointer("double *", dbl);
    auto lines = b.array("double *[3]", dp, 3, 3 * sizeof(double *));
    auto item_ptr = b.pointer("const struct item *", 7);  // struct item, defined last
    auto frame_t = b.record("frame", SNOW_KIND_STRUCT, sizeof(Frame),
                            {{"line", lines, offsetof(Frame, line)}, {"cls", item_ptr, offsetof(Frame, cls)}});
    auto item = b.record("struct item", SNOW_KIND_STRUCT, sizeof(Item),
                         {{"name", ch, offsetof(Item, name)}, {"n", in, offsetof(Item, n)}, {"x", dbl, offsetof(Item, x)}});
    EXPECT_EQ(item, 7u);
    b.global("reals", reals, dbl, 4);
    b.global("items", items, item, 2);
    b.global("frame", frame, frame_t);
    return b;
  };
  auto sb = make(src_storage, src_storage + 4 * sizeof(double), &src_frame);
  auto db = make(dst_reals, dst_items, &dst_frame);
  const Program sp = sb.build(), dp = db.build();
  BlockRegistry sr, dr;
  register_program_globals(sr, sp);
  register_program_globals(dr, dp);
  double *reals = reinterpret_cast<double *>(src_storage);
  const Item *items = reinterpret_cast<const Item *>(src_storage + 4 * sizeof(double));
  src_frame = Frame{{reals, reals + 1, reals + 4}, items};
  decode(dp, dr, encode(sp, sr, {src_storage, items, &src_frame}));
  EXPECT_EQ(dst_frame.line[0], reinterpret_cast<double *>(dst_reals));
  EXPECT_EQ(dst_frame.line[2], reinterpret_cast<double *>(dst_reals) + 4);  // one past the end: the type says so
  EXPECT_EQ(dst_frame.cls, reinterpret_cast<const Item *>(dst_items));
}

// `reals` (double[4]) and then `items` (struct item[2]) carved from one
// array; `cursor` holds one pointer of the type under test, set to the
// address where `reals` ends and `items` begins. Returns where it lands
// after a round trip: 'e' (one past the end of reals), 's' (start of
// items) or '?'.
struct Item {
  char name;
  double x;
};

template <typename Describe> char adjacent_round_trip(Describe describe_pointee) {
  alignas(8) static unsigned char src_storage[4 * sizeof(double) + 2 * sizeof(Item)];
  alignas(8) static unsigned char dst_reals[4 * sizeof(double)], dst_items[2 * sizeof(Item)];
  static void *src_cursor, *dst_cursor;
  auto make = [&](void *reals, void *items, void **cursor) {
    test::ProgramBuilder b;
    auto ch = b.scalar("char", SNOW_KIND_UNSIGNED, 1, 1);
    auto dbl = b.scalar("double", SNOW_KIND_FLOAT, 8, 8);
    auto item = b.record("struct item", SNOW_KIND_STRUCT, sizeof(Item),
                         {{"name", ch, offsetof(Item, name)}, {"x", dbl, offsetof(Item, x)}});
    auto ptr = b.pointer("cursor *", describe_pointee(b, ch, dbl, item));
    b.global("reals", reals, dbl, 4);
    b.global("items", items, item, 2);
    b.global("cursor", cursor, ptr);
    return b;
  };
  auto sb = make(src_storage, src_storage + 4 * sizeof(double), &src_cursor);
  auto db = make(dst_reals, dst_items, &dst_cursor);
  const Program sp = sb.build(), dp = db.build();
  BlockRegistry sr, dr;
  register_program_globals(sr, sp);
  register_program_globals(dr, dp);
  src_cursor = src_storage + 4 * sizeof(double);
  dst_cursor = nullptr;
  decode(dp, dr, encode(sp, sr, {&src_cursor, src_storage, src_storage + 4 * sizeof(double)}));
  if (dst_cursor == dst_reals + sizeof dst_reals) return 'e';
  if (dst_cursor == dst_items) return 's';
  return '?';
}

TEST(RoundTrip, AtAnAddressBetweenTwoGlobalsCompatibleTypesDecide) {
  using B = test::ProgramBuilder;
  // The struct type itself, and a typedef-like twin of double.
  EXPECT_EQ(adjacent_round_trip([](B &, auto, auto, auto item) { return item; }), 's');
  EXPECT_EQ(adjacent_round_trip([](B &, auto, auto dbl, auto) { return dbl; }), 'e');
  EXPECT_EQ(adjacent_round_trip([](B &b, auto, auto, auto) { return b.scalar("real", SNOW_KIND_FLOAT, 8, 8); }), 'e');
  // double (*)[4]: an array pointee is its element type.
  EXPECT_EQ(adjacent_round_trip([](B &b, auto, auto dbl, auto) { return b.array("double[4]", dbl, 4, 32); }), 'e');
  // struct item (*)[2] likewise.
  EXPECT_EQ(adjacent_round_trip([](B &b, auto, auto, auto item) {
              return b.array("struct item[2]", item, 2, 2 * sizeof(Item));
            }), 's');
  // char *: the first member of items[0] is a char, and nothing of char ends reals.
  EXPECT_EQ(adjacent_round_trip([](B &, auto ch, auto, auto) { return ch; }), 's');
  // void * (no pointee type): the block that starts there.
  EXPECT_EQ(adjacent_round_trip([](B &, auto, auto, auto) { return snow_type_id{SNOW_NO_TYPE}; }), 's');
}

TEST(RoundTrip, ThroughAFileWithTheCApi) {
  test::init_state_graph();
  const test::GraphHeap heap;
  graph_frame frame{};
  state_graph_register_frame(&frame);
  state_graph_build(&frame, 21);
  void *roots[16];
  const std::size_t n = state_graph_roots(&frame, roots, 16);
  const std::string path = ::testing::TempDir() + "snow_round_trip.snow";
  ASSERT_EQ(snow_save_state_file(path.c_str(), roots, n), 0) << snow_last_error();
  state_graph_build(&frame, 99);  // overwrite everything
  ASSERT_EQ(snow_restore_state_file(path.c_str()), 0) << snow_last_error();
  EXPECT_EQ(state_graph_verify(&frame, 21, stderr), 0);
  snow_unregister_stack_block(&frame);
  std::remove(path.c_str());
}

TEST(RoundTrip, TheCApiReportsAMissingFileByName) {
  test::init_state_graph();
  EXPECT_EQ(snow_restore_state_file("/nonexistent/state.snow"), -1);
  EXPECT_NE(std::string(snow_last_error()).find("/nonexistent/state.snow"), std::string::npos);
}

} // namespace
} // namespace snow::msr
