// The limits a restore enforces on a state stream it did not write (a
// checkpoint file, a live migration's connection): how much memory it may
// build, how large one block and how many blocks, how long the stream and
// its chunks. Each comes from DecoderOptions when set there (nonzero), else
// from the process's environment, else its default (docs/security.md,
// "Limits"):
//
//   SNOW_MAX_STATE_BYTES   memory a restore may take: contents + 256 B a block   half of RAM (1 GiB on 32-bit)
//   SNOW_MAX_BLOCK_BYTES   one block's contents                                  SNOW_MAX_STATE_BYTES
//   SNOW_MAX_STATE_BLOCKS  blocks in one stream                                  2^32
//   SNOW_MAX_STREAM_BYTES  bytes read from the stream, framing included          unlimited (0)
//   SNOW_MAX_CHUNK_BYTES   a chunk's payload (what a reader holds at once)       16 MiB (the format's maximum)
//
// Values are byte counts, optionally with a binary suffix: 64K, 512M, 2G.
// (Header-only: the fuzzers' standalone build lists the runtime's sources.)
#pragma once

#include "state_decoder.hpp"
#include "state_error.hpp"
#include "stream_format.hpp"

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <unistd.h>

namespace snow::msr {

struct RestoreLimits {
  std::uint64_t max_state_bytes = 0;
  std::uint64_t max_block_bytes = 0;
  std::uint64_t max_blocks = 0;
  std::uint64_t max_stream_bytes = 0;  // 0: unlimited
  std::uint32_t max_chunk_bytes = 0;
};

// Options' nonzero limits, the environment's for the others, then the
// defaults. Throws StateError (LimitExceeded) naming a malformed variable.
inline RestoreLimits resolve_restore_limits(const DecoderOptions &options);

// "4096", "64K", "512M", "2G" → bytes; throws StateError naming `variable`
// when `text` is not such a count or is 0.
inline std::uint64_t parse_byte_count(const std::string &variable, const std::string &text);

namespace restore_limits_detail {

inline std::uint64_t default_state_bytes() {
  if (sizeof(void *) < 8) return std::uint64_t{1} << 30;
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return std::uint64_t{8} << 30;
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page) / 2;
}

// The option if set, else the variable if set, else 0.
inline std::uint64_t configured(std::uint64_t option, const char *variable) {
  if (option != 0) return option;
  const char *text = std::getenv(variable);
  return text && *text ? parse_byte_count(variable, text) : 0;
}

} // namespace restore_limits_detail

inline std::uint64_t parse_byte_count(const std::string &variable, const std::string &text) {
  auto refuse = [&] {
    throw StateError(StateErrorCode::LimitExceeded,
                     variable + " is '" + text + "'; give a number of bytes above 0, optionally with K, M or G");
  };
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 19) refuse();
  std::uint64_t value = std::strtoull(text.substr(0, digits).c_str(), nullptr, 10);
  const std::string suffix = text.substr(digits);
  unsigned shift = 0;
  if (suffix == "K" || suffix == "k") shift = 10;
  else if (suffix == "M") shift = 20;
  else if (suffix == "G") shift = 30;
  else if (!suffix.empty()) refuse();
  if (value == 0 || value > (std::numeric_limits<std::uint64_t>::max() >> shift)) refuse();
  return value << shift;
}

inline RestoreLimits resolve_restore_limits(const DecoderOptions &options) {
  RestoreLimits l;
  l.max_state_bytes = restore_limits_detail::configured(options.max_total_bytes, "SNOW_MAX_STATE_BYTES");
  if (l.max_state_bytes == 0) l.max_state_bytes = restore_limits_detail::default_state_bytes();
  l.max_block_bytes = restore_limits_detail::configured(options.max_block_bytes, "SNOW_MAX_BLOCK_BYTES");
  if (l.max_block_bytes == 0 || l.max_block_bytes > l.max_state_bytes) l.max_block_bytes = l.max_state_bytes;
  l.max_blocks = restore_limits_detail::configured(options.max_blocks, "SNOW_MAX_STATE_BLOCKS");
  if (l.max_blocks == 0) l.max_blocks = std::uint64_t{1} << 32;
  l.max_stream_bytes = restore_limits_detail::configured(options.max_stream_bytes, "SNOW_MAX_STREAM_BYTES");
  const std::uint64_t chunk = restore_limits_detail::configured(options.max_chunk_payload, "SNOW_MAX_CHUNK_BYTES");
  l.max_chunk_bytes = chunk == 0 || chunk > wire::kMaxChunkPayload ? wire::kMaxChunkPayload
                                                                   : static_cast<std::uint32_t>(chunk);
  return l;
}

} // namespace snow::msr
