// libFuzzer target for restoration: StateDecoder and everything it reads
// through — chunk framing, program descriptions, synthesized type tables,
// codec plans, logical addresses.
//
// The first input byte selects the mode:
//   bit 0  the program. 0: restore into the state-graph program
//          (runtime/demo/state_graph.c), globals in place and its stack frame
//          registered, as a migrating process does — mutated valid streams
//          pass the fingerprint check and reach the block data. 1: no program;
//          the decoder synthesizes one from the stream's own description, as
//          snow-state does — the description itself is under attack.
//   bit 1  the framing. 0: the rest of the input is a framed stream, used as
//          is. 1: the rest after byte 1 is a record stream, which the harness
//          frames with valid lengths, sequence numbers and checksums (byte 1
//          picks the chunk size), so that mutations reach the records instead
//          of dying at the first checksum.
//
// Every decode gets a fresh registry and max_total_bytes = 64 MiB; whatever it
// restored is freed afterwards. StateError is how a decoder refuses input.
// Anything else is a finding: a crash, a sanitizer report, another exception,
// a timeout, heap blocks left behind by a failed decode, and in mode 0 a
// failed decode that changed the globals (they are restored only at End), or
// a restored state that does not survive collection: it is collected, restored
// and collected again, and the two collections must be byte-identical.
//
// With SNOW_FUZZ_VERBOSE set in the environment, every decode prints its
// outcome (for triage: `SNOW_FUZZ_VERBOSE=1 fuzz_state_decoder <file>`).
#include "state_graph.h"

#include "msr/block_registry.hpp"
#include "msr/checksum.hpp"
#include "msr/chunk_stream.hpp"
#include "msr/process_state.hpp"
#include "msr/state_decoder.hpp"
#include "msr/state_encoder.hpp"
#include "msr/state_error.hpp"
#include "msr/stream_format.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using namespace snow::msr;
using Bytes = std::vector<unsigned char>;

constexpr std::uint64_t kMaxTotalBytes = std::uint64_t{64} << 20;

// StateDecoder stages registered stack blocks until End, as it does globals,
// so a failed decode must leave the frame untouched too.
constexpr bool kStackBlocksStaged = true;

bool all_zero(const void *p, std::size_t n) {
  const auto *b = static_cast<const unsigned char *>(p);
  for (std::size_t i = 0; i < n; ++i)
    if (b[i] != 0)
      return false;
  return true;
}

[[noreturn]] void finding(const char *what, const char *detail = "") {
  std::fprintf(stderr, "FINDING: %s%s%s\n", what, *detail ? ": " : "", detail);
  std::abort();
}

// The state-graph program, initialised once; its globals and frame are
// cleared before every input so no state leaks from one input to the next.
struct StateGraph {
  const Program *program = nullptr;
  TypeId frame_type = 0;
  graph_frame frame{};

  static StateGraph &get() {
    static StateGraph *graph = [] {
      if (state_graph_init() != 0)
        finding("state_graph_init failed", snow_last_error());
      auto *g = new StateGraph;
      g->program = process_state().program.get();
      const TypeTable &types = g->program->types();
      while (g->frame_type < types.size() && types.at(g->frame_type).name != "struct graph_frame")
        ++g->frame_type;
      if (g->frame_type == types.size())
        finding("the state graph has no 'struct graph_frame'");
      return g;
    }();
    return *graph;
  }

  std::uint64_t bytes_of(const GlobalInfo &g) const {
    return g.count * program->types().at(g.type).size;
  }

  // Whether the globals (and, once stack blocks are staged, the frame) are as clear() left them.
  bool untouched() const {
    for (const GlobalInfo &g : program->globals())
      if (!all_zero(g.address, bytes_of(g)))
        return false;
    return !kStackBlocksStaged || all_zero(&frame, sizeof frame);
  }

  void clear() {
    for (const GlobalInfo &g : program->globals())
      std::memset(g.address, 0, bytes_of(g));
    std::memset(&frame, 0, sizeof frame);
  }

  // A registry as the process has it: every global, and the frame (key 0.0).
  void register_blocks(BlockRegistry &registry) {
    register_program_globals(registry, *program);
    MemoryBlock b;
    b.base = reinterpret_cast<std::uintptr_t>(&frame);
    b.bytes = program->types().at(frame_type).size;
    b.type = frame_type;
    b.origin = wire::Origin::Stack;
    b.key = snow_stack_key(0, 0);
    b.name = "frame";
    registry.insert(b);
  }

  Bytes collect(BlockRegistry &registry) {
    MemorySink sink;
    try {
      StateEncoder encoder(*program, registry, sink);
      for (const GlobalInfo &g : program->globals())
        encoder.add_root(g.address);
      encoder.add_root(&frame);
      encoder.finish();
    } catch (const StateError &e) {
      finding("a restored state cannot be collected again", e.what());
    }
    return sink.bytes;
  }
};

bool verbose() {
  static const bool on = std::getenv("SNOW_FUZZ_VERBOSE") != nullptr;
  return on;
}

std::size_t heap_blocks(BlockRegistry &registry) {
  std::size_t n = 0;
  registry.for_each([&](const MemoryBlock &b) { n += b.origin == wire::Origin::Heap; });
  return n;
}

// Restores `stream`; false if the decoder refused it (and then freed everything).
bool restore(const Program *program, BlockRegistry &registry, const unsigned char *stream,
             std::size_t size, std::string *error = nullptr) {
  DecoderOptions options;
  options.max_total_bytes = kMaxTotalBytes;
  const std::size_t before = heap_blocks(registry);
  MemorySource source(stream, size);
  try {
    StateDecoder decoder(program, registry, source, options);
    decoder.restore_all();
    if (verbose())
      std::fprintf(stderr, "restored %zu blocks\n", decoder.block_count());
    return true;
  } catch (const StateError &e) {
    if (verbose())
      std::fprintf(stderr, "refused (%s): %s\n", to_string(e.code()), e.what());
    if (error)
      *error = e.what();
    if (heap_blocks(registry) != before)
      finding("a failed restore left heap blocks in the registry", e.what());
    return false;
  }
}

// Frames `records` into chunks of at most `payload` bytes with valid checksums.
Bytes frame(const unsigned char *records, std::size_t size, std::uint32_t payload) {
  Bytes out(wire::kPreambleSize);
  std::memcpy(out.data(), wire::kMagic, 8);
  store_unsigned(out.data() + 8, wire::kVersion, 2, ByteOrder::Big);
  store_unsigned(out.data() + 10, 0, 2, ByteOrder::Big);
  store_unsigned(out.data() + 12, payload, 4, ByteOrder::Big);
  std::uint32_t sequence = 0;
  for (std::size_t at = 0; at < size; at += payload, ++sequence) {
    const std::size_t n = size - at < payload ? size - at : payload;
    unsigned char header[wire::kChunkHeaderSize];
    store_unsigned(header, n, 4, ByteOrder::Big);
    store_unsigned(header + 4, sequence, 4, ByteOrder::Big);
    store_unsigned(header + 8, chunk_checksum(records + at, n), 8, ByteOrder::Big);
    out.insert(out.end(), header, header + sizeof header);
    out.insert(out.end(), records + at, records + at + n);
  }
  return out;
}

void restore_into_state_graph(const unsigned char *stream, std::size_t size) {
  StateGraph &graph = StateGraph::get();
  graph.clear();
  BlockRegistry first;
  graph.register_blocks(first);
  if (!restore(graph.program, first, stream, size)) {
    if (!graph.untouched())
      finding("a failed restore changed the program's globals");
    return;
  }

  // Restored: the state must survive a collection and a second restore intact.
  const Bytes collected = graph.collect(first);
  BlockRegistry second;
  graph.register_blocks(second);
  std::string error;
  if (!restore(graph.program, second, collected.data(), collected.size(), &error))
    finding("a collection of a restored state does not restore", error.c_str());
  if (graph.collect(second) != collected)
    finding("restoring and collecting again changes the state");
  free_heap_blocks(first);
  free_heap_blocks(second);
}

void restore_without_program(const unsigned char *stream, std::size_t size) {
  BlockRegistry registry;
  if (restore(nullptr, registry, stream, size))
    free_heap_blocks(registry);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  if (size < 1)
    return 0;
  const bool own_program = (data[0] & 1) == 0;
  const bool reframe = (data[0] & 2) != 0;
  const unsigned char *stream = data + 1;
  std::size_t stream_size = size - 1;
  Bytes framed;
  if (reframe) {
    if (size < 2)
      return 0;
    const std::uint32_t payload = 1 + 17u * data[1]; // 1 … 4336 bytes: splits every kind of value
    framed = frame(data + 2, size - 2, payload);
    stream = framed.data();
    stream_size = framed.size();
  }
  if (own_program)
    restore_into_state_graph(stream, stream_size);
  else
    restore_without_program(stream, stream_size);
  return 0;
}
