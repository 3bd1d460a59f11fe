#include "msr/checksum.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

namespace snow::msr {
namespace {

std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return x;
}

// The checksum as the wire format defines it, one word at a time: words are
// little-endian; whole 32-byte blocks feed four lanes (word i into lane
// i % 4), each keeping a sum and a sum of its running sums; the tail words
// (zero-padded) continue the folded sums.
std::uint64_t reference_checksum(const unsigned char *data, std::size_t size) {
  auto word = [&](std::size_t at) {
    std::uint64_t w = 0;
    for (std::size_t k = 0; k < 8 && at + k < size; ++k) w |= std::uint64_t{data[at + k]} << (8 * k);
    return w;
  };
  std::uint64_t a[4] = {}, b[4] = {};
  std::size_t i = 0;
  for (; i + 32 <= size; i += 32)
    for (int lane = 0; lane < 4; ++lane) {
      a[lane] += word(i + 8 * lane);
      b[lane] += a[lane];
    }
  std::uint64_t sa = a[0] + 3 * a[1] + 5 * a[2] + 7 * a[3];
  std::uint64_t sb = b[0] ^ (b[1] << 1) ^ (b[2] << 2) ^ (b[3] << 3);
  for (; i < size; i += 8) {
    sa += word(i);
    sb += sa;
  }
  return mix64(sa ^ size) ^ (mix64(sb + 0x9E3779B97F4A7C15ull) * 3);
}

// chunk_checksum is part of the wire format: whatever loop computes it (the
// plain one, or the AVX2 one on x86-64 machines that have it) must agree with
// the definition bit for bit, at every length and alignment.
TEST(ChunkChecksum, MatchesTheDefinitionAtEveryLengthAndAlignment) {
  std::mt19937_64 rng(7);
  std::vector<unsigned char> random(5000 + 8), ones(5000 + 8, 0xff);
  for (unsigned char &c : random) c = static_cast<unsigned char>(rng());
  for (std::size_t size = 0; size <= 5000; ++size) {
    const std::size_t at = size % 8;  // unaligned starts too
    ASSERT_EQ(chunk_checksum(random.data() + at, size), reference_checksum(random.data() + at, size)) << size;
    ASSERT_EQ(chunk_checksum(ones.data() + at, size), reference_checksum(ones.data() + at, size)) << size;
  }
  std::vector<unsigned char> chunk(64 * 1024 + 24);
  for (unsigned char &c : chunk) c = static_cast<unsigned char>(rng());
  for (std::size_t size : {std::size_t{65536}, std::size_t{65536 + 24}, std::size_t{65536 - 40}})
    EXPECT_EQ(chunk_checksum(chunk.data(), size), reference_checksum(chunk.data(), size)) << size;
}

TEST(ChunkChecksum, ChangesWithAnySingleByte) {
  std::vector<unsigned char> data(200, 0x5a);
  const std::uint64_t original = chunk_checksum(data.data(), data.size());
  for (std::size_t i = 0; i < data.size(); ++i) {
    data[i] ^= 1;
    EXPECT_NE(chunk_checksum(data.data(), data.size()), original) << i;
    data[i] ^= 1;
  }
}

} // namespace
} // namespace snow::msr
