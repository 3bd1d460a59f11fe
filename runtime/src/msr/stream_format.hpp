// Constants of the state-stream wire format. docs/wire-format.md is the
// specification; this file and that document change together.
//
//   stream   := preamble chunk*
//   preamble := "SNOWMSR" 0x00 | u16 version | u16 flags (0) | u32 max chunk payload
//   chunk    := u32 payload length | u32 sequence (0, 1, …) | u64 checksum | payload
//   (all fixed-width framing fields big-endian)
//
// The payloads, concatenated, form the record stream:
//   Header  program description  (Root | Data)*  (Frame (Root | Data)*)*  End
// Scalars inside Data are in the byte order the Header declares; every other
// integer is an unsigned LEB128 varint.
#pragma once

#include <cstdint>

namespace snow::msr::wire {

inline constexpr unsigned char kMagic[8] = {'S', 'N', 'O', 'W', 'M', 'S', 'R', 0};
inline constexpr std::uint16_t kVersion = 1;
inline constexpr std::size_t kPreambleSize = 16;
inline constexpr std::size_t kChunkHeaderSize = 16;
inline constexpr std::uint32_t kDefaultChunkPayload = 64 * 1024;
inline constexpr std::uint32_t kMaxChunkPayload = 16 * 1024 * 1024;
inline constexpr std::size_t kMaxStringLength = 4096;
inline constexpr std::size_t kMaxNameCount = 1u << 20;  // types, functions, globals

// Record tags. Values are part of the format; never renumber.
enum class Record : std::uint8_t {
  Header = 0x48,  // 'H'
  Root = 0x52,    // 'R': a global or stack block the destination must restore
  Data = 0x44,    // 'D': the contents of one announced block
  Frame = 0x46,   // 'F': an activation record (execution state), outermost first
  End = 0x45,     // 'E'
};

// Where an announced block lives. Values are part of the format.
enum class Origin : std::uint8_t {
  Heap = 1,    // allocated by the destination
  Global = 2,  // the destination's global with the same index
  Stack = 3,   // the destination's stack block registered under the same key
  External = 4,  // an object outside the program's memory (an open FILE): no
                 // contents; the destination resolves it by its key
};

} // namespace snow::msr::wire
