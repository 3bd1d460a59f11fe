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
  // Plain locals, not arrays: GCC keeps an array in memory and every step then
  // waits on a store-to-load forward.
  std::uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
  std::size_t i = 0;
  auto word = [&](std::size_t at) {
    std::uint64_t w;
    std::memcpy(&w, data + at, 8);
    if constexpr (native_byte_order() == ByteOrder::Big) w = byte_swap(w);
    return w;
  };
  for (; i + 32 <= size; i += 32) {
    a0 += word(i);
    b0 += a0;
    a1 += word(i + 8);
    b1 += a1;
    a2 += word(i + 16);
    b2 += a2;
    a3 += word(i + 24);
    b3 += a3;
  }
  std::uint64_t a[4] = {a0, a1, a2, a3}, b[4] = {b0, b1, b2, b3};
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
