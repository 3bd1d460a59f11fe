// Restoration: reads a state stream chunk by chunk and rebuilds the memory
// graph in this platform's layout.
//
// Globals are restored in place, stack blocks into the blocks this side has
// registered under the same keys — both through staging copies committed only
// once End has been read — and heap blocks are allocated and registered.
// Everything read is validated before it is used: block ids, type ids, counts,
// logical offsets, value ranges, sizes against the configured limits. A
// failure throws StateError and frees every heap block this decode allocated;
// nothing is ever written outside a block the decode owns or was given.
#pragma once

#include "block_registry.hpp"
#include "byte_order.hpp"
#include "chunk_stream.hpp"
#include "codec_plan.hpp"
#include "segmented_vector.hpp"
#include "platform.hpp"
#include "program.hpp"
#include "stream_format.hpp"
#include "zeroed_memory.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace snow::msr {

struct DecoderOptions {
  // The restore limits (restore_limits.hpp); 0: the environment's, else the default.
  std::uint64_t max_total_bytes = 0;   // SNOW_MAX_STATE_BYTES: half of physical memory (1 GiB on 32-bit)
  std::uint64_t max_block_bytes = 0;   // SNOW_MAX_BLOCK_BYTES: max_total_bytes
  std::uint64_t max_blocks = 0;        // SNOW_MAX_STATE_BLOCKS: 2^32
  std::uint64_t max_stream_bytes = 0;  // SNOW_MAX_STREAM_BYTES: unlimited
  std::uint32_t max_chunk_payload = 0; // SNOW_MAX_CHUNK_BYTES: wire::kMaxChunkPayload
  // Allocate global and stack blocks like heap blocks instead of restoring
  // into the program's own (reading a stream without its program).
  bool materialize_roots = false;
  // Decode globals and stack blocks into staging copies committed after End,
  // so a failed restore leaves them untouched. A resuming program turns this
  // off: its outer frames run (evaluating call arguments from their locals
  // and the globals) before the innermost frame has been read, and a failed
  // restart ends the process anyway.
  bool stage_roots = true;
  // The destination's address of external block `key` (an open FILE,
  // reopened by the execution layer), or 0 when it has none. Unset: a stream
  // with external blocks cannot be restored (unless roots are materialized).
  std::function<std::uintptr_t(std::uint64_t key)> resolve_external;
  // The source ends with the stream (a file). A live migration's connection
  // carries the conversation on after the End record, so it must not be
  // read past it.
  bool source_ends_with_stream = true;
};

struct StreamInfo {
  PlatformInfo source;
  ByteOrder data_order = ByteOrder::Little;
  std::uint64_t fingerprint = 0;
  std::string program_name;
};

// A decoded block, as StateDecoder::block() describes it.
struct DecodedBlock {
  static constexpr std::uint32_t kMaxType = (std::uint32_t{1} << 24) - 1;
  static constexpr std::uint32_t kNotStaged = (std::uint32_t{1} << 24) - 1;

  std::uintptr_t address = 0;
  std::uint64_t count = 0;
  std::uint64_t key = 0;
  TypeId type = 0;             // at most kMaxType (announce() refuses larger ones)
  wire::Origin origin = wire::Origin::Heap;
  std::uint32_t staging = kNotStaged;  // globals, stack blocks: the copy their contents are decoded into
  std::uint8_t align_log2 = 0;
  bool has_data = false;
  bool root = false;
  bool owned = false;  // allocated by this decode
};

struct FrameRecord {
  std::uint32_t depth = 0;
  std::uint32_t function = 0;
  std::uint32_t resume_point = 0;  // 1-based
};

class StateDecoder {
public:
  // `local`: the program to restore into; null to synthesize one from the
  // stream's own description (then materialize_roots is implied).
  StateDecoder(const Program *local, BlockRegistry &registry, ChunkSource &source, DecoderOptions options = {});
  ~StateDecoder();
  StateDecoder(const StateDecoder &) = delete;
  StateDecoder &operator=(const StateDecoder &) = delete;

  // Reads the preamble and the header, and checks the program.
  const StreamInfo &open();
  // Restores every record up to End. On success the restored heap blocks
  // belong to the program (they are in the registry). A stream with frames
  // is refused here unless roots are materialized (a tool reading it).
  void restore_all();

  // Frame by frame, as a resuming program re-enters its functions:
  // restore_until_frame() restores the records before the next Frame (the
  // globals); next_frame() then returns that frame — the caller registers its
  // locals (provide_stack_block) and calls restore_until_frame() again for
  // them — or, at End, finishes the stream and returns nothing.
  void restore_until_frame();
  std::optional<FrameRecord> next_frame();
  // A pointer read before its frame was provided (a global pointing into a
  // live frame: globals come first in the stream) is patched here.
  void provide_stack_block(const MemoryBlock &block);
  bool complete() const { return complete_; }
  // True when the next record is End (the frame just restored was the last).
  bool at_end_record() { return in_.peek_u8() == static_cast<std::uint8_t>(wire::Record::End); }
  const std::vector<FrameRecord> &frames() const { return frames_; }

  const StreamInfo &info() const { return info_; }
  const Program &program() const { return *program_; }
  // The blocks announced so far, by id.
  std::size_t block_count() const { return blocks_.size(); }
  DecodedBlock block(std::size_t id) const;
  std::uint64_t stream_bytes() const { return in_.bytes_read(); }

private:
  void read_header();
  std::uint32_t read_reference(bool allow_null, bool &is_null);
  std::uint32_t announce_reference(std::uint64_t id);
  void announce(std::uint32_t id);
  // `always`: stage even when roots are restored in place (constant globals).
  void stage(DecodedBlock &block, std::uint64_t bytes, const std::string &what, bool always = false);
  // Block ids, not references: `blocks_` grows while a block's pointers are read.
  void read_pointer(unsigned char *dst, std::uint32_t owner);
  void read_function(unsigned char *dst, std::uint32_t owner);
  void read_block_data();
  void run(const CodecPlan &plan, std::size_t begin, std::size_t end, unsigned char *base, std::uint32_t owner);
  void read_scalars(const PlanOp &op, unsigned char *dst, std::uint32_t owner);
  void read_raw(unsigned char *dst, std::uint64_t size);
  void read_end();
  void release_owned();
  void reserve_registry();
  void register_owned();
  std::string describe(std::uint32_t id, const unsigned char *at) const;
  [[noreturn]] void out_of_range(std::uint32_t owner, unsigned char *dst, std::uint64_t wire_value,
                                 const PlanOp &op) const;

  const Program *local_;
  std::unique_ptr<Program> synthesized_;
  const Program *program_ = nullptr;
  BlockRegistry &registry_;
  ChunkReader in_;
  DecoderOptions options_;
  StreamInfo info_;
  bool swap_ = false;
  std::unique_ptr<PlanCache> plans_;
  // The block table: what decoding reads for every block, 16 bytes on 64-bit
  // platforms. A restore keeps one per block, and for a million blocks every
  // byte here is a MiB of fresh pages to fault in. Origin, key, staging copy
  // and root mark matter only for globals, stack variables and external
  // files, which are few: a block that is not a plain heap block, or whose
  // count does not fit in 32 bits, is `aside` and has those in aside_.
  struct BlockEntry {
    static constexpr std::uint32_t kCountAside = 0xffffffffu;
    std::uintptr_t address;
    std::uint32_t count;  // kCountAside: the count is in aside_
    std::uint32_t type : 24;
    std::uint32_t align_log2 : 5;
    std::uint32_t has_data : 1;
    std::uint32_t owned : 1;
    std::uint32_t aside : 1;
  };
  static_assert(sizeof(void *) != 8 || sizeof(BlockEntry) == 16, "a restore keeps one per block");
  struct BlockAside {
    std::uint64_t count;
    std::uint64_t key;
    std::uint32_t staging;
    wire::Origin origin;
    bool root;
  };
  void push_block(const DecodedBlock &b);
  [[gnu::noinline]] void push_aside(const BlockEntry &e, const DecodedBlock &b);
  void store_block(std::uint32_t id, const DecodedBlock &b);
  std::uint64_t count_of(const BlockEntry &e, std::uint32_t id) const {
    return e.count != BlockEntry::kCountAside ? e.count : aside_.at(id).count;
  }
  SegmentedVector<BlockEntry> blocks_;
  std::unordered_map<std::uint32_t, BlockAside> aside_;
  std::size_t with_data_ = 0;  // blocks whose has_data is set
  std::unordered_map<std::uint64_t, MemoryBlock> stack_blocks_;  // key → registered block
  std::unordered_set<std::uint64_t> claimed_globals_, claimed_stack_;
  // Stack blocks announced before their frame was entered (key → block id),
  // and the pointers into them read meanwhile: each holds only its offset
  // until provide_stack_block() adds the block's address.
  std::unordered_map<std::uint64_t, std::uint32_t> deferred_stack_;
  struct StackFixup {
    unsigned char *at;
    std::uint32_t block;
  };
  std::vector<StackFixup> stack_fixups_;
  void bind_stack_block(DecodedBlock &b, const MemoryBlock &m, std::uint64_t bytes);
  [[noreturn]] void missing_stack_block(std::uint64_t key) const;
  std::uint64_t total_bytes_ = 0;
  std::vector<ZeroedArray<unsigned char>> staged_;  // globals' and stack blocks' new contents until End
  std::uint64_t roots_ = 0;
  // Heap blocks this decode allocated are registered in bulk when control
  // returns to the program (End, or a frame boundary), not one by one: a
  // registry growing by a million single inserts was half of a restore.
  // Blocks [0, registered_) have been.
  std::size_t registered_ = 0;
  std::size_t owned_unregistered_ = 0;
  std::vector<FrameRecord> frames_;
  void read_record(std::uint8_t tag);
  FrameRecord read_frame();
  bool opened_ = false;
  bool complete_ = false;
};

// Frees every heap block in `registry` (for registries a tool owns).
void free_heap_blocks(BlockRegistry &registry);

} // namespace snow::msr
