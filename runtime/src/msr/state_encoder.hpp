// Collection: a depth-first traversal of the memory-block graph from a set of
// roots, emitting only reachable blocks, in bounded chunks.
//
// Blocks get logical ids in the order they are first referenced; a reference
// to a block not yet seen *announces* it (origin, type, count) so that the
// destination can allocate it at once and store the pointer without a later
// fix-up. The contents of heap and global blocks follow in depth-first order;
// a stack block's contents travel only when its frame is added as a root, so
// that frames can be restored outermost first while deeper ones are still
// being collected.
#pragma once

#include "block_registry.hpp"
#include "byte_order.hpp"
#include "chunk_stream.hpp"
#include "codec_plan.hpp"
#include "platform.hpp"
#include "program.hpp"
#include "stream_format.hpp"

#include <cstdint>
#include <vector>

namespace snow::msr {

struct EncoderOptions {
  std::uint32_t chunk_payload = wire::kDefaultChunkPayload;
  // Scalars travel in this order; the default (native) makes same-order
  // migrations a plain copy. Any order is valid: the header declares it.
  ByteOrder byte_order = native_byte_order();
  // The platform named in the header; null: this one. Re-collecting a
  // restored state "as" its source proves a round trip is byte-identical.
  const PlatformInfo *platform = nullptr;
};

struct EncoderStats {
  std::uint64_t blocks = 0;
  std::uint64_t roots = 0;
  std::uint64_t pointers = 0;
  std::uint64_t data_bytes = 0;  // native bytes of the blocks sent
};

class StateEncoder {
public:
  // Writes the preamble and the header at once.
  StateEncoder(const Program &program, BlockRegistry &registry, ChunkSink &sink, EncoderOptions options = {});

  // Sends the global or stack block starting at `block` and everything it
  // reaches that has not been sent yet. Roots go outermost frame first.
  void add_root(const void *block);
  // Starts the activation record of a frame (depth 0 is main); its locals
  // follow as a root. Frames go outermost first.
  void add_frame(std::uint32_t depth, std::uint32_t function, std::uint32_t resume_point);
  // Writes the End record and flushes the last chunk.
  void finish();

  const EncoderStats &stats() const { return stats_; }
  std::uint64_t stream_bytes() const { return out_.bytes_written(); }

private:
  struct Where {
    const BlockSlot *block;
    std::uint64_t offset;
  };

  void write_header();
  std::uint32_t reference(BlockSlot &block);
  void check_movable(const BlockSlot &block) const;
  void write_pointer(std::uintptr_t value, TypeId pointee, Where where);
  void write_function(snow_function_address value, Where where);
  void write_block(BlockSlot &block);
  void run(const CodecPlan &plan, std::size_t begin, std::size_t end, const unsigned char *base,
           const BlockSlot &block);
  void write_scalars(const PlanOp &op, const unsigned char *src);
  void write_raw(const unsigned char *src, std::uint64_t size);
  void drain_pending();
  void prefetch_targets(const BlockSlot &block);
  std::string describe(Where where) const;

  const Program &program_;
  BlockRegistry &registry_;
  ChunkWriter out_;
  EncoderOptions options_;
  bool swap_;
  PlanCache plans_;
  std::uint32_t epoch_;
  std::uint32_t next_id_ = 0;
  // Announced heap/global blocks awaiting their data, with the number of the
  // write_block() that announced them: blocks announced together are
  // siblings, and the one below the block just taken is written after it.
  struct Pending {
    BlockSlot *block;
    std::uint32_t group;
  };
  std::vector<Pending> pending_;
  std::uint32_t group_ = 0;
  std::vector<BlockSlot *> stack_blocks_;  // announced stack blocks: sent only with their frame
  EncoderStats stats_;
  bool finished_ = false;
};

} // namespace snow::msr
