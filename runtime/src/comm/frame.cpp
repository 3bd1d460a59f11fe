#include "comm/frame.hpp"

#include <algorithm>

namespace snow::comm {

namespace {

void put(std::string &out, std::uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

std::uint64_t get(const unsigned char *&p, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | *p++;
  return value;
}

} // namespace

const char *frame_kind_name(FrameKind kind) {
  switch (kind) {
  case FrameKind::Connect: return "CONNECT";
  case FrameKind::Accept: return "ACCEPT";
  case FrameKind::Redirect: return "REDIRECT";
  case FrameKind::Data: return "DATA";
  case FrameKind::Marker: return "MARKER";
  case FrameKind::Disc: return "DISC";
  }
  return "?";
}

std::string encode_frame(const FrameHeader &h, const void *payload) {
  std::string out;
  out.reserve(kFrameHeaderBytes + h.payload_bytes);
  put(out, static_cast<std::uint8_t>(h.kind), 1);
  put(out, h.big_endian, 1);
  put(out, h.datatype, 1);
  put(out, h.element_size, 1);
  put(out, static_cast<std::uint32_t>(h.tag), 4);
  put(out, h.from, 4);
  put(out, h.to, 4);
  put(out, h.count, 4);
  put(out, h.payload_bytes, 4);
  put(out, h.seq, 8);
  if (h.payload_bytes > 0) out.append(static_cast<const char *>(payload), h.payload_bytes);
  return out;
}

std::optional<FrameHeader> decode_frame_header(const unsigned char *p, std::string &error, std::uint32_t max_payload) {
  FrameHeader h;
  const std::uint64_t kind = get(p, 1);
  if (kind < 1 || kind > 6) {
    error = "unknown frame kind " + std::to_string(kind);
    return std::nullopt;
  }
  h.kind = static_cast<FrameKind>(kind);
  h.big_endian = static_cast<std::uint8_t>(get(p, 1));
  h.datatype = static_cast<std::uint8_t>(get(p, 1));
  h.element_size = static_cast<std::uint8_t>(get(p, 1));
  h.tag = static_cast<std::int32_t>(static_cast<std::uint32_t>(get(p, 4)));
  h.from = static_cast<std::uint32_t>(get(p, 4));
  h.to = static_cast<std::uint32_t>(get(p, 4));
  h.count = static_cast<std::uint32_t>(get(p, 4));
  h.payload_bytes = static_cast<std::uint32_t>(get(p, 4));
  h.seq = get(p, 8);
  if (h.big_endian > 1) {
    error = "a frame's byte-order flag is " + std::to_string(h.big_endian);
    return std::nullopt;
  }
  if (h.payload_bytes > std::min(max_payload, kMaxPayloadBytes)) {
    error = "a " + std::string(frame_kind_name(h.kind)) + " frame announces " + std::to_string(h.payload_bytes) +
            " bytes, more than the limit of " + std::to_string(std::min(max_payload, kMaxPayloadBytes)) +
            " (SNOW_MAX_MESSAGE_BYTES)";
    return std::nullopt;
  }
  if (h.kind == FrameKind::Data && h.element_size != 0 &&
      static_cast<std::uint64_t>(h.count) * h.element_size != h.payload_bytes) {
    error = "a DATA frame of " + std::to_string(h.count) + " elements of " + std::to_string(h.element_size) +
            " bytes carries " + std::to_string(h.payload_bytes) + " bytes";
    return std::nullopt;
  }
  if (h.kind != FrameKind::Data && h.kind != FrameKind::Connect && h.payload_bytes != 0) {
    error = std::string("a ") + frame_kind_name(h.kind) + " frame with a payload";
    return std::nullopt;
  }
  return h;
}

} // namespace snow::comm
