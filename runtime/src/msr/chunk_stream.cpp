#include "chunk_stream.hpp"

#include "byte_order.hpp"
#include "checksum.hpp"
#include "stream_format.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace snow::msr {

ChunkSource::View MemorySource::read(std::size_t size) {
  const std::size_t n = std::min(size, size_ - pos_);
  View v{data_ + pos_, n};
  pos_ += n;
  return v;
}

void FileSink::write(const unsigned char *data, std::size_t size) {
  if (std::fwrite(data, 1, size, file_) != size)
    throw StateError(StateErrorCode::Io, std::string("writing the state file failed: ") + std::strerror(errno));
}

ChunkSource::View FileSource::read(std::size_t size) {
  if (buffer_.size() < size) buffer_.resize(size);
  const std::size_t n = std::fread(buffer_.data(), 1, size, file_);
  if (n < size && std::ferror(file_)) {
    if (errno == EAGAIN || errno == EWOULDBLOCK)  // a socket with a receive timeout
      throw StateError(StateErrorCode::Io, "the state stopped arriving: nothing came for the whole timeout");
    throw StateError(StateErrorCode::Io, std::string("reading the state failed: ") + std::strerror(errno));
  }
  return {buffer_.data(), n};
}

// --- ChunkWriter -----------------------------------------------------------

ChunkWriter::ChunkWriter(ChunkSink &sink, std::uint32_t payload_capacity)
    : sink_(sink), buffer_(wire::kChunkHeaderSize + std::max<std::uint32_t>(payload_capacity, 64)) {
  pos_ = buffer_.data() + wire::kChunkHeaderSize;
  end_ = buffer_.data() + buffer_.size();
}

void ChunkWriter::write_preamble() {
  unsigned char p[wire::kPreambleSize];
  std::memcpy(p, wire::kMagic, 8);
  store_unsigned(p + 8, wire::kVersion, 2, ByteOrder::Big);
  store_unsigned(p + 10, 0, 2, ByteOrder::Big);
  store_unsigned(p + 12, buffer_.size() - wire::kChunkHeaderSize, 4, ByteOrder::Big);
  sink_.write(p, sizeof p);
  bytes_written_ += sizeof p;
}

void ChunkWriter::put_bytes(const void *data, std::size_t size) {
  auto *src = static_cast<const unsigned char *>(data);
  while (size > 0) {
    if (pos_ == end_) flush_chunk();
    const std::size_t n = std::min(size, static_cast<std::size_t>(end_ - pos_));
    std::memcpy(pos_, src, n);
    pos_ += n;
    src += n;
    size -= n;
  }
}

void ChunkWriter::put_string(const std::string &s) {
  put_varint(s.size());
  put_bytes(s.data(), s.size());
}

void ChunkWriter::flush_chunk() {
  unsigned char *payload = buffer_.data() + wire::kChunkHeaderSize;
  const std::size_t length = static_cast<std::size_t>(pos_ - payload);
  if (length == 0) return;
  unsigned char *h = buffer_.data();
  store_unsigned(h, length, 4, ByteOrder::Big);
  store_unsigned(h + 4, sequence_, 4, ByteOrder::Big);
  store_unsigned(h + 8, chunk_checksum(payload, length), 8, ByteOrder::Big);
  sink_.write(h, wire::kChunkHeaderSize + length);
  bytes_written_ += wire::kChunkHeaderSize + length;
  ++sequence_;
  pos_ = payload;
}

// --- ChunkReader -----------------------------------------------------------

void ChunkReader::read_preamble() {
  const ChunkSource::View v = source_.read(wire::kPreambleSize);
  if (v.size < 8 || std::memcmp(v.data, wire::kMagic, 8) != 0)
    throw StateError(StateErrorCode::BadMagic, "not a SnowMigrate state stream (the magic bytes 'SNOWMSR\\0' are missing)");
  if (v.size < wire::kPreambleSize)
    throw StateError(StateErrorCode::Truncated, "the stream ends inside its 16-byte preamble");
  const auto version = static_cast<std::uint16_t>(load_unsigned(v.data + 8, 2, ByteOrder::Big));
  if (version != wire::kVersion)
    throw StateError(StateErrorCode::UnsupportedVersion,
                     "stream format version " + std::to_string(version) + " is not supported (this runtime reads version " +
                         std::to_string(wire::kVersion) + ")");
  const auto flags = static_cast<std::uint16_t>(load_unsigned(v.data + 10, 2, ByteOrder::Big));
  if (flags != 0)
    throw StateError(StateErrorCode::UnsupportedVersion,
                     "the stream sets preamble flags 0x" + [&] {
                       char b[8];
                       std::snprintf(b, sizeof b, "%04x", flags);
                       return std::string(b);
                     }() + ", which version " + std::to_string(wire::kVersion) + " does not define");
  declared_payload_ = static_cast<std::uint32_t>(load_unsigned(v.data + 12, 4, ByteOrder::Big));
  if (declared_payload_ == 0 || declared_payload_ > limits_.max_chunk_payload || declared_payload_ > wire::kMaxChunkPayload)
    throw StateError(StateErrorCode::LimitExceeded,
                     "the stream declares chunks of " + std::to_string(declared_payload_) + " bytes; the limit is " +
                         std::to_string(std::min<std::uint32_t>(limits_.max_chunk_payload, wire::kMaxChunkPayload)) +
                         " (SNOW_MAX_CHUNK_BYTES)");
  bytes_read_ = wire::kPreambleSize;
}

void ChunkReader::next_chunk() {
  const ChunkSource::View h = source_.read(wire::kChunkHeaderSize);
  if (h.size < wire::kChunkHeaderSize)
    throw StateError(StateErrorCode::Truncated, "the stream ends after " + std::to_string(sequence_) + " complete chunk" +
                                                    (sequence_ == 1 ? "" : "s") + " (" +
                                                    std::to_string(bytes_read_ + h.size) +
                                                    " bytes) before its End record");
  const auto length = static_cast<std::uint32_t>(load_unsigned(h.data, 4, ByteOrder::Big));
  const auto sequence = static_cast<std::uint32_t>(load_unsigned(h.data + 4, 4, ByteOrder::Big));
  const std::uint64_t checksum = load_unsigned(h.data + 8, 8, ByteOrder::Big);
  if (sequence != sequence_)
    throw StateError(StateErrorCode::ChunkOutOfOrder, "expected chunk " + std::to_string(sequence_) + " but found chunk " +
                                                          std::to_string(sequence) + ": chunks were lost or reordered");
  if (limits_.max_stream_bytes != 0 && bytes_read_ + wire::kChunkHeaderSize + length > limits_.max_stream_bytes)
    throw StateError(StateErrorCode::LimitExceeded,
                     "chunk " + std::to_string(sequence) + " would take the stream past the limit of " +
                         std::to_string(limits_.max_stream_bytes) + " bytes (SNOW_MAX_STREAM_BYTES)");
  if (length == 0 || length > declared_payload_)
    throw StateError(StateErrorCode::MalformedRecord, "chunk " + std::to_string(sequence) + " declares " +
                                                          std::to_string(length) + " payload bytes (limit " +
                                                          std::to_string(declared_payload_) + ")");
  const ChunkSource::View p = source_.read(length);
  if (p.size < length)
    throw StateError(StateErrorCode::Truncated, "chunk " + std::to_string(sequence) + " is cut short: " +
                                                    std::to_string(p.size) + " of " + std::to_string(length) +
                                                    " payload bytes");
  if (chunk_checksum(p.data, p.size) != checksum)
    throw StateError(StateErrorCode::ChecksumMismatch,
                     "chunk " + std::to_string(sequence) + " (stream bytes " + std::to_string(bytes_read_) + "–" +
                         std::to_string(bytes_read_ + wire::kChunkHeaderSize + length) + ") fails its checksum");
  pos_ = p.data;
  end_ = p.data + p.size;
  bytes_read_ += wire::kChunkHeaderSize + length;
  ++sequence_;
}

std::uint64_t ChunkReader::get_varint_slow() {
  if constexpr (native_byte_order() == ByteOrder::Little) {
    if (end_ - pos_ >= 10) {
      // Two and three bytes (block ids up to 2^21, most of a large stream's
      // multi-byte varints) from one load, without a loop; kept apart from
      // the general case so that this path saves no registers.
      std::uint64_t w;
      std::memcpy(&w, pos_, sizeof w);
      if ((w & 0x80) == 0) {
        pos_ += 1;
        return w & 0x7f;
      }
      if ((w & 0x8000) == 0) {
        pos_ += 2;
        return (w & 0x7f) | (w >> 1 & 0x3f80);
      }
      if ((w & 0x800000) == 0) {
        pos_ += 3;
        return (w & 0x7f) | (w >> 1 & 0x3f80) | (w >> 2 & 0x1fc000);
      }
    }
  }
  return get_varint_general();
}

std::uint64_t ChunkReader::get_varint_general() {
  if (end_ - pos_ >= 10) {
    // The whole varint is in this chunk: no end-of-chunk test per byte.
    const unsigned char *p = pos_;
    std::uint64_t v = 0;
    for (unsigned shift = 0; shift < 63; shift += 7) {
      const std::uint8_t b = *p++;
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        pos_ = p;
        return v;
      }
    }
    const std::uint8_t b = *p++;  // the tenth byte holds bit 63 only
    if (b > 1) throw StateError(StateErrorCode::MalformedRecord, "a varint overflows 64 bits");
    pos_ = p;
    return v | static_cast<std::uint64_t>(b) << 63;
  }
  std::uint64_t v = 0;
  for (unsigned shift = 0; shift < 64; shift += 7) {
    const std::uint8_t b = get_u8();
    if (shift == 63 && b > 1)
      throw StateError(StateErrorCode::MalformedRecord, "a varint overflows 64 bits");
    v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return v;
  }
  throw StateError(StateErrorCode::MalformedRecord, "a varint is longer than 10 bytes");
}

void ChunkReader::get_bytes(void *out, std::size_t size) {
  auto *dst = static_cast<unsigned char *>(out);
  while (size > 0) {
    if (pos_ == end_) next_chunk();
    const std::size_t n = std::min(size, static_cast<std::size_t>(end_ - pos_));
    std::memcpy(dst, pos_, n);
    pos_ += n;
    dst += n;
    size -= n;
  }
}

std::string ChunkReader::get_string(std::size_t max_length) {
  const std::uint64_t n = get_varint();
  if (n > max_length)
    throw StateError(StateErrorCode::MalformedRecord, "a name of " + std::to_string(n) + " bytes exceeds the limit of " +
                                                          std::to_string(max_length));
  std::string s(static_cast<std::size_t>(n), '\0');
  get_bytes(s.data(), s.size());
  return s;
}

bool ChunkReader::at_end() {
  if (pos_ != end_) return false;
  const ChunkSource::View v = source_.read(1);
  return v.size == 0;
}

} // namespace snow::msr
