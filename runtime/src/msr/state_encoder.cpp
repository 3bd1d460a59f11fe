#include "state_encoder.hpp"

#include "logical_address.hpp"
#include "platform.hpp"
#include "state_error.hpp"

#include <cstring>

namespace snow::msr {

namespace {
// Elements of `size` bytes in a block of `bytes` (0 for empty elements).
// Most blocks hold one element: no division then (three per block otherwise).
std::uint64_t element_count(std::uint64_t bytes, std::uint64_t size) {
  if (bytes == size) return size != 0 ? 1 : 0;
  return size != 0 ? bytes / size : 0;
}
} // namespace

StateEncoder::StateEncoder(const Program &program, BlockRegistry &registry, ChunkSink &sink,
                           EncoderOptions options)
    : program_(program), registry_(registry), out_(sink, options.chunk_payload), options_(options),
      swap_(options.byte_order != native_byte_order()), plans_(program.types(), swap_),
      epoch_(registry.next_epoch()) {
  if (options.chunk_payload == 0 || options.chunk_payload > wire::kMaxChunkPayload)
    throw StateError(StateErrorCode::LimitExceeded, "chunk payload must be between 1 byte and 16 MiB");
  out_.write_preamble();
  write_header();
}

void StateEncoder::write_header() {
  const PlatformInfo &p = options_.platform ? *options_.platform : native_platform();
  out_.put_u8(static_cast<std::uint8_t>(wire::Record::Header));
  out_.put_u8(static_cast<std::uint8_t>(options_.byte_order));
  out_.put_string(p.name);
  out_.put_u8(p.long_size);
  out_.put_u8(p.pointer_size);
  out_.put_u8(p.double_align);
  unsigned char fp[8];
  store_unsigned(fp, program_.fingerprint(), 8, ByteOrder::Big);
  out_.put_bytes(fp, 8);
  program_.write_description(out_);
}

std::string StateEncoder::describe(Where where) const {
  const BlockSlot &b = *where.block;
  std::string name;
  if (const char *registered = registry_.name_of(b)) {
    name = registered;
  } else {
    name = "heap block at 0x" + [&] {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(b.base));
      return std::string(buf);
    }();
  }
  if (b.type >= program_.types().size()) return name;
  const TypeInfo &t = program_.types().at(b.type);
  if (t.size == 0) return name;
  const std::uint64_t index = where.offset / t.size;
  const bool array = b.bytes > t.size;
  return name + (array ? "[" + std::to_string(index) + "]" : "") +
         program_.types().describe_offset(b.type, where.offset % t.size);
}

void StateEncoder::check_movable(const BlockSlot &block) const {
  // The description is built only for an error: this runs once per block.
  if (block.type == SNOW_NO_TYPE || !program_.types().contains(block.type))
    throw StateError(StateErrorCode::BadBlock, describe({&block, 0}) + " has no known element type (was it allocated outside snow_malloc?)");
  const TypeInfo &t = program_.types().at(block.type);
  if (!t.unmovable_reason.empty())
    throw StateError(StateErrorCode::UnsupportedType, describe({&block, 0}) + " holds '" + t.name + "': " + t.unmovable_reason);
  if (block.bytes != t.size && (t.size == 0 ? block.bytes != 0 : block.bytes % t.size != 0))
    throw StateError(StateErrorCode::BadBlock, describe({&block, 0}) + " is " + std::to_string(block.bytes) +
                                                   " bytes, not a whole number of '" + t.name + "' (" +
                                                   std::to_string(t.size) + " bytes)");
}

std::uint32_t StateEncoder::reference(BlockSlot &block) {
  if (block.epoch == epoch_) {
    out_.put_varint(std::uint64_t{block.logical_id} + 1);
    return block.logical_id;
  }
  check_movable(block);
  const std::uint32_t id = next_id_++;
  block.epoch = epoch_;
  block.logical_id = id;
  block.sent = false;
  ++stats_.blocks;
  const TypeInfo &t = program_.types().at(block.type);
  const std::uint64_t count = element_count(block.bytes, t.size);
  if (block.origin == wire::Origin::Heap && out_.room_size() >= 32) {
    // The common announcement, written in one go: at most 22 bytes, and with
    // 32 left none of the puts below would have ended the chunk, so the
    // stream is byte for byte the same.
    unsigned char *start = out_.room(1), *p = start;
    p = ChunkWriter::encode_varint(p, std::uint64_t{id} + 1);
    *p++ = static_cast<std::uint8_t>(wire::Origin::Heap);
    *p++ = block.align_log2;
    p = ChunkWriter::encode_varint(p, block.type);
    p = ChunkWriter::encode_varint(p, count);
    out_.advance(static_cast<std::size_t>(p - start));
    pending_.push_back({&block, group_});
    return id;
  }
  out_.put_varint(std::uint64_t{id} + 1);
  out_.put_u8(static_cast<std::uint8_t>(block.origin));
  switch (block.origin) {
  case wire::Origin::Heap: out_.put_u8(block.align_log2); break;
  case wire::Origin::Global:
  case wire::Origin::Stack:
  case wire::Origin::External: out_.put_varint(registry_.key_of(block)); break;
  }
  out_.put_varint(block.type);
  out_.put_varint(count);
  if (block.origin == wire::Origin::Stack)
    stack_blocks_.push_back(&block);
  else if (block.origin != wire::Origin::External)  // nothing of it travels but its key
    pending_.push_back({&block, group_});
  return id;
}

void StateEncoder::write_pointer(std::uintptr_t value, TypeId pointee, Where where) {
  ++stats_.pointers;
  if (value == 0) {
    out_.put_u8(0);
    return;
  }
  BlockSlot *block = registry_.find(value);
  std::uint64_t offset = 0;
  if (block != nullptr && block->origin != wire::Origin::Heap && pointee != SNOW_NO_TYPE && block->type != pointee) {
    // Globals and stack variables can be adjacent: an address that starts one
    // may be the end of its neighbour. The pointer's own type decides: one
    // past the end of the neighbour only when the type fits there better than
    // at the start of the block that begins here (docs/memory-state.md). When
    // the type fits the start directly there is no second lookup.
    const TypeTable &types = program_.types();
    const std::uint32_t here = types.edge_fit(block->type, pointee, false);
    if (here != 0) {
      BlockSlot *before = registry_.find_ending_at(value);
      if (before != nullptr && types.edge_fit(before->type, pointee, true) < here) {
        block = before;
        offset = before->bytes;
      }
    }
  }
  if (block == nullptr) {
    block = registry_.find_containing(value);
    if (block == nullptr) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(value));
      throw StateError(StateErrorCode::UnregisteredPointer,
                       describe(where) + " holds " + buf +
                           ", which points to no registered memory block (freed, foreign or never registered)");
    }
    offset = value - block->base;
  }
  reference(*block);
  if (offset == 0) {
    out_.put_u8(0);
    return;
  }
  const TypeInfo &t = program_.types().at(block->type);
  try {
    out_.put_varint(logical_from_native(program_.types(), block->type, block->bytes / t.size, offset));
  } catch (const StateError &e) {
    throw StateError(e.code(), describe(where) + ": " + e.what());
  }
}

void StateEncoder::write_function(snow_function_address value, Where where) {
  if (value == nullptr) {
    out_.put_u8(0);
    return;
  }
  const std::int64_t id = program_.function_id(value);
  if (id < 0)
    throw StateError(StateErrorCode::UnknownFunction,
                     describe(where) + " points to a function that is not in the program's function table");
  out_.put_varint(static_cast<std::uint64_t>(id) + 1);
}

void StateEncoder::write_raw(const unsigned char *src, std::uint64_t size) {
  out_.put_bytes(src, static_cast<std::size_t>(size));
}

void StateEncoder::write_scalars(const PlanOp &op, const unsigned char *src) {
  const unsigned n = op.native_size, w = op.wire_size;
  if (n == w && op.stride == n && op.kind != Kind::Bool) {
    // Contiguous same-width run: only the byte order changes.
    std::uint64_t left = op.count;
    while (left > 0) {
      const std::size_t fit = out_.room(w) == nullptr ? 0 : out_.room_size() / w;
      const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(left, fit));
      swap_run(out_.room(w), src, k, w);
      out_.advance(k * w);
      src += k * w;
      left -= k;
    }
    return;
  }
  const ByteOrder native = native_byte_order();
  for (std::uint64_t i = 0; i < op.count; ++i, src += op.stride) {
    std::uint64_t v = load_unsigned(src, n, native);
    if (op.kind == Kind::Signed && n < 8 && (v >> (8 * n - 1)) != 0) v |= ~std::uint64_t{0} << (8 * n);
    store_unsigned(out_.room(w), v, w, options_.byte_order);
    out_.advance(w);
  }
}

void StateEncoder::run(const CodecPlan &plan, std::size_t begin, std::size_t end, const unsigned char *base,
                       const BlockSlot &block) {
  for (std::size_t i = begin; i < end; ++i) {
    const PlanOp &op = plan[i];
    const unsigned char *at = base + op.offset;
    switch (op.code) {
    case PlanOp::Code::Bytes:
      write_raw(at, op.count);
      break;
    case PlanOp::Code::Scalars:
      write_scalars(op, at);
      break;
    case PlanOp::Code::Pointers:
      // In a large registry each lookup is a cache miss, and so is the first
      // read of a block not yet sent: start all of them before waiting on any.
      for (std::uint64_t k = 0; k < op.count && k < 16; ++k) {
        std::uintptr_t value;
        std::memcpy(&value, at + k * op.stride, sizeof value);
        registry_.prefetch(value);
        __builtin_prefetch(reinterpret_cast<const void *>(value));  // never faults, even on garbage
      }
      for (std::uint64_t k = 0; k < op.count; ++k) {
        std::uintptr_t value;
        std::memcpy(&value, at + k * op.stride, sizeof value);
        write_pointer(value, op.pointee,
                      {&block, static_cast<std::uint64_t>(at + k * op.stride - reinterpret_cast<const unsigned char *>(block.base))});
      }
      break;
    case PlanOp::Code::Functions:
      for (std::uint64_t k = 0; k < op.count; ++k) {
        snow_function_address value;
        std::memcpy(&value, at + k * op.stride, sizeof value);
        write_function(value,
                       {&block, static_cast<std::uint64_t>(at + k * op.stride - reinterpret_cast<const unsigned char *>(block.base))});
      }
      break;
    case PlanOp::Code::Repeat:
      for (std::uint64_t k = 0; k < op.count; ++k) run(plan, i + 1, i + 1 + op.body, at + k * op.stride, block);
      i += op.body;
      break;
    }
  }
}

void StateEncoder::write_block(BlockSlot &block) {
  ++group_;
  const TypeInfo &t = program_.types().at(block.type);
  const std::uint64_t count = element_count(block.bytes, t.size);
  out_.put_u8(static_cast<std::uint8_t>(wire::Record::Data));
  out_.put_varint(block.logical_id);
  block.sent = true;
  stats_.data_bytes += block.bytes;
  if (t.leaf_count == 0) return;  // empty elements: nothing on the wire
  const auto *base = reinterpret_cast<const unsigned char *>(block.base);
  const CodecPlan &plan = plans_.get(block.type);
  if (plan.size() == 1 && plan[0].code == PlanOp::Code::Bytes && plan[0].count == t.size) {
    write_raw(base, block.bytes);  // the whole block is one verbatim run
    return;
  }
  if (plan.size() == 1 && plan[0].code == PlanOp::Code::Scalars && plan[0].stride == plan[0].native_size &&
      plan[0].count * plan[0].stride == t.size) {
    PlanOp whole = plan[0];
    whole.count *= count;
    write_scalars(whole, base);
    return;
  }
  for (std::uint64_t k = 0; k < count; ++k) run(plan, 0, plan.size(), base + k * t.size, block);
}

// Starts loading the registry slots and the contents of the blocks that
// `block`'s first element points to (its first 16 pointers outside repeats).
void StateEncoder::prefetch_targets(const BlockSlot &block) {
  const TypeInfo &t = program_.types().at(block.type);  // checked when announced
  if (t.size == 0 || block.bytes < t.size) return;
  const CodecPlan &plan = plans_.get(block.type);
  const auto *base = reinterpret_cast<const unsigned char *>(block.base);
  unsigned left = 16;
  for (std::size_t i = 0; i < plan.size() && left != 0; ++i) {
    const PlanOp &op = plan[i];
    if (op.code == PlanOp::Code::Repeat) {
      i += op.body;
    } else if (op.code == PlanOp::Code::Pointers) {
      for (std::uint64_t k = 0; k < op.count && left != 0; ++k, --left) {
        std::uintptr_t value;
        std::memcpy(&value, base + op.offset + k * op.stride, sizeof value);
        registry_.prefetch(value);
        __builtin_prefetch(reinterpret_cast<const void *>(value));  // never faults, even on garbage
      }
    }
  }
}

void StateEncoder::drain_pending() {
  while (!pending_.empty()) {
    const Pending p = pending_.back();
    pending_.pop_back();
    if (p.block->sent) continue;
    // Depth first, a block's children are known only once it is read, and
    // looking them up is a cache miss per block in a large registry. The
    // sibling below this block was announced together with it (their
    // contents were prefetched together) and is written once this block's
    // subtree is: read its pointers now, alongside this block's, and start
    // loading their slots and contents, so that the sibling's lookups hit
    // when its turn comes. (Only a sibling: a block further down was
    // announced long ago, and reading it now could be a miss of its own.)
    BlockSlot *sibling =
        !pending_.empty() && pending_.back().group == p.group && !pending_.back().block->sent ? pending_.back().block
                                                                                             : nullptr;
    if (sibling != nullptr) prefetch_targets(*sibling);
    write_block(*p.block);
  }
}

void StateEncoder::add_root(const void *address) {
  BlockSlot *block = registry_.find(reinterpret_cast<std::uintptr_t>(address));
  if (block == nullptr || block->origin == wire::Origin::Heap || block->origin == wire::Origin::External)
    throw StateError(StateErrorCode::BadBlock, "a root must be a registered global or stack block");
  ++stats_.roots;
  out_.put_u8(static_cast<std::uint8_t>(wire::Record::Root));
  reference(*block);
  if (!block->sent) write_block(*block);
  drain_pending();
}

void StateEncoder::add_frame(std::uint32_t depth, std::uint32_t function, std::uint32_t resume_point) {
  out_.put_u8(static_cast<std::uint8_t>(wire::Record::Frame));
  out_.put_varint(depth);
  out_.put_varint(function);
  out_.put_varint(resume_point);
}

void StateEncoder::finish() {
  if (finished_) return;
  for (const BlockSlot *b : stack_blocks_) {
    if (!b->sent)
      throw StateError(StateErrorCode::MissingRoot,
                       "a pointer refers to stack variable '" + std::string(registry_.name_of(*b) ? registry_.name_of(*b) : "?") +
                           "', whose frame was not collected as a root");
  }
  out_.put_u8(static_cast<std::uint8_t>(wire::Record::End));
  out_.put_varint(next_id_);
  out_.put_varint(stats_.roots);
  out_.flush_chunk();
  finished_ = true;
}

} // namespace snow::msr
