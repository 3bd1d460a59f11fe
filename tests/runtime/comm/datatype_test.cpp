// Conversion on receipt: other byte order, other word size, and values that
// do not survive the narrowing.
#include "comm/datatype.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace snow::comm {
namespace {

TEST(Datatype, SizesAreThisPlatformsC) {
  EXPECT_EQ(datatype_size(SNOW_INT), sizeof(int));
  EXPECT_EQ(datatype_size(SNOW_LONG), sizeof(long));
  EXPECT_EQ(datatype_size(SNOW_DOUBLE), sizeof(double));
  EXPECT_EQ(datatype_size(SNOW_BYTE), 1u);
  EXPECT_FALSE(valid_datatype(0));
  EXPECT_FALSE(valid_datatype(SNOW_BYTE + 1));
}

TEST(Datatype, ABigEndianLongOfEightBytesArrivesAsThisPlatformsLong) {
  const unsigned char in[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,  // -2
                                0x00, 0x00, 0x00, 0x00, 0x7f, 0xff, 0xff, 0xff}; // 2^31-1
  long out[2] = {};
  convert_payload(SNOW_LONG, true, 8, in, 2, out);
  EXPECT_EQ(out[0], -2);
  EXPECT_EQ(out[1], 2147483647L);
}

TEST(Datatype, ALittleEndianUnsignedOfFourBytesArrivesWidenedOrSwapped) {
  const unsigned char in[4] = {0x78, 0x56, 0x34, 0x12};
  unsigned long out = 0;
  convert_payload(SNOW_UNSIGNED_LONG, false, 4, in, 1, &out);
  EXPECT_EQ(out, 0x12345678ul);
}

TEST(Datatype, ANarrowingThatLosesTheValueIsAnErrorNamingTheElement) {
  const unsigned char in[16] = {0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0};  // 1, 2^32
  if (sizeof(long) == 8) GTEST_SKIP() << "LP64: nothing narrows";
  long out[2] = {};
  try {
    convert_payload(SNOW_LONG, true, 8, in, 2, out);
    FAIL() << "2^32 fitted a 4-byte long";
  } catch (const std::runtime_error &e) {
    EXPECT_STREQ(e.what(), "element 1 of a SNOW_LONG message (4294967296) does not fit in 4 bytes here");
  }
}

TEST(Datatype, DoublesOfTheOtherByteOrderAreSwapped) {
  const double value = -1234.5625;
  unsigned char native[8];
  std::memcpy(native, &value, 8);
  unsigned char swapped[8];
  for (int i = 0; i < 8; ++i) swapped[i] = native[7 - i];
  double out = 0;
  convert_payload(SNOW_DOUBLE, !host_is_big_endian(), 8, swapped, 1, &out);
  EXPECT_EQ(out, value);
}

TEST(Datatype, CombineAppliesTheOperatorElementwise) {
  double acc[3] = {1, 5, -2}, in[3] = {2, 3, -7};
  combine(SNOW_MAX, SNOW_DOUBLE, acc, in, 3);
  EXPECT_EQ(acc[0], 2);
  EXPECT_EQ(acc[1], 5);
  EXPECT_EQ(acc[2], -2);
  int a[2] = {3, 4}, b[2] = {5, 6};
  combine(SNOW_SUM, SNOW_INT, a, b, 2);
  EXPECT_EQ(a[0], 8);
  EXPECT_EQ(a[1], 10);
}

} // namespace
} // namespace snow::comm
