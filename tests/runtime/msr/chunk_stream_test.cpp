#include "msr/chunk_stream.hpp"
#include "msr/state_error.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace snow::msr {
namespace {

// Values at every varint length boundary, and random ones of every length.
std::vector<std::uint64_t> varint_values() {
  std::vector<std::uint64_t> v = {0, 1, 0x7f, ~std::uint64_t{0}, std::uint64_t{1} << 63};
  for (unsigned bits = 7; bits < 64; bits += 7) {
    v.push_back((std::uint64_t{1} << bits) - 1);
    v.push_back(std::uint64_t{1} << bits);
    v.push_back((std::uint64_t{1} << bits) + 1);
  }
  std::mt19937_64 rng(42);
  for (unsigned bits = 1; bits <= 64; ++bits)
    for (int k = 0; k < 4; ++k) v.push_back(bits == 64 ? rng() : rng() & ((std::uint64_t{1} << bits) - 1));
  return v;
}

// Every varint reads back as written wherever it falls in a chunk: whole in
// the chunk with room to spare, near its end, or split across chunks.
TEST(ChunkStream, VarintsReadBackAtEveryPositionAndChunkSize) {
  const std::vector<std::uint64_t> values = varint_values();
  for (std::uint32_t payload : {1u, 2u, 3u, 5u, 9u, 10u, 11u, 17u, 64u, 65536u}) {
    for (unsigned shift = 0; shift < 11; ++shift) {
      MemorySink sink;
      ChunkWriter writer(sink, payload);
      writer.write_preamble();
      for (unsigned k = 0; k < shift; ++k) writer.put_u8(0x5a);
      for (std::uint64_t v : values) {
        writer.put_varint(v);
        writer.put_u8(0xa5);  // a byte with the continuation bit after each one
      }
      writer.flush_chunk();
      MemorySource source(sink.bytes);
      ChunkReader reader(source, ReaderLimits{});
      reader.read_preamble();
      for (unsigned k = 0; k < shift; ++k) ASSERT_EQ(reader.get_u8(), 0x5a);
      for (std::uint64_t v : values) {
        ASSERT_EQ(reader.get_varint(), v) << "payload " << payload << ", shift " << shift;
        ASSERT_EQ(reader.get_u8(), 0xa5);
      }
    }
  }
}

// A tenth byte above 1 does not fit in 64 bits: refused whether the varint
// lies wholly in the chunk or runs up to its end.
TEST(ChunkStream, AVarintOverflowingSixtyFourBitsIsRefusedEverywhere) {
  const unsigned char overflowing[10] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
  for (std::size_t padding : {0u, 16u}) {
    MemorySink sink;
    ChunkWriter writer(sink, 4096);
    writer.write_preamble();
    writer.put_bytes(overflowing, sizeof overflowing);
    for (std::size_t k = 0; k < padding; ++k) writer.put_u8(0);
    writer.flush_chunk();
    MemorySource source(sink.bytes);
    ChunkReader reader(source, ReaderLimits{});
    reader.read_preamble();
    try {
      reader.get_varint();
      ADD_FAILURE() << "an overflowing varint was accepted (padding " << padding << ")";
    } catch (const StateError &e) {
      EXPECT_EQ(e.code(), StateErrorCode::MalformedRecord);
      EXPECT_NE(std::string(e.what()).find("overflows 64 bits"), std::string::npos) << e.what();
    }
  }
}

} // namespace
} // namespace snow::msr
