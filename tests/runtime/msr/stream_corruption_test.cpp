// Damaged and hostile state streams: each is refused with its own error code
// and a message that locates the damage; nothing crashes, nothing leaks.
//
// Four families:
//  - damage to a real stream (the state graph, small chunks so there are
//    many): truncation, flipped bytes, chunks dropped, duplicated or swapped.
//    The framing (magic, version, lengths, sequence numbers, checksums) must
//    catch all of it; the expected error is computed from where the damage is.
//    A failed restore must also leave the globals as they were.
//  - hostile streams whose framing and checksums are valid but whose records
//    lie, forged record by record with ChunkWriter. Only the record-level
//    checks stand between them and the process.
//  - hostile program descriptions, for readers without the program
//    (snow-state, the fuzzer) that trust the stream's own description;
//  - streams written by another program.
//
// Every failed restore is also checked to have freed the heap blocks it
// allocated. tests/fuzz/ runs the same decoder under libFuzzer.
//
// The sweeps visit every byte natively; under qemu (the four other platforms)
// they take every kSweepStride-th byte, which keeps the file to a few seconds
// there too.
#include "test_programs.hpp"

#include "msr/byte_order.hpp"
#include "msr/checksum.hpp"
#include "msr/chunk_stream.hpp"
#include "msr/platform.hpp"
#include "msr/process_state.hpp"
#include "msr/restore_limits.hpp"
#include "msr/stream_format.hpp"

#include <gtest/gtest.h>

#include <sys/resource.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace snow::msr {
namespace {

using Bytes = std::vector<unsigned char>;

#if defined(__x86_64__)
constexpr std::size_t kSweepStride = 1;
#else
constexpr std::size_t kSweepStride = 7; // emulated: a prime, so no field is always skipped
#endif

constexpr int kSeed = 7;
constexpr std::uint32_t kChunk = 256;

bool contains(const std::string &text, const std::string &fragment) {
  return text.find(fragment) != std::string::npos;
}

std::size_t heap_blocks(BlockRegistry &registry) {
  std::size_t n = 0;
  registry.for_each([&](const MemoryBlock &b) { n += b.origin == wire::Origin::Heap; });
  return n;
}

// ---- the framing, parsed independently of the reader -----------------------

struct ChunkSpan {
  std::size_t begin;    // the chunk header's first byte
  std::uint32_t length; // payload bytes
  std::size_t end() const { return begin + wire::kChunkHeaderSize + length; }
};

std::uint64_t load_be(const Bytes &b, std::size_t at, unsigned width) {
  return load_unsigned(b.data() + at, width, ByteOrder::Big);
}

void store_be(Bytes &b, std::size_t at, std::uint64_t v, unsigned width) {
  store_unsigned(b.data() + at, v, width, ByteOrder::Big);
}

std::vector<ChunkSpan> chunks_of(const Bytes &stream) {
  std::vector<ChunkSpan> chunks;
  std::size_t at = wire::kPreambleSize;
  while (at < stream.size()) {
    const auto length = static_cast<std::uint32_t>(load_be(stream, at, 4));
    chunks.push_back({at, length});
    at += wire::kChunkHeaderSize + length;
  }
  EXPECT_EQ(at, stream.size()) << "the fixture stream is not a whole number of chunks";
  return chunks;
}

// The record stream: the payloads, concatenated.
Bytes records_of(const Bytes &stream) {
  Bytes records;
  for (const ChunkSpan &c : chunks_of(stream))
    records.insert(records.end(),
                   stream.begin() + static_cast<std::ptrdiff_t>(c.begin + wire::kChunkHeaderSize),
                   stream.begin() + static_cast<std::ptrdiff_t>(c.end()));
  return records;
}

// Frames `records` again, with valid lengths, sequence numbers and checksums.
Bytes frame(const Bytes &records, std::uint32_t chunk = kChunk) {
  MemorySink sink;
  ChunkWriter writer(sink, chunk);
  writer.write_preamble();
  writer.put_bytes(records.data(), records.size());
  writer.flush_chunk();
  return sink.bytes;
}

Bytes without_chunk(const Bytes &stream, const ChunkSpan &c) {
  Bytes out(stream.begin(), stream.begin() + static_cast<std::ptrdiff_t>(c.begin));
  out.insert(out.end(), stream.begin() + static_cast<std::ptrdiff_t>(c.end()), stream.end());
  return out;
}

Bytes slice(const Bytes &stream, const ChunkSpan &c) {
  return Bytes(stream.begin() + static_cast<std::ptrdiff_t>(c.begin),
               stream.begin() + static_cast<std::ptrdiff_t>(c.end()));
}

// ---- expectations ----------------------------------------------------------

struct Expected {
  std::optional<StateErrorCode> code; // empty: the stream must restore
  std::string fragment;               // the message must contain it
};

::testing::AssertionResult matches(const test::RestoreResult &r, const Expected &e) {
  if (!e.code) {
    if (r.error)
      return ::testing::AssertionFailure()
             << "expected success, got '" << to_string(*r.error) << "': " << r.message;
    if (r.failed_checks != 0)
      return ::testing::AssertionFailure() << r.failed_checks << " checks of the graph failed";
    return ::testing::AssertionSuccess();
  }
  if (!r.error)
    return ::testing::AssertionFailure()
           << "restored without error; expected '" << to_string(*e.code) << "'";
  if (*r.error != *e.code)
    return ::testing::AssertionFailure() << "expected '" << to_string(*e.code) << "', got '"
                                         << to_string(*r.error) << "': " << r.message;
  if (!contains(r.message, e.fragment))
    return ::testing::AssertionFailure()
           << "the message does not contain \"" << e.fragment << "\": " << r.message;
  return ::testing::AssertionSuccess();
}

// Restores into the state graph and checks the failure freed what it allocated.
test::RestoreResult restore(const Bytes &stream, DecoderOptions options = {}) {
  test::init_state_graph();
  BlockRegistry &registry = process_state().registry;
  const std::size_t before = heap_blocks(registry);
  test::RestoreResult r = test::restore_state_graph(stream, kSeed, options);
  if (r.error) {
    EXPECT_EQ(heap_blocks(registry), before)
        << "a failed restore left heap blocks behind: " << r.message;
  }
  return r;
}

std::string chunk_named(std::size_t k) { return "chunk " + std::to_string(k) + " "; }

// What the first `cut` bytes of `stream` must give.
Expected truncation_error(const Bytes &stream, const std::vector<ChunkSpan> &chunks,
                          std::size_t cut) {
  if (cut < 8)
    return {StateErrorCode::BadMagic, "magic bytes"};
  if (cut < wire::kPreambleSize)
    return {StateErrorCode::Truncated, "preamble"};
  for (std::size_t k = 0; k < chunks.size(); ++k) {
    const ChunkSpan &c = chunks[k];
    if (cut < c.begin + wire::kChunkHeaderSize)
      return {StateErrorCode::Truncated,
              "(" + std::to_string(cut) + " bytes) before its End record"};
    if (cut < c.end())
      return {StateErrorCode::Truncated,
              chunk_named(k) +
                  "is cut short: " + std::to_string(cut - c.begin - wire::kChunkHeaderSize) +
                  " of " + std::to_string(c.length) + " payload bytes"};
  }
  EXPECT_EQ(cut, stream.size());
  return {};
}

// What `stream` with byte `at` of chunk k's header or payload replaced by `value` must give.
Expected chunk_flip_error(const Bytes &stream, const std::vector<ChunkSpan> &chunks, std::size_t k,
                          std::size_t at, unsigned char value) {
  const ChunkSpan &c = chunks[k];
  const std::size_t field = at - c.begin;
  if (field >= 8)
    return {StateErrorCode::ChecksumMismatch, chunk_named(k) + "(stream bytes"};
  Bytes header(stream.begin() + static_cast<std::ptrdiff_t>(c.begin),
               stream.begin() + static_cast<std::ptrdiff_t>(c.begin + 8));
  header[field] = value;
  if (field >= 4)
    return {StateErrorCode::ChunkOutOfOrder, "expected chunk " + std::to_string(k) +
                                                 " but found chunk " +
                                                 std::to_string(load_be(header, 4, 4))};
  const std::uint64_t length = load_be(header, 0, 4);
  if (length == 0 || length > kChunk)
    return {StateErrorCode::MalformedRecord,
            chunk_named(k) + "declares " + std::to_string(length) + " payload bytes"};
  if (c.begin + wire::kChunkHeaderSize + length > stream.size())
    return {StateErrorCode::Truncated, chunk_named(k) + "is cut short"};
  return {StateErrorCode::ChecksumMismatch, chunk_named(k) + "(stream bytes"};
}

// ---- damage to a real stream ----------------------------------------------

class DamagedStateGraph : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    for (ByteOrder order : {ByteOrder::Little, ByteOrder::Big}) {
      EncoderOptions options;
      options.chunk_payload = kChunk;
      options.byte_order = order;
      streams_.push_back(test::collect_state_graph(kSeed, options));
    }
  }
  static void TearDownTestSuite() { streams_.clear(); }
  static const Bytes &native() {
    return streams_[native_byte_order() == ByteOrder::Little ? 0 : 1];
  }

  static std::vector<Bytes> streams_; // little-endian and big-endian scalars
};

std::vector<Bytes> DamagedStateGraph::streams_;

TEST_F(DamagedStateGraph, UndamagedStreamsRestoreWithEveryCheckPassing) {
  for (const Bytes &stream : streams_) {
    EXPECT_GT(chunks_of(stream).size(), 10u) << "the fixture should span many chunks";
    EXPECT_TRUE(matches(restore(stream), {}));
  }
}

TEST_F(DamagedStateGraph, TruncationAtEveryChunkBoundaryIsTruncated) {
  for (const Bytes &stream : streams_) {
    const std::vector<ChunkSpan> chunks = chunks_of(stream);
    std::vector<std::size_t> cuts = {wire::kPreambleSize};
    for (const ChunkSpan &c : chunks)
      cuts.push_back(c.end());
    cuts.pop_back(); // the whole stream
    for (std::size_t cut : cuts) {
      const Bytes head(stream.begin(), stream.begin() + static_cast<std::ptrdiff_t>(cut));
      const Expected e = truncation_error(stream, chunks, cut);
      ASSERT_EQ(e.code, StateErrorCode::Truncated);
      ASSERT_TRUE(matches(restore(head), e))
          << "cut after " << cut << " of " << stream.size() << " bytes";
    }
  }
}

TEST_F(DamagedStateGraph, TruncationAtEveryByteIsTruncatedOrBadMagic) {
  const Bytes &stream = native();
  const std::vector<ChunkSpan> chunks = chunks_of(stream);
  const std::size_t dense_until =
      chunks[3].end(); // every byte of the preamble and the first chunks
  std::size_t checked = 0;
  for (std::size_t cut = 0; cut < stream.size(); cut += cut < dense_until ? 1 : kSweepStride) {
    const Bytes head(stream.begin(), stream.begin() + static_cast<std::ptrdiff_t>(cut));
    ASSERT_TRUE(matches(restore(head), truncation_error(stream, chunks, cut)))
        << "cut after " << cut << " bytes";
    ++checked;
  }
  EXPECT_GE(checked, dense_until);
}

// The checksum once folded its two sums linearly, so a change of 2^63 in some
// words cancelled out: 256 zero bytes and the same with byte 39 = 0x80 matched.
TEST(ChunkChecksum, EverySingleFlippedBitAndSwappedWordChangesIt) {
  std::uint64_t state = 0x9E3779B97F4A7C15ull;
  auto next_byte = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<unsigned char>(state >> 56);
  };
  std::size_t missed = 0, flips = 0;
  for (std::size_t size : {1u, 7u, 8u, 31u, 32u, 33u, 255u, 256u, 4096u}) {
    for (bool zeros : {true, false}) {
      Bytes chunk(size, 0);
      if (!zeros)
        for (unsigned char &b : chunk)
          b = next_byte();
      const std::uint64_t clean = chunk_checksum(chunk.data(), chunk.size());
      const std::size_t stride = size > 256 ? kSweepStride : 1;
      for (std::size_t at = 0; at < size; at += stride) {
        for (int bit = 0; bit < 8; ++bit) {
          chunk[at] ^= static_cast<unsigned char>(1 << bit);
          missed += chunk_checksum(chunk.data(), chunk.size()) == clean;
          chunk[at] ^= static_cast<unsigned char>(1 << bit);
          ++flips;
        }
      }
      for (std::size_t at = 0; !zeros && at + 16 <= size; at += 8) {
        Bytes swapped = chunk;
        std::swap_ranges(swapped.begin() + static_cast<std::ptrdiff_t>(at),
                         swapped.begin() + static_cast<std::ptrdiff_t>(at + 8),
                         swapped.begin() + static_cast<std::ptrdiff_t>(at + 8));
        if (swapped != chunk)
          missed += chunk_checksum(swapped.data(), swapped.size()) == clean;
      }
    }
  }
  EXPECT_EQ(missed, 0u) << "of " << flips << " single-bit flips and the adjacent word swaps";
}

// Each flipped byte is caught by its own chunk's checksum, before any record
// is read. (With the old checksum 298 of these 18690 flips got through, and
// 144 of them restored "successfully" with a wrong value in the graph.)
TEST_F(DamagedStateGraph, EveryFlippedPayloadByteFailsItsChunksChecksum) {
  std::size_t flips = 0;
  std::vector<std::string> escaped;
  for (const Bytes &stream : streams_) {
    const std::vector<ChunkSpan> chunks = chunks_of(stream);
    Bytes damaged = stream;
    for (std::size_t k = 0; k < chunks.size(); ++k) {
      const std::size_t payload = chunks[k].begin + wire::kChunkHeaderSize;
      for (std::size_t at = payload + k % kSweepStride; at < chunks[k].end(); at += kSweepStride) {
        for (unsigned char mask : {0x01, 0x80, 0xff}) {
          damaged[at] ^= mask;
          const test::RestoreResult r = restore(damaged);
          if (!matches(r, {StateErrorCode::ChecksumMismatch, chunk_named(k) + "(stream bytes"}))
            escaped.push_back(
                "byte " + std::to_string(at) + " ^ " + std::to_string(mask) + ": " +
                (r.error ? to_string(*r.error) + std::string(": ") + r.message
                         : "restored, " + std::to_string(r.failed_checks) + " checks failed"));
          damaged[at] ^= mask;
          ++flips;
        }
      }
    }
  }
  std::string first;
  for (std::size_t i = 0; i < escaped.size() && i < 10; ++i)
    first += "\n  " + escaped[i];
  EXPECT_TRUE(escaped.empty()) << escaped.size() << " of " << flips
                               << " flips escaped the checksum:" << first;
}

TEST_F(DamagedStateGraph, FlippedChunkHeaderBytesGiveTheirSpecificErrors) {
  const Bytes &stream = native();
  const std::vector<ChunkSpan> chunks = chunks_of(stream);
  Bytes damaged = stream;
  for (std::size_t k = 0; k < chunks.size(); ++k) {
    for (std::size_t at = chunks[k].begin; at < chunks[k].begin + wire::kChunkHeaderSize; ++at) {
      for (unsigned char mask : {0x01, 0x80, 0xff}) {
        damaged[at] ^= mask;
        const Expected e = chunk_flip_error(stream, chunks, k, at, damaged[at]);
        ASSERT_TRUE(matches(restore(damaged), e))
            << "chunk " << k << " header byte " << at - chunks[k].begin << " ^ " << int(mask);
        damaged[at] ^= mask;
      }
    }
  }
}

TEST_F(DamagedStateGraph, FlippedPreambleBytesGiveTheirSpecificErrors) {
  const Bytes &stream = native();
  std::uint32_t largest = 0;
  for (const ChunkSpan &c : chunks_of(stream))
    largest = std::max(largest, c.length);
  Bytes damaged = stream;
  for (std::size_t at = 0; at < wire::kPreambleSize; ++at) {
    for (unsigned char mask : {0x01, 0x80, 0xff}) {
      damaged[at] ^= mask;
      Expected e;
      if (at < 8) {
        e = {StateErrorCode::BadMagic, "magic bytes"};
      } else if (at < 10) {
        e = {StateErrorCode::UnsupportedVersion,
             "version " + std::to_string(load_be(damaged, 8, 2)) + " is not supported"};
      } else if (at < 12) {
        e = {StateErrorCode::UnsupportedVersion, "preamble flags"};
      } else {
        // The chunk-size bound: larger is harmless, smaller than a real chunk is not.
        const std::uint64_t bound = load_be(damaged, 12, 4);
        if (bound == 0 || bound > wire::kMaxChunkPayload)
          e = {StateErrorCode::LimitExceeded,
               "declares chunks of " + std::to_string(bound) + " bytes"};
        else if (bound < largest)
          e = {StateErrorCode::MalformedRecord,
               "payload bytes (limit " + std::to_string(bound) + ")"};
      }
      ASSERT_TRUE(matches(restore(damaged), e)) << "preamble byte " << at << " ^ " << int(mask);
      damaged[at] ^= mask;
    }
  }
}

// Version 1 defines no flags: a stream that sets any was written for a reader
// that knows what they mean.
TEST_F(DamagedStateGraph, NonZeroPreambleFlagsAreRefused) {
  for (std::uint64_t flags : {0x0001u, 0x8000u, 0xffffu}) {
    Bytes damaged = native();
    store_be(damaged, 10, flags, 2);
    char hex[16];
    std::snprintf(hex, sizeof hex, "%04llx", static_cast<unsigned long long>(flags));
    EXPECT_TRUE(matches(restore(damaged), {StateErrorCode::UnsupportedVersion,
                                           std::string("preamble flags 0x") + hex}));
  }
}

TEST_F(DamagedStateGraph, WrongMagicIsBadMagic) {
  for (const char *magic : {"SNOWMSR1", "snowmsr\0", "\0\0\0\0\0\0\0\0", "GIF89a\0\0"}) {
    Bytes damaged = native();
    std::memcpy(damaged.data(), magic, 8);
    EXPECT_TRUE(matches(restore(damaged), {StateErrorCode::BadMagic, "'SNOWMSR\\0'"}));
  }
  EXPECT_TRUE(matches(restore(Bytes{}), {StateErrorCode::BadMagic, "magic"}));
}

TEST_F(DamagedStateGraph, OtherFormatVersionsAreUnsupported) {
  for (std::uint64_t version : {0u, 2u, 0x100u, 0xffffu}) {
    Bytes damaged = native();
    store_be(damaged, 8, version, 2);
    EXPECT_TRUE(matches(restore(damaged), {StateErrorCode::UnsupportedVersion,
                                           "stream format version " + std::to_string(version) +
                                               " is not supported"}));
  }
}

TEST_F(DamagedStateGraph, ChunksLargerThanTheLimitAreRefused) {
  Bytes damaged = native();
  store_be(damaged, 12, wire::kMaxChunkPayload + 1, 4);
  EXPECT_TRUE(matches(restore(damaged),
                      {StateErrorCode::LimitExceeded, "declares chunks of 16777217 bytes"}));
  store_be(damaged, 12, 0xffffffffu, 4);
  EXPECT_TRUE(matches(restore(damaged), {StateErrorCode::LimitExceeded, "the limit is 16777216"}));
  store_be(damaged, 12, 0, 4);
  EXPECT_TRUE(
      matches(restore(damaged), {StateErrorCode::LimitExceeded, "declares chunks of 0 bytes"}));

  // The destination's own, lower limit.
  DecoderOptions options;
  options.max_chunk_payload = kChunk / 2;
  EXPECT_TRUE(
      matches(restore(native(), options),
              {StateErrorCode::LimitExceeded, "declares chunks of 256 bytes; the limit is 128"}));

  // A chunk longer than the preamble announced (its checksum is valid).
  damaged = native();
  const ChunkSpan c = chunks_of(damaged)[2];
  Bytes longer = slice(damaged, c);
  longer.insert(longer.end(), 8, 0);
  store_be(longer, 0, c.length + 8, 4);
  store_be(longer, 8, chunk_checksum(longer.data() + wire::kChunkHeaderSize, c.length + 8), 8);
  damaged.erase(damaged.begin() + static_cast<std::ptrdiff_t>(c.begin),
                damaged.begin() + static_cast<std::ptrdiff_t>(c.end()));
  damaged.insert(damaged.begin() + static_cast<std::ptrdiff_t>(c.begin), longer.begin(),
                 longer.end());
  EXPECT_TRUE(matches(restore(damaged), {StateErrorCode::MalformedRecord,
                                         "chunk 2 declares " + std::to_string(c.length + 8) +
                                             " payload bytes (limit 256)"}));
}

TEST_F(DamagedStateGraph, DroppedChunksAreOutOfOrder) {
  for (const Bytes &stream : streams_) {
    const std::vector<ChunkSpan> chunks = chunks_of(stream);
    for (std::size_t k = 0; k + 1 < chunks.size(); ++k) {
      const Expected e{StateErrorCode::ChunkOutOfOrder,
                       "expected chunk " + std::to_string(k) + " but found chunk " +
                           std::to_string(k + 1) + ": chunks were lost or reordered"};
      ASSERT_TRUE(matches(restore(without_chunk(stream, chunks[k])), e))
          << "chunk " << k << " dropped";
    }
    // Without its last chunk the stream simply ends early.
    const Expected e = truncation_error(stream, chunks, chunks.back().begin);
    EXPECT_TRUE(matches(restore(without_chunk(stream, chunks.back())), e));
  }
}

TEST_F(DamagedStateGraph, DuplicatedChunksAreOutOfOrder) {
  const Bytes &stream = native();
  const std::vector<ChunkSpan> chunks = chunks_of(stream);
  for (std::size_t k = 0; k < chunks.size(); ++k) {
    Bytes damaged = stream;
    const Bytes copy = slice(stream, chunks[k]);
    damaged.insert(damaged.begin() + static_cast<std::ptrdiff_t>(chunks[k].end()), copy.begin(),
                   copy.end());
    Expected e{StateErrorCode::ChunkOutOfOrder,
               "expected chunk " + std::to_string(k + 1) + " but found chunk " + std::to_string(k)};
    if (k + 1 == chunks.size())
      e = {StateErrorCode::MalformedRecord, "continues after its End record"};
    ASSERT_TRUE(matches(restore(damaged), e)) << "chunk " << k << " twice";
  }
}

TEST_F(DamagedStateGraph, SwappedChunksAreOutOfOrder) {
  const Bytes &stream = native();
  const std::vector<ChunkSpan> chunks = chunks_of(stream);
  for (std::size_t k = 0; k + 1 < chunks.size(); ++k) {
    Bytes damaged(stream.begin(), stream.begin() + static_cast<std::ptrdiff_t>(chunks[k].begin));
    const Bytes first = slice(stream, chunks[k]), second = slice(stream, chunks[k + 1]);
    damaged.insert(damaged.end(), second.begin(), second.end());
    damaged.insert(damaged.end(), first.begin(), first.end());
    damaged.insert(damaged.end(), stream.begin() + static_cast<std::ptrdiff_t>(chunks[k + 1].end()),
                   stream.end());
    const Expected e{StateErrorCode::ChunkOutOfOrder, "expected chunk " + std::to_string(k) +
                                                          " but found chunk " +
                                                          std::to_string(k + 1)};
    ASSERT_TRUE(matches(restore(damaged), e)) << "chunks " << k << " and " << k + 1 << " swapped";
  }
}

TEST_F(DamagedStateGraph, AHeaderFingerprintThatDisagreesWithTheDescriptionIsAMismatch) {
  // The record stream starts: 'H', byte order, platform name (varint length + bytes), 3 u8s,
  // fingerprint.
  Bytes records = records_of(native());
  const std::size_t fingerprint = 2 + 1 + records[2] + 3;
  records[fingerprint + 7] ^= 0x01;
  EXPECT_TRUE(matches(restore(frame(records)),
                      {StateErrorCode::ProgramMismatch,
                       "header fingerprint does not match its own program description"}));
}

// Streams that fail at every stage: cut short and flipped in each chunk, and
// one that fails only at its End record, after every block has been read.
std::vector<Bytes> failing_variants(const Bytes &stream) {
  std::vector<Bytes> damaged;
  for (const ChunkSpan &c : chunks_of(stream)) {
    damaged.emplace_back(stream.begin(), stream.begin() + static_cast<std::ptrdiff_t>(c.end() - 1));
    Bytes flipped = stream;
    flipped[c.end() - 1] ^= 0x10;
    damaged.push_back(std::move(flipped));
  }
  Bytes records = records_of(stream);
  records.back() += 1; // the End record's root count
  damaged.push_back(frame(records));
  return damaged;
}

// DESIGN.md 3: a damaged stream "leaves the destination unharmed". Globals are
// restored in place, so their new contents must wait until the whole stream
// has been read (before, a failed restore left them pointing at the heap
// blocks it had just freed).
TEST_F(DamagedStateGraph, AFailedRestoreLeavesTheGlobalsAsTheyWere) {
  test::init_state_graph();
  const Program &program = *process_state().program;
  auto snapshot = [&] {
    Bytes all;
    for (const GlobalInfo &g : program.globals()) {
      const auto *p = static_cast<const unsigned char *>(g.address);
      all.insert(all.end(), p, p + g.count * program.types().at(g.type).size);
    }
    return all;
  };
  for (const Bytes &d : failing_variants(native())) {
    const Bytes before = snapshot();
    ASSERT_TRUE(restore(d).error.has_value());
    ASSERT_TRUE(snapshot() == before)
        << "a failed restore of " << d.size() << " bytes changed the globals";
  }
}

// The same for the stack variables the program registered, which
// snow_restore_state_file restores into.
TEST_F(DamagedStateGraph, AFailedRestoreLeavesTheRegisteredStackBlocksAsTheyWere) {
  test::init_state_graph();
  for (const Bytes &d : failing_variants(native())) {
    graph_frame frame;
    std::memset(&frame, 0xab, sizeof frame);
    const graph_frame before = frame;
    state_graph_register_frame(&frame);
    std::optional<StateErrorCode> error;
    try {
      MemorySource source(d);
      StateDecoder decoder(process_state().program.get(), process_state().registry, source);
      decoder.restore_all();
    } catch (const StateError &e) {
      error = e.code();
    }
    snow_unregister_stack_block(&frame);
    ASSERT_TRUE(error.has_value());
    ASSERT_EQ(std::memcmp(&frame, &before, sizeof frame), 0)
        << "a failed restore of " << d.size() << " bytes changed the registered frame";
  }
}

// ---- a tiny program for forged streams --------------------------------------

struct Node {
  std::int32_t value;
  bool flag;
  Node *next;
};

Node *g_head, *g_tail;
std::int32_t g_narrow; // a `long` as a 32-bit platform has it
void (*g_handler)();
void tick() {}

enum : snow_type_id {
  kInt,
  kBool,
  kNodePtr,
  kNode,
  kNarrowLong,
  kHandler,
  kEmpty,
  kLongDouble,
  kTypeCount
};
enum : std::uint64_t { kHeadKey, kTailKey, kNarrowKey, kHandlerKey };

Program tiny_program(const char *next_field = "next") {
  test::ProgramBuilder b;
  b.scalar("int", SNOW_KIND_SIGNED, 4, 4);
  b.scalar("_Bool", SNOW_KIND_BOOL, 1, 1);
  b.pointer("struct node *", kNode);
  b.record("struct node", SNOW_KIND_STRUCT, sizeof(Node),
           {{"value", kInt, offsetof(Node, value)},
            {"flag", kBool, offsetof(Node, flag)},
            {next_field, kNodePtr, offsetof(Node, next)}});
  b.scalar("long", SNOW_KIND_SIGNED, 8, 4);
  b.function("void (*)(void)");
  b.record("struct empty", SNOW_KIND_STRUCT, 0, {});
  b.unsupported("long double", 16);
  b.global("head", &g_head, kNodePtr);
  b.global("tail", &g_tail, kNodePtr);
  b.global("narrow", &g_narrow, kNarrowLong);
  b.global("handler", reinterpret_cast<void *>(&g_handler), kHandler);
  b.function_entry("tick", reinterpret_cast<snow_function_address>(&tick));
  return b.build("tiny");
}

// Writes a record stream by hand (stream_format.hpp, state_encoder.cpp), framed
// with valid checksums. Scalars go in this platform's byte order.
class Forge {
public:
  explicit Forge(std::uint32_t chunk = 64) : writer_(sink_, chunk) { writer_.write_preamble(); }

  Forge &header(const Program &program, std::optional<std::uint64_t> fingerprint = std::nullopt,
                std::uint8_t byte_order = static_cast<std::uint8_t>(native_byte_order())) {
    const PlatformInfo &p = native_platform();
    u8(static_cast<std::uint8_t>(wire::Record::Header)).u8(byte_order);
    writer_.put_string(p.name);
    u8(p.long_size).u8(p.pointer_size).u8(p.double_align);
    unsigned char fp[8];
    store_unsigned(fp, fingerprint.value_or(program.fingerprint()), 8, ByteOrder::Big);
    writer_.put_bytes(fp, 8);
    program.write_description(writer_);
    return *this;
  }
  // A Header carrying a hand-written canonical description (see Description).
  Forge &header(const Bytes &description, std::uint64_t fingerprint) {
    const PlatformInfo &p = native_platform();
    u8(static_cast<std::uint8_t>(wire::Record::Header))
        .u8(static_cast<std::uint8_t>(native_byte_order()));
    writer_.put_string(p.name);
    u8(p.long_size).u8(p.pointer_size).u8(p.double_align);
    unsigned char fp[8];
    store_unsigned(fp, fingerprint, 8, ByteOrder::Big);
    writer_.put_bytes(fp, 8);
    writer_.put_string("forged");
    varint(description.size());
    writer_.put_bytes(description.data(), description.size());
    return *this;
  }
  Forge &u8(std::uint8_t v) {
    writer_.put_u8(v);
    return *this;
  }
  Forge &varint(std::uint64_t v) {
    writer_.put_varint(v);
    return *this;
  }
  template <typename T> Forge &scalar(T v) {
    writer_.put_bytes(&v, sizeof v);
    return *this;
  }
  Forge &ref(std::uint64_t id) { return varint(id + 1); }
  Forge &null() { return varint(0); }
  Forge &new_heap(std::uint64_t id, std::uint64_t type, std::uint64_t count,
                  std::uint8_t align_log2 = 3) {
    return ref(id)
        .u8(static_cast<std::uint8_t>(wire::Origin::Heap))
        .u8(align_log2)
        .varint(type)
        .varint(count);
  }
  Forge &new_global(std::uint64_t id, std::uint64_t key, std::uint64_t type,
                    std::uint64_t count = 1) {
    return ref(id)
        .u8(static_cast<std::uint8_t>(wire::Origin::Global))
        .varint(key)
        .varint(type)
        .varint(count);
  }
  Forge &new_stack(std::uint64_t id, std::uint64_t key, std::uint64_t type,
                   std::uint64_t count = 1) {
    return ref(id)
        .u8(static_cast<std::uint8_t>(wire::Origin::Stack))
        .varint(key)
        .varint(type)
        .varint(count);
  }
  Forge &root() { return u8(static_cast<std::uint8_t>(wire::Record::Root)); }
  Forge &data(std::uint64_t id) {
    return u8(static_cast<std::uint8_t>(wire::Record::Data)).varint(id);
  }
  Forge &end(std::uint64_t blocks, std::uint64_t roots) {
    return u8(static_cast<std::uint8_t>(wire::Record::End)).varint(blocks).varint(roots);
  }
  // A node's contents: value, flag, then `next` (written by the caller).
  Forge &node(std::int32_t value, std::uint8_t flag) { return scalar(value).u8(flag); }

  Bytes bytes() {
    writer_.flush_chunk();
    return sink_.bytes;
  }

private:
  MemorySink sink_;
  ChunkWriter writer_;
};

struct Decoded {
  std::optional<StateErrorCode> error;
  std::string message;
};

// Decodes into a fresh registry; on success runs `check` and frees the heap.
Decoded decode(const Program &program, const Bytes &stream, DecoderOptions options = {},
               const std::function<void()> &check = {}) {
  BlockRegistry registry;
  Decoded d;
  try {
    MemorySource source(stream);
    StateDecoder decoder(&program, registry, source, options);
    decoder.restore_all();
  } catch (const StateError &e) {
    d.error = e.code();
    d.message = e.what();
  }
  if (d.error) {
    EXPECT_EQ(heap_blocks(registry), 0u)
        << "a failed decode left heap blocks behind: " << d.message;
  } else if (check) {
    check();
  }
  free_heap_blocks(registry);
  g_head = g_tail = nullptr;
  return d;
}

::testing::AssertionResult fails_with(const Decoded &d, StateErrorCode code,
                                      const std::string &fragment) {
  return matches({d.error, d.message, 0}, {code, fragment});
}

// head = &node, node = {value, flag, &node}: two blocks, one root.
Forge &head_with_node(Forge &f, std::int32_t value = 42, std::uint8_t flag = 1) {
  return f.root()
      .new_global(0, kHeadKey, kNodePtr)
      .data(0)
      .new_heap(1, kNode, 1)
      .varint(0)
      .data(1)
      .node(value, flag)
      .ref(1)
      .varint(0);
}

class HostileStream : public ::testing::Test {
protected:
  const Program program_ = tiny_program();
};

TEST_F(HostileStream, TheForgedBaselineRestores) {
  // Guards the forge: without a lie in it, the stream restores exactly.
  Forge f;
  head_with_node(f.header(program_)).end(2, 1);
  bool checked = false;
  const Decoded d = decode(program_, f.bytes(), {}, [&] {
    ASSERT_NE(g_head, nullptr);
    EXPECT_EQ(g_head->value, 42);
    EXPECT_TRUE(g_head->flag);
    EXPECT_EQ(g_head->next, g_head);
    checked = true;
  });
  EXPECT_FALSE(d.error) << d.message;
  EXPECT_TRUE(checked);
}

TEST_F(HostileStream, AReferenceBeyondTheAnnouncedBlocksIsABadBlockId) {
  for (std::uint64_t id :
       {std::uint64_t{3}, std::uint64_t{1000000}, std::uint64_t{1} << 32, ~std::uint64_t{0} - 1}) {
    Forge f;
    f.header(program_)
        .root()
        .new_global(0, kHeadKey, kNodePtr)
        .data(0)
        .new_heap(1, kNode, 1)
        .varint(0);
    f.data(1).node(1, 0).ref(id).varint(0).end(2, 1);
    EXPECT_TRUE(fails_with(decode(program_, f.bytes()), StateErrorCode::BadBlockId,
                           "block #" + std::to_string(id) +
                               " is referenced but only 2 blocks have been announced"));
  }
}

TEST_F(HostileStream, DataForAnUnannouncedBlockIsABadBlockId) {
  Forge f;
  f.header(program_).root().new_global(0, kHeadKey, kNodePtr).data(7);
  EXPECT_TRUE(fails_with(decode(program_, f.bytes()), StateErrorCode::BadBlockId,
                         "a Data record names block #7, which has not been announced"));
}

TEST_F(HostileStream, AGlobalOutsideTheProgramIsABadBlockId) {
  Forge f;
  f.header(program_).root().new_global(0, 4, kNodePtr);
  EXPECT_TRUE(fails_with(decode(program_, f.bytes()), StateErrorCode::BadBlockId,
                         "names global #4; the program has 4"));
}

TEST_F(HostileStream, ALogicalOffsetOutsideTheBlockIsABadOffset) {
  // A node has three leaves: logical offsets 0..5 are inside, 6 is one past the end.
  for (std::uint64_t logical :
       {std::uint64_t{7}, std::uint64_t{8}, std::uint64_t{1000}, ~std::uint64_t{0}}) {
    Forge f;
    f.header(program_)
        .root()
        .new_global(0, kHeadKey, kNodePtr)
        .data(0)
        .new_heap(1, kNode, 1)
        .varint(logical);
    EXPECT_TRUE(fails_with(decode(program_, f.bytes()), StateErrorCode::BadOffset,
                           "head: logical offset " + std::to_string(logical) +
                               " lies outside a block of 1 × 'struct node'"));
  }
  Forge f;
  f.header(program_)
      .root()
      .new_global(0, kHeadKey, kNodePtr)
      .data(0)
      .new_heap(1, kNode, 1)
      .varint(0);
  f.data(1).node(1, 0).ref(1).varint(6).end(2, 1);
  const Decoded d = decode(program_, f.bytes(), {}, [] { EXPECT_EQ(g_head->next, g_head + 1); });
  EXPECT_FALSE(d.error) << "one past the end is a valid pointer: " << d.message;
}

TEST_F(HostileStream, AFunctionOutsideTheTableIsRefused) {
  Forge f;
  f.header(program_).root().new_global(0, kHandlerKey, kHandler).data(0).varint(2).end(1, 1);
  EXPECT_TRUE(fails_with(decode(program_, f.bytes()), StateErrorCode::BadOffset,
                         "handler names function #1; the program has 1"));
}

TEST_F(HostileStream, ATypeOutsideTheTableIsABadTypeId) {
  for (std::uint64_t type : {std::uint64_t{kTypeCount}, std::uint64_t{1} << 40}) {
    Forge f;
    f.header(program_)
        .root()
        .new_global(0, kHeadKey, kNodePtr)
        .data(0)
        .new_heap(1, type, 1)
        .varint(0);
    EXPECT_TRUE(
        fails_with(decode(program_, f.bytes()), StateErrorCode::BadTypeId,
                   "block #1 has type id " + std::to_string(type) + " (the type table has 8)"));
  }
}

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

TEST_F(HostileStream, AHugeHeapBlockExceedsTheLimitBeforeAnythingIsAllocated) {
  const long rss_before = peak_rss_kib();
  DecoderOptions limited;
  limited.max_total_bytes = 1 << 20;
  for (const DecoderOptions &options : {limited, DecoderOptions{}}) {
    for (std::uint64_t count :
         {std::uint64_t{1} << 40, std::uint64_t{1} << 60, ~std::uint64_t{0}}) {
      Forge f;
      f.header(program_)
          .root()
          .new_global(0, kHeadKey, kNodePtr)
          .data(0)
          .new_heap(1, kNode, count)
          .varint(0);
      f.data(1).node(1, 0).null().end(2, 1);
      EXPECT_TRUE(fails_with(decode(program_, f.bytes(), options), StateErrorCode::LimitExceeded,
                             "block #1 of " + std::to_string(count) +
                                 " × 'struct node' exceeds the restore limit"));
    }
  }
  EXPECT_LT(peak_rss_kib() - rss_before, 32 * 1024)
      << "the refused blocks were allocated after all";
}

TEST_F(HostileStream, BlocksTogetherLargerThanTheLimitExceedIt) {
  const std::uint64_t count = 600 * 1024 / sizeof(Node); // two of these pass 1 MiB
  DecoderOptions options;
  options.max_total_bytes = 1 << 20;
  Forge f;
  f.header(program_)
      .root()
      .new_global(0, kHeadKey, kNodePtr)
      .data(0)
      .new_heap(1, kNode, count)
      .varint(0);
  f.root().new_global(2, kTailKey, kNodePtr).data(2).new_heap(3, kNode, count).varint(0);
  EXPECT_TRUE(fails_with(decode(program_, f.bytes(), options), StateErrorCode::LimitExceeded,
                         "restoring block #3 would exceed the limit of 1048576 bytes"));
}

TEST_F(HostileStream, MoreBlocksThanTheLimitAreRefused) {
  DecoderOptions options;
  options.max_blocks = 2;
  Forge f;
  head_with_node(f.header(program_)).root().new_global(2, kTailKey, kNodePtr);
  EXPECT_TRUE(fails_with(decode(program_, f.bytes(), options), StateErrorCode::LimitExceeded,
                         "more than 2 blocks"));
}

// Sets an environment variable for one scope, as a deployment would for the process.
class ScopedEnv {
public:
  ScopedEnv(const char *name, const char *value) : name_(name) {
    if (const char *old = std::getenv(name)) old_ = old;
    setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_) setenv(name_, old_->c_str(), 1);
    else unsetenv(name_);
  }

private:
  const char *name_;
  std::optional<std::string> old_;
};

// 100 nodes: 800 bytes or more on every platform.
Forge &head_with_hundred_nodes(Forge &f) {
  return f.root().new_global(0, kHeadKey, kNodePtr).data(0).new_heap(1, kNode, 100).varint(0);
}

TEST_F(HostileStream, ABlockOverTheBlockLimitIsRefusedNamingTheLimit) {
  DecoderOptions options;
  options.max_block_bytes = 512;
  Forge f;
  head_with_hundred_nodes(f.header(program_));
  EXPECT_TRUE(fails_with(decode(program_, f.bytes(), options), StateErrorCode::LimitExceeded,
                         "exceeds the block limit of 512 bytes (SNOW_MAX_BLOCK_BYTES)"));
  options.max_block_bytes = 1 << 20;  // the same block under a larger limit gets further
  EXPECT_FALSE(fails_with(decode(program_, f.bytes(), options), StateErrorCode::LimitExceeded, "block limit"));
}

TEST_F(HostileStream, TheRestoreLimitsComeFromTheEnvironment) {
  {
    ScopedEnv env("SNOW_MAX_BLOCK_BYTES", "512");
    Forge f;
    head_with_hundred_nodes(f.header(program_));
    EXPECT_TRUE(fails_with(decode(program_, f.bytes()), StateErrorCode::LimitExceeded,
                           "exceeds the block limit of 512 bytes (SNOW_MAX_BLOCK_BYTES)"));
  }
  {
    ScopedEnv env("SNOW_MAX_STATE_BLOCKS", "2");
    Forge f;
    head_with_node(f.header(program_)).root().new_global(2, kTailKey, kNodePtr);
    EXPECT_TRUE(fails_with(decode(program_, f.bytes()), StateErrorCode::LimitExceeded,
                           "more than 2 blocks (SNOW_MAX_STATE_BLOCKS)"));
    DecoderOptions options;  // an option set by the caller wins over the environment
    options.max_blocks = 3;
    EXPECT_FALSE(fails_with(decode(program_, f.bytes(), options), StateErrorCode::LimitExceeded, "blocks"));
  }
  {
    ScopedEnv env("SNOW_MAX_STATE_BYTES", "1K");
    Forge f;
    head_with_hundred_nodes(f.header(program_));
    EXPECT_TRUE(fails_with(decode(program_, f.bytes()), StateErrorCode::LimitExceeded,
                           "exceeds the restore limit of 1024 bytes (SNOW_MAX_STATE_BYTES)"));
  }
  {
    ScopedEnv env("SNOW_MAX_CHUNK_BYTES", "32");  // the forge writes 64-byte chunks
    Forge f;
    head_with_node(f.header(program_)).end(2, 1);
    EXPECT_TRUE(fails_with(decode(program_, f.bytes()), StateErrorCode::LimitExceeded,
                           "declares chunks of 64 bytes; the limit is 32 (SNOW_MAX_CHUNK_BYTES)"));
  }
}

TEST_F(HostileStream, AStreamLongerThanTheStreamLimitIsRefusedNamingTheLimit) {
  Forge f;
  head_with_node(f.header(program_)).end(2, 1);
  DecoderOptions options;
  options.max_stream_bytes = f.bytes().size() - 1;
  EXPECT_TRUE(fails_with(decode(program_, f.bytes(), options), StateErrorCode::LimitExceeded,
                         "past the limit of " + std::to_string(f.bytes().size() - 1) +
                             " bytes (SNOW_MAX_STREAM_BYTES)"));
  options.max_stream_bytes = f.bytes().size();
  const Decoded whole = decode(program_, f.bytes(), options);
  EXPECT_FALSE(whole.error) << whole.message;
}

TEST_F(HostileStream, AMalformedLimitVariableIsNamedWithItsValue) {
  for (const char *bad : {"lots", "0", "12T", "-5", "99999999999999999999"}) {
    ScopedEnv env("SNOW_MAX_STATE_BYTES", bad);
    Forge f;
    head_with_node(f.header(program_)).end(2, 1);
    EXPECT_TRUE(fails_with(decode(program_, f.bytes()), StateErrorCode::LimitExceeded,
                           std::string("SNOW_MAX_STATE_BYTES is '") + bad +
                               "'; give a number of bytes above 0, optionally with K, M or G"));
  }
}

TEST(ByteCount, TakesBinarySuffixes) {
  EXPECT_EQ(parse_byte_count("X", "4096"), 4096u);
  EXPECT_EQ(parse_byte_count("X", "64K"), 64u << 10);
  EXPECT_EQ(parse_byte_count("X", "512M"), std::uint64_t{512} << 20);
  EXPECT_EQ(parse_byte_count("X", "2G"), std::uint64_t{2} << 30);
  EXPECT_THROW(parse_byte_count("X", "17179869184G"), StateError);  // 2^64 and more
}

// An element of size 0 costs no memory, but a count of 2^62 of them used to
// pass the limit and then spin 2^62 times reading the block's contents.
TEST_F(HostileStream, ZeroSizedElementsStillCountAgainstTheLimit) {
  DecoderOptions options;
  options.max_total_bytes = 1 << 20;
  Forge f;
  f.header(program_)
      .root()
      .new_global(0, kHeadKey, kNodePtr)
      .data(0)
      .new_heap(1, kEmpty, std::uint64_t{1} << 62)
      .varint(0);
  f.end(2, 1); // no Data record: should the check go, this fails instead of spinning
  EXPECT_TRUE(
      fails_with(decode(program_, f.bytes(), options), StateErrorCode::LimitExceeded, "block #1"));
}

TEST_F(HostileStream, ABoolHoldingSevenIsOutOfRange) {
  for (std::uint8_t value : {2, 7, 0xff}) {
    Forge f;
    head_with_node(f.header(program_), 42, value).end(2, 1);
    EXPECT_TRUE(fails_with(decode(program_, f.bytes()), StateErrorCode::ValueOutOfRange,
                           "heap block #1.flag is a _Bool holding " + std::to_string(value)));
  }
}

TEST_F(HostileStream, AValueTooWideForANarrowTypeIsOutOfRange) {
  for (std::int64_t value :
       {std::int64_t{1} << 31, -(std::int64_t{1} << 31) - 1, std::int64_t{1} << 40, INT64_MIN}) {
    Forge f;
    f.header(program_)
        .root()
        .new_global(0, kNarrowKey, kNarrowLong)
        .data(0)
        .scalar(value)
        .end(1, 1);
    EXPECT_TRUE(fails_with(decode(program_, f.bytes()), StateErrorCode::ValueOutOfRange,
                           "the value " + std::to_string(value) +
                               " of narrow (8 bytes on the wire) does not fit in 4 bytes"));
  }
  for (std::int64_t value : {std::int64_t{-5}, std::int64_t{INT32_MAX}, std::int64_t{INT32_MIN}}) {
    Forge f;
    f.header(program_)
        .root()
        .new_global(0, kNarrowKey, kNarrowLong)
        .data(0)
        .scalar(value)
        .end(1, 1);
    const Decoded d = decode(program_, f.bytes(), {}, [&] { EXPECT_EQ(g_narrow, value); });
    EXPECT_FALSE(d.error) << d.message;
  }
}

TEST_F(HostileStream, ASecondDataRecordForABlockIsMalformed) {
  Forge f;
  head_with_node(f.header(program_)).data(1).node(1, 0).null().end(2, 1);
  EXPECT_TRUE(fails_with(decode(program_, f.bytes()), StateErrorCode::MalformedRecord,
                         "block #1 has two Data records"));
}

TEST_F(HostileStream, AnUnknownRecordTagIsMalformed) {
  for (std::uint8_t tag : {0x00, 0x5a, 0x48, 0xff}) { // 0x48: a second Header
    Forge f;
    head_with_node(f.header(program_)).u8(tag);
    EXPECT_TRUE(fails_with(decode(program_, f.bytes()), StateErrorCode::MalformedRecord,
                           "unknown record tag " + std::to_string(tag)));
  }
}

TEST_F(HostileStream, BytesAfterTheEndRecordAreMalformed) {
  Forge same_chunk;
  head_with_node(same_chunk.header(program_)).end(2, 1).u8(0);
  EXPECT_TRUE(fails_with(decode(program_, same_chunk.bytes()), StateErrorCode::MalformedRecord,
                         "the stream continues after its End record"));

  Forge f;
  head_with_node(f.header(program_)).end(2, 1);
  Bytes stream = f.bytes();
  const std::uint32_t sequence = static_cast<std::uint32_t>(chunks_of(stream).size());
  Bytes extra(wire::kChunkHeaderSize + 1, 0);
  store_be(extra, 0, 1, 4);
  store_be(extra, 4, sequence, 4);
  store_be(extra, 8, chunk_checksum(extra.data() + wire::kChunkHeaderSize, 1), 8);
  stream.insert(stream.end(), extra.begin(), extra.end());
  EXPECT_TRUE(fails_with(decode(program_, stream), StateErrorCode::MalformedRecord,
                         "continues after its End record"));

  stream.resize(stream.size() - extra.size() + 3); // a few stray bytes, not even a chunk
  EXPECT_TRUE(fails_with(decode(program_, stream), StateErrorCode::MalformedRecord,
                         "continues after its End record"));
}

TEST_F(HostileStream, EndCountsThatDisagreeWithTheStreamAreMalformed) {
  for (auto [blocks, roots] :
       {std::pair{1, 1}, std::pair{3, 1}, std::pair{2, 0}, std::pair{2, 2}}) {
    Forge f;
    head_with_node(f.header(program_)).end(blocks, roots);
    EXPECT_TRUE(fails_with(decode(program_, f.bytes()), StateErrorCode::MalformedRecord,
                           "the End record counts " + std::to_string(blocks) + " blocks and " +
                               std::to_string(roots) + " roots, but the stream held 2 and 1"));
  }
}

TEST_F(HostileStream, ABlockWhoseContentsNeverArriveIsMalformed) {
  Forge f;
  f.header(program_)
      .root()
      .new_global(0, kHeadKey, kNodePtr)
      .data(0)
      .new_heap(1, kNode, 1)
      .varint(0)
      .end(2, 1);
  EXPECT_TRUE(fails_with(decode(program_, f.bytes()), StateErrorCode::MalformedRecord,
                         "block #1 was announced but its contents never arrived"));
}

TEST_F(HostileStream, RootsMustNameAGlobalOrStackBlock) {
  Forge null_root;
  null_root.header(program_).root().null();
  EXPECT_TRUE(fails_with(decode(program_, null_root.bytes()), StateErrorCode::MalformedRecord,
                         "a Root record names no block"));

  Forge heap_root;
  head_with_node(heap_root.header(program_)).root().ref(1);
  EXPECT_TRUE(fails_with(decode(program_, heap_root.bytes()), StateErrorCode::MalformedRecord,
                         "a Root record names heap block #1"));
}

TEST_F(HostileStream, GlobalsMustMatchTheProgramAndBeAnnouncedOnce) {
  Forge wrong_type;
  wrong_type.header(program_).root().new_global(0, kHeadKey, kNode);
  EXPECT_TRUE(fails_with(decode(program_, wrong_type.bytes()), StateErrorCode::MalformedRecord,
                         "does not match the type or count of global 'head'"));

  Forge wrong_count;
  wrong_count.header(program_).root().new_global(0, kHeadKey, kNodePtr, 2);
  EXPECT_TRUE(fails_with(decode(program_, wrong_count.bytes()), StateErrorCode::MalformedRecord,
                         "does not match the type or count of global 'head'"));

  Forge twice;
  twice.header(program_)
      .root()
      .new_global(0, kHeadKey, kNodePtr)
      .root()
      .new_global(1, kHeadKey, kNodePtr);
  EXPECT_TRUE(fails_with(decode(program_, twice.bytes()), StateErrorCode::MalformedRecord,
                         "global 'head' is announced twice"));
}

TEST_F(HostileStream, AnUnregisteredStackBlockIsAMissingRoot) {
  // A stack block of a frame not entered yet is deferred (a global may point
  // into a live frame, and the globals come first): the error comes at End,
  // when its frame has never been provided.
  Forge f;
  f.header(program_).root().new_stack(0, (std::uint64_t{2} << 32) | 5, kNodePtr).end(1, 1);
  EXPECT_TRUE(
      fails_with(decode(program_, f.bytes()), StateErrorCode::MissingRoot,
                 "stack variable with key 8589934597 (frame 2, variable 5) is not registered"));

  // Its contents cannot come before its frame: there is nowhere to put them.
  Forge early;
  early.header(program_).root().new_stack(0, (std::uint64_t{2} << 32) | 5, kNodePtr).data(0).null().end(1, 1);
  EXPECT_TRUE(fails_with(decode(program_, early.bytes()), StateErrorCode::MalformedRecord,
                         "the contents of stack variable key 8589934597 arrive before its frame"));
}

TEST_F(HostileStream, AnnouncementsOutsideTheFormatAreMalformed) {
  Forge origin;
  origin.header(program_).root().ref(0).u8(5);
  EXPECT_TRUE(fails_with(decode(program_, origin.bytes()), StateErrorCode::MalformedRecord,
                         "block #0 has unknown origin 5"));

  // Origin 4 is an external object (an open FILE), resolved by the reader:
  // without a resolver for its key the stream cannot be restored.
  Forge external;
  external.header(program_).root().ref(0).u8(4).varint(7).varint(kNode).varint(0);
  EXPECT_TRUE(fails_with(decode(program_, external.bytes()), StateErrorCode::MissingRoot,
                         "open file #7 of the stream has no counterpart on this side"));

  Forge align;
  align.header(program_).root().new_global(0, kHeadKey, kNodePtr).data(0).new_heap(1, kNode, 1, 17);
  EXPECT_TRUE(fails_with(decode(program_, align.bytes()), StateErrorCode::MalformedRecord,
                         "block #1 asks for alignment 2^17"));

  Forge unmovable;
  unmovable.header(program_)
      .root()
      .new_global(0, kHeadKey, kNodePtr)
      .data(0)
      .new_heap(1, kLongDouble, 1);
  EXPECT_TRUE(fails_with(decode(program_, unmovable.bytes()), StateErrorCode::UnsupportedType,
                         "block #1 holds 'long double'"));
}

// The decoder keeps a block's alignment in 5 bits and its type id in 24: a
// value that only fits after truncation must still be refused as it is.
TEST_F(HostileStream, AnAlignmentOrTypeIdTooWideForItsFieldIsRefused) {
  Forge align;  // 40 = 0b101000: its low five bits (8) would pass
  align.header(program_).root().new_global(0, kHeadKey, kNodePtr).data(0).new_heap(1, kNode, 1, 40);
  EXPECT_TRUE(fails_with(decode(program_, align.bytes()), StateErrorCode::MalformedRecord,
                         "block #1 asks for alignment 2^40"));

  Forge type;  // 2^24 + kNode: its low 24 bits name a real type
  type.header(program_).root().new_global(0, kHeadKey, kNodePtr).data(0).new_heap(1, (std::uint64_t{1} << 24) + kNode, 1);
  EXPECT_TRUE(fails_with(decode(program_, type.bytes()), StateErrorCode::BadTypeId, "block #1 has type id 16777"));
}

TEST_F(HostileStream, AHeaderOutsideTheFormatIsMalformed) {
  Forge no_header;
  no_header.root();
  EXPECT_TRUE(fails_with(decode(program_, no_header.bytes()), StateErrorCode::MalformedRecord,
                         "does not begin with a Header record"));

  Forge order;
  order.header(program_, std::nullopt, 2);
  EXPECT_TRUE(fails_with(decode(program_, order.bytes()), StateErrorCode::MalformedRecord,
                         "declares byte order 2"));

  Forge varint;
  varint.header(program_).root();
  for (int i = 0; i < 10; ++i)
    varint.u8(0xff);
  EXPECT_TRUE(
      fails_with(decode(program_, varint.bytes()), StateErrorCode::MalformedRecord, "varint"));
}

// ---- streams read without their program -----------------------------------
//
// snow-state and the fuzzer decode with no program: the decoder builds one from
// the stream's own description, so the description is as hostile as the data.

// A canonical program description, written field by field (Program::write_description).
class Description {
public:
  Description &varint(std::uint64_t v) {
    while (v >= 0x80) {
      bytes_.push_back(static_cast<unsigned char>(v | 0x80));
      v >>= 7;
    }
    bytes_.push_back(static_cast<unsigned char>(v));
    return *this;
  }
  Description &string(const std::string &s) {
    varint(s.size());
    bytes_.insert(bytes_.end(), s.begin(), s.end());
    return *this;
  }
  // One type: `element` is a type id or SNOW_NO_TYPE; `fields` are (name, type id).
  Description &type(Kind kind, std::uint32_t wire_size, const std::string &name,
                    std::uint64_t element = SNOW_NO_TYPE, std::uint64_t count = 0,
                    std::vector<std::pair<std::string, std::uint64_t>> fields = {}) {
    varint(static_cast<std::uint8_t>(kind)).varint(wire_size).string(name);
    varint(element == SNOW_NO_TYPE ? 0 : element + 1).varint(count).varint(fields.size());
    for (const auto &[field, id] : fields)
      string(field).varint(id);
    return *this;
  }
  const Bytes &bytes() const { return bytes_; }

private:
  Bytes bytes_;
};

// The fingerprint the header must carry: the decoder's own reading of `description`.
std::uint64_t fingerprint_of(const Bytes &description) {
  MemorySink sink;
  ChunkWriter writer(sink, 4096);
  writer.write_preamble();
  writer.put_string("forged");
  writer.put_varint(description.size());
  writer.put_bytes(description.data(), description.size());
  writer.flush_chunk();
  MemorySource source(sink.bytes);
  ChunkReader reader(source, {});
  reader.read_preamble();
  return Program::read_description(reader).fingerprint();
}

Decoded decode_without_program(const Bytes &stream, DecoderOptions options = {}) {
  BlockRegistry registry;
  Decoded d;
  try {
    MemorySource source(stream);
    StateDecoder decoder(nullptr, registry, source, options);
    decoder.restore_all();
  } catch (const StateError &e) {
    d.error = e.code();
    d.message = e.what();
  }
  if (d.error) {
    EXPECT_EQ(heap_blocks(registry), 0u)
        << "a failed decode left heap blocks behind: " << d.message;
  }
  free_heap_blocks(registry);
  return d;
}

// Decodes a stream that holds only the Header with `description` in it.
Decoded decode_description(const Description &description) {
  Forge f;
  f.header(description.bytes(), 0);
  return decode_without_program(f.bytes());
}

TEST(WithoutAProgram, TheStateGraphDecodesFromItsOwnDescription) {
  for (ByteOrder order : {ByteOrder::Little, ByteOrder::Big}) {
    EncoderOptions options;
    options.byte_order = order;
    options.chunk_payload = kChunk;
    const Decoded d = decode_without_program(test::collect_state_graph(kSeed, options));
    EXPECT_FALSE(d.error) << d.message;
  }
}

TEST(WithoutAProgram, DescriptionsOutsideTheFormatAreMalformed) {
  const std::vector<std::pair<Description, std::string>> cases = {
      {Description().varint(wire::kMaxNameCount + 1), "has a type count 1048577 above 1048576"},
      {Description().varint(1).type(Kind{0}, 4, "int"), "has unknown kind 0"},
      {Description().varint(1).type(Kind{200}, 4, "int"), "has unknown kind 200"},
      {Description().varint(1).type(Kind::Signed, 3, "int24"), "has wire size 3"},
      {Description().varint(1).type(Kind::Signed, 9, "int72"), "has a wire size 9 above 8"},
      {Description().varint(1).type(Kind::Bool, 4, "_Bool"), "a _Bool must be 1 byte"},
      {Description().varint(1).type(Kind::Float, 2, "half"),
       "floating types must be IEEE binary32 or binary64"},
      {Description().varint(1).varint(2).varint(4).varint(5000),
       "has a name length 5000 above 4096"},
      {Description().varint(1).type(Kind::Struct, 0, "struct s", SNOW_NO_TYPE, 0, {{"f", 2}}),
       "has a field type 2 above 1"},
      {Description().varint(1).type(Kind::Struct, 0, "struct s", SNOW_NO_TYPE, 0, {{"f", 1}}),
       "contains type #1"},
      {Description()
           .varint(2)
           .type(Kind::Struct, 0, "struct a", SNOW_NO_TYPE, 0, {{"b", 1}})
           .type(Kind::Struct, 0, "struct b"),
       "contains type #1, which is not a scalar defined anywhere or a composite defined before it"},
      {Description().varint(1).type(Kind::Array, 0, "x[]", SNOW_NO_TYPE, 4),
       "contains type #4294967295"},
      {Description()
           .varint(2)
           .type(Kind::Signed, 8, "long")
           .type(Kind::Array, 0, "long[2^38]", 0, std::uint64_t{1} << 38),
       "is too large"},
      {Description().varint(1).type(Kind::Union, 0, "union u"),
       "a union needs at least one member"},
      {Description().varint(0).varint(0).varint(1).string("g").varint(0),
       "has a global but no types"},
      {Description()
           .varint(1)
           .type(Kind::Signed, 4, "int")
           .varint(0)
           .varint(1)
           .string("g")
           .varint(1),
       "has a global's type 1 above 0"},
      {Description().varint(0).varint(0).varint(0).varint(0).varint(7), "has trailing bytes"},
      {Description().varint(0).varint(0), "ends early"},
  };
  for (const auto &[description, fragment] : cases)
    EXPECT_TRUE(
        fails_with(decode_description(description), StateErrorCode::MalformedRecord, fragment));
}

TEST(WithoutAProgram, NestingDeeperThanTheLimitIsMalformed) {
  Description d;
  d.varint(TypeTable::kMaxDepth + 2).type(Kind::Signed, 4, "int");
  for (std::uint32_t i = 1; i <= TypeTable::kMaxDepth + 1; ++i)
    d.type(Kind::Struct, 0, "struct s" + std::to_string(i), SNOW_NO_TYPE, 0, {{"inner", i - 1}});
  EXPECT_TRUE(fails_with(decode_description(d), StateErrorCode::MalformedRecord,
                         "is nested more than 64 levels deep"));
}

TEST(WithoutAProgram, AnOversizedDescriptionIsRefusedBeforeItIsRead) {
  Forge f;
  f.u8(static_cast<std::uint8_t>(wire::Record::Header)).u8(0).varint(0).u8(8).u8(8).u8(8);
  for (int i = 0; i < 8; ++i)
    f.u8(0);
  f.varint(0).varint(std::uint64_t{1} << 40);
  EXPECT_TRUE(fails_with(decode_without_program(f.bytes()), StateErrorCode::LimitExceeded,
                         "program description is 1099511627776 bytes"));
}

// The extra bytes' length was bounded before its own varint was read: a heap
// over-read of up to 10 bytes past the description (fuzzer finding).
TEST(WithoutAProgram, AnExtraSizeRunningPastTheDescriptionIsMalformed) {
  // types 0, functions 0, globals 0, then 1 extra byte that is not there.
  EXPECT_TRUE(fails_with(decode_description(Description().varint(0).varint(0).varint(0).varint(1)),
                         StateErrorCode::MalformedRecord, "extra size"));
}

// Structs were laid out before scalar widths were validated: a field of wire
// size 0 has alignment 0, and the layout divided by it (SIGFPE; fuzzer finding).
TEST(WithoutAProgram, AScalarOfWidthZeroInAStructIsMalformed) {
  Description d;
  d.varint(2)
      .type(Kind::Signed, 0, "int0")
      .type(Kind::Struct, 0, "struct s", SNOW_NO_TYPE, 0, {{"f", 0}});
  EXPECT_TRUE(
      fails_with(decode_description(d), StateErrorCode::MalformedRecord, "has wire size 0"));
}

// union U { char a[0]; int b; } has no leaves (it travels as its first
// member), so comparing the shapes of union V { U x[2^38]; } never reached
// the 4096-leaf cap and walked all 2^38 elements.
TEST(WithoutAProgram, AUnionOverAHugeArrayOfLeaflessElementsIsCheckedQuickly) {
  Description d;
  d.varint(6)
      .type(Kind::Unsigned, 1, "char")
      .type(Kind::Signed, 4, "int")
      .type(Kind::Array, 0, "char[0]", 0, 0);
  d.type(Kind::Union, 0, "union U", SNOW_NO_TYPE, 0, {{"a", 2}, {"b", 1}});
  d.type(Kind::Array, 0, "union U[2^38]", 3, std::uint64_t{1} << 38);
  d.type(Kind::Union, 0, "union V", SNOW_NO_TYPE, 0, {{"x", 4}});
  const Decoded r = decode_description(d);
  EXPECT_TRUE(r.error.has_value()) << "the header is all there is";
}

// As ZeroSizedElementsStillCountAgainstTheLimit, for a global the stream's own
// description declares: 2^40 empty structs spun 2^40 times.
TEST(WithoutAProgram, AGlobalOfEmptyStructsCountsAgainstTheLimit) {
  Description d;
  d.varint(1)
      .type(Kind::Struct, 0, "struct empty")
      .varint(0)
      .varint(1)
      .string("g")
      .varint(0)
      .varint(std::uint64_t{1} << 40);
  d.varint(0);
  Forge f;
  f.header(d.bytes(), fingerprint_of(d.bytes()))
      .root()
      .new_global(0, 0, 0, std::uint64_t{1} << 40)
      .data(0)
      .end(1, 1);
  DecoderOptions options;
  options.max_total_bytes = 1 << 20;
  EXPECT_TRUE(fails_with(decode_without_program(f.bytes(), options), StateErrorCode::LimitExceeded,
                         "block #0"));
}

// max_total_bytes counts the blocks' contents only. Each block also costs the
// decoder its bookkeeping (DecodedBlock, a registry slot, an allocation of at
// least 16 bytes), so 7 million one-byte blocks under a 64 MiB limit took
// 1.4 GB. A stream of 20 000 of them must not fit in 256 KiB.
TEST(WithoutAProgram, ManySmallBlocksCountTheirBookkeepingAgainstTheLimit) {
  constexpr std::uint64_t kBlocks = 20000;
  Description d; // char, char *, and a global char *ptrs[kBlocks]
  d.varint(2).type(Kind::Unsigned, 1, "char").type(Kind::Pointer, 0, "char *", 0);
  d.varint(0).varint(1).string("ptrs").varint(1).varint(kBlocks).varint(0);
  Forge f(65536);
  f.header(d.bytes(), fingerprint_of(d.bytes())).root().new_global(0, 0, 1, kBlocks).data(0);
  for (std::uint64_t i = 1; i <= kBlocks; ++i)
    f.new_heap(i, 0, 1, 0).varint(0);
  for (std::uint64_t i = 1; i <= kBlocks; ++i)
    f.data(i).u8(0);
  f.end(kBlocks + 1, 1);
  DecoderOptions options;
  options.max_total_bytes = 1 << 18; // the contents: 160 000 bytes of pointers, 20 000 chars
  EXPECT_TRUE(fails_with(decode_without_program(f.bytes(), options), StateErrorCode::LimitExceeded,
                         "limit of 262144 bytes"));
}

// ---- streams from another program ------------------------------------------

TEST(ForeignStream, AProgramThatDiffersInOneFieldNameIsAMismatchNamingTheField) {
  const Program writer = tiny_program("link"), reader = tiny_program("next");
  ASSERT_NE(writer.fingerprint(), reader.fingerprint());
  BlockRegistry registry;
  register_program_globals(registry, writer);
  g_head = nullptr;
  MemorySink sink;
  StateEncoder encoder(writer, registry, sink);
  encoder.add_root(&g_head);
  encoder.finish();

  EXPECT_TRUE(fails_with(decode(reader, sink.bytes), StateErrorCode::ProgramMismatch,
                         "field 2 of 'struct node' is 'next' here but 'link' in the stream"));
  EXPECT_FALSE(decode(writer, sink.bytes).error) << "the writer's own program must accept it";

  // Into the state graph, a program with nothing in common.
  const test::RestoreResult r = restore(sink.bytes);
  EXPECT_TRUE(matches(
      r, {StateErrorCode::ProgramMismatch, "written by a different program ('tiny' from "}));
  EXPECT_TRUE(contains(r.message, "the stream's has 8")) << r.message;
}

TEST(ForeignStream, TheStateGraphIntoAnotherProgramIsAMismatch) {
  const Program tiny = tiny_program();
  EXPECT_TRUE(fails_with(decode(tiny, test::collect_state_graph(kSeed)),
                         StateErrorCode::ProgramMismatch, "('state_graph' from "));
}

} // namespace
} // namespace snow::msr
