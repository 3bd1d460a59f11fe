#include "checksum.hpp"

#include "byte_order.hpp"

#include <cstring>

namespace snow::msr {

namespace {
std::uint64_t mix64(std::uint64_t x) {  // the MurmurHash3 64-bit finaliser: a bijection
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return x;
}
} // namespace

std::uint64_t chunk_checksum(const unsigned char *data, std::size_t size) {
  // Four independent lanes keep the adders busy; they are folded at the end.
  std::uint64_t a[4] = {0, 0, 0, 0}, b[4] = {0, 0, 0, 0};
  std::size_t i = 0;
  for (; i + 32 <= size; i += 32) {
    for (int lane = 0; lane < 4; ++lane) {
      std::uint64_t w;
      std::memcpy(&w, data + i + 8 * lane, 8);
      if constexpr (native_byte_order() == ByteOrder::Big) w = byte_swap(w);
      a[lane] += w;
      b[lane] += a[lane];
    }
  }
  std::uint64_t sa = a[0] + 3 * a[1] + 5 * a[2] + 7 * a[3];
  std::uint64_t sb = b[0] ^ (b[1] << 1) ^ (b[2] << 2) ^ (b[3] << 3);
  for (; i < size; i += 8) {
    unsigned char tail[8] = {0};
    std::memcpy(tail, data + i, size - i < 8 ? size - i : 8);
    const std::uint64_t w = load_unsigned(tail, 8, ByteOrder::Little);
    sa += w;
    sb += sa;
  }
  // Each sum goes through a bijective mixer before they are combined: any
  // change moves `sa` (a single changed word always does), and the two mixed
  // values have no linear relation that could cancel it.
  return mix64(sa ^ size) ^ (mix64(sb + 0x9E3779B97F4A7C15ull) * 3);
}

} // namespace snow::msr
