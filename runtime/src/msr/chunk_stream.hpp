// Chunked transport of the record stream.
//
// The encoder writes records into a bounded buffer; each full buffer becomes a
// framed chunk (length, sequence number, checksum) handed to a ChunkSink — a
// file, a socket, memory. The decoder pulls framed chunks from a ChunkSource
// and reads records across chunk boundaries. This is the pipeline's unit:
// the destination restores chunk n while the source collects chunk n+1, and
// neither side ever holds more than one chunk of the stream.
#pragma once

#include "state_error.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace snow::msr {

class ChunkSink {
public:
  virtual ~ChunkSink() = default;
  // Receives consecutive bytes of the stream (whole framed chunks).
  virtual void write(const unsigned char *data, std::size_t size) = 0;
};

class ChunkSource {
public:
  virtual ~ChunkSource() = default;
  // A view of the next `size` bytes, or fewer when the stream ends first.
  // The view stays valid until the next call.
  struct View {
    const unsigned char *data;
    std::size_t size;
  };
  virtual View read(std::size_t size) = 0;
};

// Keeps the whole stream in memory (tests, checkpoints to memory).
class MemorySink final : public ChunkSink {
public:
  void write(const unsigned char *data, std::size_t size) override { bytes.insert(bytes.end(), data, data + size); }
  std::vector<unsigned char> bytes;
};

// Counts bytes and drops them (benchmarks of collection alone).
class CountingSink final : public ChunkSink {
public:
  void write(const unsigned char *, std::size_t size) override { bytes += size; }
  std::uint64_t bytes = 0;
};

class MemorySource final : public ChunkSource {
public:
  MemorySource(const unsigned char *data, std::size_t size) : data_(data), size_(size) {}
  explicit MemorySource(const std::vector<unsigned char> &bytes) : MemorySource(bytes.data(), bytes.size()) {}
  View read(std::size_t size) override;

private:
  const unsigned char *data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

class FileSink final : public ChunkSink {
public:
  explicit FileSink(std::FILE *file) : file_(file) {}
  void write(const unsigned char *data, std::size_t size) override;

private:
  std::FILE *file_;
};

class FileSource final : public ChunkSource {
public:
  explicit FileSource(std::FILE *file) : file_(file) {}
  View read(std::size_t size) override;

private:
  std::FILE *file_;
  std::vector<unsigned char> buffer_;
};

// Frames records into chunks.
class ChunkWriter {
public:
  ChunkWriter(ChunkSink &sink, std::uint32_t payload_capacity);

  void write_preamble();
  void put_u8(std::uint8_t v) {
    if (pos_ == end_) flush_chunk();
    *pos_++ = v;
  }
  void put_varint(std::uint64_t v) {
    if (end_ - pos_ < 10) flush_chunk();
    pos_ = encode_varint(pos_, v);
  }
  // Writes `v` as a varint at `p` (at most 10 bytes); returns its end.
  static unsigned char *encode_varint(unsigned char *p, std::uint64_t v) {
    while (v >= 0x80) {
      *p++ = static_cast<unsigned char>(v | 0x80);
      v >>= 7;
    }
    *p++ = static_cast<unsigned char>(v);
    return p;
  }
  void put_bytes(const void *data, std::size_t size);
  void put_string(const std::string &s);
  // Contiguous room for at least `min` bytes (min <= 16) to fill directly.
  unsigned char *room(std::size_t min) {
    if (static_cast<std::size_t>(end_ - pos_) < min) flush_chunk();
    return pos_;
  }
  std::size_t room_size() const { return static_cast<std::size_t>(end_ - pos_); }
  void advance(std::size_t n) { pos_ += n; }
  // Ends the current chunk so that everything written so far reaches the sink.
  void flush_chunk();

  std::uint64_t bytes_written() const { return bytes_written_; }
  std::uint32_t chunks_written() const { return sequence_; }

private:
  ChunkSink &sink_;
  std::vector<unsigned char> buffer_;  // chunk header space + payload
  unsigned char *pos_;
  unsigned char *end_;
  std::uint32_t sequence_ = 0;
  std::uint64_t bytes_written_ = 0;
};

struct ReaderLimits {
  std::uint32_t max_chunk_payload = 16 * 1024 * 1024;
  std::uint64_t max_stream_bytes = 0;  // 0: unlimited
};

// Reads records out of framed chunks, verifying each chunk as it arrives.
class ChunkReader {
public:
  ChunkReader(ChunkSource &source, ReaderLimits limits) : source_(source), limits_(limits) {}

  // Before read_preamble().
  void set_limits(ReaderLimits limits) { limits_ = limits; }
  void read_preamble();
  std::uint8_t get_u8() {
    if (pos_ == end_) next_chunk();
    return *pos_++;
  }
  std::uint8_t peek_u8() {
    if (pos_ == end_) next_chunk();
    return *pos_;
  }
  // Most varints of a stream are one byte (block ids of small graphs, types,
  // counts of 1, logical offset 0): those are read here, inline; the rest
  // (and every varint that meets the end of a chunk) out of line.
  std::uint64_t get_varint() {
    if (pos_ != end_ && *pos_ < 0x80) return *pos_++;
    return get_varint_slow();
  }
  void get_bytes(void *out, std::size_t size);
  std::string get_string(std::size_t max_length);
  // At least one contiguous byte of the current chunk; loads the next chunk if needed.
  const unsigned char *available(std::size_t &size) {
    if (pos_ == end_) next_chunk();
    size = static_cast<std::size_t>(end_ - pos_);
    return pos_;
  }
  void consume(std::size_t n) { pos_ += n; }
  // True when the current chunk is used up and the source has nothing more.
  bool at_end();

  std::uint32_t chunks_read() const { return sequence_; }
  std::uint64_t bytes_read() const { return bytes_read_; }

private:
  void next_chunk();
  std::uint64_t get_varint_slow();
  [[gnu::noinline]] std::uint64_t get_varint_general();
  ChunkSource &source_;
  ReaderLimits limits_;
  const unsigned char *pos_ = nullptr;
  const unsigned char *end_ = nullptr;
  std::uint32_t sequence_ = 0;
  std::uint32_t declared_payload_ = 0;
  std::uint64_t bytes_read_ = 0;
};

} // namespace snow::msr
