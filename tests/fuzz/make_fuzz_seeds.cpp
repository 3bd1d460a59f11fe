// Writes valid streams as inputs for fuzz_state_decoder (see its mode byte):
// the state graph in both byte orders and several chunk sizes, framed and as
// bare record streams, for both modes; and a small program of the shapes the
// state graph lacks (empty structs, zero-length arrays, nested arrays), for
// the no-program mode.
//
//   make_fuzz_seeds <directory>
#include "test_programs.hpp"

#include "msr/byte_order.hpp"
#include "msr/chunk_stream.hpp"
#include "msr/stream_format.hpp"

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace {

using namespace snow;
using Bytes = std::vector<unsigned char>;

enum Mode : unsigned char { kStateGraph = 0, kNoProgram = 1, kReframe = 2 };

std::string directory;

void write(const std::string &name, unsigned char mode, const Bytes &body, int selector = -1) {
  Bytes input{mode};
  if (selector >= 0)
    input.push_back(static_cast<unsigned char>(selector));
  input.insert(input.end(), body.begin(), body.end());
  const std::string path = directory + "/" + name;
  std::FILE *f = std::fopen(path.c_str(), "wb");
  if (f == nullptr || std::fwrite(input.data(), 1, input.size(), f) != input.size() ||
      std::fclose(f) != 0) {
    std::perror(path.c_str());
    std::exit(1);
  }
}

// The payloads of a framed stream, concatenated.
Bytes records_of(const Bytes &stream) {
  Bytes records;
  for (std::size_t at = msr::wire::kPreambleSize;
       at + msr::wire::kChunkHeaderSize <= stream.size();) {
    const auto length =
        static_cast<std::size_t>(msr::load_unsigned(stream.data() + at, 4, msr::ByteOrder::Big));
    at += msr::wire::kChunkHeaderSize;
    records.insert(records.end(), stream.begin() + static_cast<std::ptrdiff_t>(at),
                   stream.begin() + static_cast<std::ptrdiff_t>(at + length));
    at += length;
  }
  return records;
}

void state_graph_seeds() {
  for (msr::ByteOrder order : {msr::ByteOrder::Little, msr::ByteOrder::Big}) {
    const std::string o = order == msr::ByteOrder::Little ? "le" : "be";
    for (std::uint32_t chunk : {64u, 256u, 4096u, 65536u}) {
      msr::EncoderOptions options;
      options.byte_order = order;
      options.chunk_payload = chunk;
      const Bytes stream = test::collect_state_graph(7, options);
      write("graph-" + o + "-" + std::to_string(chunk) + "-restore", kStateGraph, stream);
      write("graph-" + o + "-" + std::to_string(chunk) + "-noprogram", kNoProgram, stream);
      if (chunk == 65536) {
        const Bytes records = records_of(stream);
        for (int selector : {3, 255}) {
          const std::string s = std::to_string(selector);
          write("graph-" + o + "-records-" + s + "-restore", kStateGraph | kReframe, records,
                selector);
          write("graph-" + o + "-records-" + s + "-noprogram", kNoProgram | kReframe, records,
                selector);
        }
      }
    }
  }
}

// Shapes the state graph does not have.
struct Holder {
  int a;
  double d;
};
Holder holders[3] = {{1, 1.5}, {2, 2.5}, {3, 3.5}};
int matrix[2][3] = {{1, 2, 3}, {4, 5, 6}};
double *inside = &holders[1].d;
union Number {
  int i;
  float f;
} number = {-9};

void shapes_seeds() {
  test::ProgramBuilder b;
  const auto i = b.scalar("int", SNOW_KIND_SIGNED, 4, sizeof(int));
  const auto d = b.scalar("double", SNOW_KIND_FLOAT, 8, sizeof(double));
  const auto f = b.scalar("float", SNOW_KIND_FLOAT, 4, sizeof(float));
  const auto c = b.scalar("char", SNOW_KIND_UNSIGNED, 1, 1);
  const auto empty = b.record("struct empty", SNOW_KIND_STRUCT, 0, {});
  const auto none = b.array("char[0]", c, 0, 0);
  const auto holder = b.record("struct holder", SNOW_KIND_STRUCT, sizeof(Holder),
                               {{"a", i, offsetof(Holder, a)},
                                {"e", empty, offsetof(Holder, d)},
                                {"z", none, offsetof(Holder, d)},
                                {"d", d, offsetof(Holder, d)}});
  const auto row = b.array("int[3]", i, 3, sizeof matrix[0]);
  const auto dp = b.pointer("double *", d);
  const auto num = b.record("union number", SNOW_KIND_UNION, sizeof(Number),
                            {{"i", i, offsetof(Number, i)}, {"f", f, offsetof(Number, f)}});
  b.global("holders", holders, holder, 3);
  b.global("matrix", matrix, row, 2);
  b.global("inside", &inside, dp);
  b.global("number", &number, num);
  const msr::Program program = b.build("shapes");

  msr::BlockRegistry registry;
  msr::register_program_globals(registry, program);
  msr::MemorySink sink;
  msr::StateEncoder encoder(program, registry, sink);
  for (const void *root : {static_cast<const void *>(holders), static_cast<const void *>(matrix),
                           static_cast<const void *>(&inside), static_cast<const void *>(&number)})
    encoder.add_root(root);
  encoder.finish();
  write("shapes-noprogram", kNoProgram, sink.bytes);
  write("shapes-records-7-noprogram", kNoProgram | kReframe, records_of(sink.bytes), 7);
}

} // namespace

// Each collection rebuilds the graph over the previous one, which stays
// allocated: a leak by design in a generator, not a finding.
extern "C" const char *__asan_default_options() { return "detect_leaks=0"; }

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <directory>\n", argv[0]);
    return 2;
  }
  directory = argv[1];
  mkdir(directory.c_str(), 0777);
  state_graph_seeds();
  shapes_seeds();
  return 0;
}
