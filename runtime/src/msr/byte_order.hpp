// Byte order and the scalar loads/stores the codecs are built from.
//
// Loads and stores go through memcpy so that unaligned wire bytes are read
// correctly on strict-alignment platforms; compilers turn them into plain
// moves where that is legal.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace snow::msr {

enum class ByteOrder : std::uint8_t { Little = 0, Big = 1 };

constexpr ByteOrder native_byte_order() {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  return ByteOrder::Big;
#else
  return ByteOrder::Little;
#endif
}

inline std::uint16_t byte_swap(std::uint16_t v) { return __builtin_bswap16(v); }
inline std::uint32_t byte_swap(std::uint32_t v) { return __builtin_bswap32(v); }
inline std::uint64_t byte_swap(std::uint64_t v) { return __builtin_bswap64(v); }

// Reads an unsigned value of `width` bytes (1, 2, 4 or 8) stored in `order`.
inline std::uint64_t load_unsigned(const unsigned char *p, unsigned width, ByteOrder order) {
  std::uint64_t v = 0;
  if (order == ByteOrder::Big) {
    for (unsigned i = 0; i < width; ++i) v = (v << 8) | p[i];
  } else {
    for (unsigned i = width; i-- > 0;) v = (v << 8) | p[i];
  }
  return v;
}

// Writes the low `width` bytes of `v` in `order`.
inline void store_unsigned(unsigned char *p, std::uint64_t v, unsigned width, ByteOrder order) {
  if (order == ByteOrder::Big) {
    for (unsigned i = width; i-- > 0;) { p[i] = static_cast<unsigned char>(v); v >>= 8; }
  } else {
    for (unsigned i = 0; i < width; ++i) { p[i] = static_cast<unsigned char>(v); v >>= 8; }
  }
}

// Reverses every `width`-byte element of a run; `src` and `dst` may be equal.
void swap_run(unsigned char *dst, const unsigned char *src, std::size_t count, unsigned width);

} // namespace snow::msr
