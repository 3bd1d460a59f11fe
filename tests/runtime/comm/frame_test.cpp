// Channel frames: the 32-byte big-endian header, and what a receiver refuses.
#include "comm/frame.hpp"

#include <gtest/gtest.h>

namespace snow::comm {
namespace {

const unsigned char *bytes(const std::string &s) { return reinterpret_cast<const unsigned char *>(s.data()); }

TEST(Frame, DataRoundTripsThroughTheBigEndianHeader) {
  FrameHeader h;
  h.kind = FrameKind::Data;
  h.big_endian = 1;
  h.datatype = 13;
  h.element_size = 8;
  h.tag = 0x01020304;
  h.from = 5;
  h.to = 6;
  h.count = 2;
  h.payload_bytes = 16;
  h.seq = 0x1122334455667788ull;
  const double payload[2] = {1.5, -2.25};
  const std::string frame = encode_frame(h, payload);
  ASSERT_EQ(frame.size(), kFrameHeaderBytes + 16);
  EXPECT_EQ(static_cast<unsigned char>(frame[4]), 0x01);  // tag, most significant byte first
  EXPECT_EQ(static_cast<unsigned char>(frame[24]), 0x11); // seq
  std::string error;
  const auto back = decode_frame_header(bytes(frame), error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(back->kind, FrameKind::Data);
  EXPECT_EQ(back->tag, 0x01020304);
  EXPECT_EQ(back->from, 5u);
  EXPECT_EQ(back->to, 6u);
  EXPECT_EQ(back->count, 2u);
  EXPECT_EQ(back->payload_bytes, 16u);
  EXPECT_EQ(back->seq, 0x1122334455667788ull);
}

TEST(Frame, RefusesAnUnknownKind) {
  std::string frame = encode_frame(FrameHeader{});
  frame[0] = 9;
  std::string error;
  EXPECT_FALSE(decode_frame_header(bytes(frame), error));
  EXPECT_EQ(error, "unknown frame kind 9");
}

TEST(Frame, RefusesAPayloadOverTheLimit) {
  FrameHeader h;
  h.kind = FrameKind::Data;
  std::string frame = encode_frame(h);
  const std::uint32_t announced = kMaxPayloadBytes + 1;  // bytes 20..23: payload_bytes
  for (int i = 0; i < 4; ++i) frame[20 + i] = static_cast<char>((announced >> (24 - 8 * i)) & 0xff);
  std::string error;
  EXPECT_FALSE(decode_frame_header(bytes(frame), error));
  EXPECT_NE(error.find("more than the limit"), std::string::npos) << error;
}

TEST(Frame, RefusesAPayloadOverAConfiguredLimitNamingIt) {
  FrameHeader h;
  h.kind = FrameKind::Data;
  h.datatype = 0;
  h.element_size = 1;
  h.count = 1025;
  h.payload_bytes = 1025;
  const std::string payload(1025, 'x');
  const std::string frame = encode_frame(h, payload.data());
  std::string error;
  EXPECT_TRUE(decode_frame_header(bytes(frame), error, 1025)) << error;
  EXPECT_FALSE(decode_frame_header(bytes(frame), error, 1024));
  EXPECT_EQ(error, "a DATA frame announces 1025 bytes, more than the limit of 1024 (SNOW_MAX_MESSAGE_BYTES)");
}

TEST(Frame, RefusesACountThatDisagreesWithThePayload) {
  FrameHeader h;
  h.kind = FrameKind::Data;
  h.element_size = 4;
  h.count = 3;
  h.payload_bytes = 8;
  const char payload[8] = {};
  std::string error;
  EXPECT_FALSE(decode_frame_header(bytes(encode_frame(h, payload)), error));
  EXPECT_EQ(error, "a DATA frame of 3 elements of 4 bytes carries 8 bytes");
}

TEST(Frame, RefusesAMarkerWithAPayload) {
  FrameHeader h;
  h.kind = FrameKind::Marker;
  h.payload_bytes = 1;
  std::string error;
  EXPECT_FALSE(decode_frame_header(bytes(encode_frame(h, "x")), error));
  EXPECT_EQ(error, "a MARKER frame with a payload");
}

} // namespace
} // namespace snow::comm
