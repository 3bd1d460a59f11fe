#include "comm/datatype.hpp"

#include <cstring>
#include <limits>
#include <stdexcept>

namespace snow::comm {

namespace {

enum class Family { Signed, Unsigned, Float, Bytes };

Family family(int type) {
  switch (type) {
  case SNOW_SIGNED_CHAR: case SNOW_SHORT: case SNOW_INT: case SNOW_LONG: case SNOW_LONG_LONG: return Family::Signed;
  case SNOW_CHAR: return std::numeric_limits<char>::is_signed ? Family::Signed : Family::Unsigned;
  case SNOW_UNSIGNED_CHAR: case SNOW_UNSIGNED_SHORT: case SNOW_UNSIGNED: case SNOW_UNSIGNED_LONG:
  case SNOW_UNSIGNED_LONG_LONG: return Family::Unsigned;
  case SNOW_FLOAT: case SNOW_DOUBLE: return Family::Float;
  default: return Family::Bytes;
  }
}

std::uint64_t read_raw(const unsigned char *p, std::size_t size, bool big_endian) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < size; ++i) {
    const std::size_t at = big_endian ? i : size - 1 - i;
    v = (v << 8) | p[at];
  }
  return v;
}

void write_raw(unsigned char *p, std::size_t size, bool big_endian, std::uint64_t v) {
  for (std::size_t i = 0; i < size; ++i) {
    const std::size_t at = big_endian ? size - 1 - i : i;
    p[at] = static_cast<unsigned char>(v & 0xff);
    v >>= 8;
  }
}

template <typename T> void combine_as(snow_op op, T *acc, const T *in, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    switch (op) {
    case SNOW_SUM: acc[i] = static_cast<T>(acc[i] + in[i]); break;
    case SNOW_PROD: acc[i] = static_cast<T>(acc[i] * in[i]); break;
    case SNOW_MAX: if (in[i] > acc[i]) acc[i] = in[i]; break;
    case SNOW_MIN: if (in[i] < acc[i]) acc[i] = in[i]; break;
    }
  }
}

} // namespace

bool valid_datatype(int type) { return type >= SNOW_CHAR && type <= SNOW_BYTE; }

bool valid_op(int op) { return op >= SNOW_SUM && op <= SNOW_MIN; }

const char *datatype_name(int type) {
  static const char *const names[] = {"?", "SNOW_CHAR", "SNOW_SIGNED_CHAR", "SNOW_UNSIGNED_CHAR", "SNOW_SHORT",
                                      "SNOW_UNSIGNED_SHORT", "SNOW_INT", "SNOW_UNSIGNED", "SNOW_LONG",
                                      "SNOW_UNSIGNED_LONG", "SNOW_LONG_LONG", "SNOW_UNSIGNED_LONG_LONG",
                                      "SNOW_FLOAT", "SNOW_DOUBLE", "SNOW_BYTE"};
  return valid_datatype(type) ? names[type] : names[0];
}

std::size_t datatype_size(int type) {
  switch (type) {
  case SNOW_CHAR: case SNOW_SIGNED_CHAR: case SNOW_UNSIGNED_CHAR: case SNOW_BYTE: return 1;
  case SNOW_SHORT: case SNOW_UNSIGNED_SHORT: return sizeof(short);
  case SNOW_INT: case SNOW_UNSIGNED: return sizeof(int);
  case SNOW_LONG: case SNOW_UNSIGNED_LONG: return sizeof(long);
  case SNOW_LONG_LONG: case SNOW_UNSIGNED_LONG_LONG: return sizeof(long long);
  case SNOW_FLOAT: return sizeof(float);
  case SNOW_DOUBLE: return sizeof(double);
  default: return 0;
  }
}

bool host_is_big_endian() {
  const std::uint16_t probe = 1;
  unsigned char first = 0;
  std::memcpy(&first, &probe, 1);
  return first == 0;
}

void convert_payload(int type, bool big_endian, std::size_t element_size, const unsigned char *in, std::size_t count,
                     void *out) {
  const std::size_t size = datatype_size(type);
  const Family f = family(type);
  if (f == Family::Bytes || (big_endian == host_is_big_endian() && element_size == size)) {
    std::memcpy(out, in, count * size);
    return;
  }
  if (f == Family::Float && element_size != size)
    throw std::runtime_error(std::string("a ") + datatype_name(type) + " of " + std::to_string(element_size) +
                             " bytes cannot be received as one of " + std::to_string(size));
  unsigned char *o = static_cast<unsigned char *>(out);
  const bool here_big = host_is_big_endian();
  for (std::size_t i = 0; i < count; ++i) {
    std::uint64_t v = read_raw(in + i * element_size, element_size, big_endian);
    if (f == Family::Signed && element_size < 8 && (v >> (8 * element_size - 1)) & 1)
      v |= ~std::uint64_t{0} << (8 * element_size);  // sign-extend
    if (size < element_size && f != Family::Float) {
      // Narrowing (LP64 → ILP32): the value must survive.
      const int bits = static_cast<int>(8 * size);
      const bool fits = f == Family::Signed
                            ? static_cast<std::int64_t>(v) >= -(std::int64_t{1} << (bits - 1)) &&
                                  static_cast<std::int64_t>(v) < (std::int64_t{1} << (bits - 1))
                            : v < (std::uint64_t{1} << bits);
      if (!fits)
        throw std::runtime_error("element " + std::to_string(i) + " of a " + datatype_name(type) + " message (" +
                                 (f == Family::Signed ? std::to_string(static_cast<std::int64_t>(v)) : std::to_string(v)) +
                                 ") does not fit in " + std::to_string(size) + " bytes here");
    }
    write_raw(o + i * size, size, here_big, v);
  }
}

void combine(snow_op op, int type, void *acc, const void *in, std::size_t count) {
  switch (type) {
  case SNOW_CHAR: return combine_as(op, static_cast<char *>(acc), static_cast<const char *>(in), count);
  case SNOW_SIGNED_CHAR: return combine_as(op, static_cast<signed char *>(acc), static_cast<const signed char *>(in), count);
  case SNOW_BYTE:
  case SNOW_UNSIGNED_CHAR: return combine_as(op, static_cast<unsigned char *>(acc), static_cast<const unsigned char *>(in), count);
  case SNOW_SHORT: return combine_as(op, static_cast<short *>(acc), static_cast<const short *>(in), count);
  case SNOW_UNSIGNED_SHORT: return combine_as(op, static_cast<unsigned short *>(acc), static_cast<const unsigned short *>(in), count);
  case SNOW_INT: return combine_as(op, static_cast<int *>(acc), static_cast<const int *>(in), count);
  case SNOW_UNSIGNED: return combine_as(op, static_cast<unsigned *>(acc), static_cast<const unsigned *>(in), count);
  case SNOW_LONG: return combine_as(op, static_cast<long *>(acc), static_cast<const long *>(in), count);
  case SNOW_UNSIGNED_LONG: return combine_as(op, static_cast<unsigned long *>(acc), static_cast<const unsigned long *>(in), count);
  case SNOW_LONG_LONG: return combine_as(op, static_cast<long long *>(acc), static_cast<const long long *>(in), count);
  case SNOW_UNSIGNED_LONG_LONG: return combine_as(op, static_cast<unsigned long long *>(acc), static_cast<const unsigned long long *>(in), count);
  case SNOW_FLOAT: return combine_as(op, static_cast<float *>(acc), static_cast<const float *>(in), count);
  case SNOW_DOUBLE: return combine_as(op, static_cast<double *>(acc), static_cast<const double *>(in), count);
  default: throw std::runtime_error("cannot combine elements of an unknown type");
  }
}

} // namespace snow::comm
