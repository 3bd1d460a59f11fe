// The frames of a message channel (docs/migration-protocol.md, "Messages").
//
// A channel is one TCP connection from a sender to a receiver. The sender
// opens it with CONNECT (which names the n-th connection of the pair) and,
// once answered ACCEPT, writes DATA frames and finally a MARKER; the receiver
// may answer REDIRECT instead of ACCEPT (it is moving) and sends DISC when it
// wants the sender to end the connection. Every frame is a 32-byte header in
// big-endian order followed by its payload; DATA payloads stay in the
// sender's own representation, and the header says what that is, so the
// receiver converts only when the two differ.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace snow::comm {

enum class FrameKind : std::uint8_t {
  Connect = 1,   // seq = connection number n; payload = the group's name
  Accept = 2,    // receiver → sender: go ahead
  Redirect = 3,  // receiver → sender: I am moving, look me up again
  Data = 4,      // one message; seq = per-pair message number from 1
  Marker = 5,    // end of channel: nothing follows on this connection
  Disc = 6,      // receiver → sender: end this connection with a MARKER
};

const char *frame_kind_name(FrameKind kind);

struct FrameHeader {
  FrameKind kind = FrameKind::Data;
  std::uint8_t big_endian = 0;  // DATA: the sender's byte order
  std::uint8_t datatype = 0;    // DATA: snow_datatype
  std::uint8_t element_size = 0;
  std::int32_t tag = 0;
  std::uint32_t from = 0;  // sender's rank
  std::uint32_t to = 0;    // receiver's rank
  std::uint32_t count = 0; // elements
  std::uint32_t payload_bytes = 0;
  std::uint64_t seq = 0;
};

inline constexpr std::size_t kFrameHeaderBytes = 32;
// No single message may be larger (a corrupt header must not make a receiver
// allocate gigabytes). SNOW_MAX_MESSAGE_BYTES lowers it (GroupSettings).
inline constexpr std::uint32_t kMaxPayloadBytes = 1u << 30;

// Header followed by the payload.
std::string encode_frame(const FrameHeader &header, const void *payload = nullptr);
// Parses the header at `bytes` (kFrameHeaderBytes long); nullopt with `error`
// set when it is not a valid frame or announces more than `max_payload` bytes.
std::optional<FrameHeader> decode_frame_header(const unsigned char *bytes, std::string &error,
                                               std::uint32_t max_payload = kMaxPayloadBytes);

} // namespace snow::comm
