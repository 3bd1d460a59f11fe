// Open files (`FILE *`) across a checkpoint or migration.
//
// A FILE lives inside the C library, so its bytes cannot travel; what can is
// what it is: a path, a mode and a position. The precompiler rewrites fopen
// and fclose to snow_fopen/snow_fclose, which keep a table of the program's
// open streams; each FILE object is registered as an *external* memory block
// (origin External, key = its index in the table), so a `FILE *` anywhere in
// the program's memory travels as a reference to that index. stdin, stdout
// and stderr are indices 0, 1 and 2 and map to the destination's own.
//
// A checkpoint is preceded by the table as a small text section (see
// docs/checkpoint-restart.md): index, mode, position, size at the checkpoint,
// absolute path. A restart reopens every file at its position (truncating a
// file it writes to its size at the checkpoint, so output redone after the
// restart is not duplicated) before the state stream is read, and the
// decoder resolves each external block to the reopened FILE.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace snow::exec {

struct OpenStream {
  std::FILE *file = nullptr;  // null: a free slot
  std::string path;           // absolute
  std::string mode;           // as given to fopen
};

class OpenStreams {
public:
  // Registers stdin, stdout and stderr (indices 0–2) with `file_type`.
  void start(std::uint32_t file_type);
  // Adds an opened file; its index.
  std::uint32_t add(std::FILE *file, const std::string &path, const std::string &mode);
  // Forgets `file` (about to be closed); false if it was not in the table.
  bool remove(std::FILE *file);

  // The section that precedes a checkpoint: flushes every stream first.
  // Throws std::runtime_error naming a stream whose position is unknown.
  std::string describe_for_checkpoint();
  // Reads the section at the start of `in` (nothing if there is none) and
  // reopens every file; throws std::runtime_error naming what failed.
  void reopen_from(std::FILE *in);
  // The FILE now at `index` (after reopen_from), or null.
  std::FILE *at(std::uint64_t index) const;

private:
  void register_block(std::uint32_t index);
  std::vector<OpenStream> streams_;
  std::uint32_t file_type_ = 0;
};

OpenStreams &open_streams();

// The first line of the section.
inline constexpr const char *kStreamsSectionMagic = "snow-open-streams 1";

} // namespace snow::exec
