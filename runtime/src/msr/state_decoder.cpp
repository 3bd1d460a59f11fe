#include "state_decoder.hpp"

#include "logical_address.hpp"
#include "restore_limits.hpp"
#include "state_error.hpp"

#include <algorithm>
#include <cstddef>
#include <new>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace snow::msr {

namespace {

[[noreturn]] void malformed(const std::string &what) { throw StateError(StateErrorCode::MalformedRecord, what); }

} // namespace

void StateDecoder::push_block(const DecodedBlock &b) {
  BlockEntry e;
  e.address = b.address;
  e.count = b.count < BlockEntry::kCountAside ? static_cast<std::uint32_t>(b.count) : BlockEntry::kCountAside;
  e.type = b.type;
  e.align_log2 = b.align_log2;
  e.has_data = b.has_data;
  e.owned = b.owned;
  e.aside = b.origin != wire::Origin::Heap || e.count == BlockEntry::kCountAside;
  if (e.aside) {
    push_aside(e, b);
  } else {
    blocks_.push_back(e);
  }
  with_data_ += e.has_data;
}

// push_block() for a block kept aside, apart so that the common path stays small.
void StateDecoder::push_aside(const BlockEntry &e, const DecodedBlock &b) {
  const auto id = static_cast<std::uint32_t>(blocks_.size());
  aside_[id] = BlockAside{b.count, b.key, b.staging, b.origin, b.root};
  try {
    blocks_.push_back(e);
  } catch (...) {
    aside_.erase(id);
    throw;
  }
}

// Writes back the address and staging copy of a block read with block()
// (provide_stack_block(): a cold path).
void StateDecoder::store_block(std::uint32_t id, const DecodedBlock &b) {
  BlockEntry &e = blocks_[id];
  e.address = b.address;
  if (e.aside) {
    BlockAside &a = aside_.at(id);
    a.staging = b.staging;
    a.root = b.root;
  }
}

DecodedBlock StateDecoder::block(std::size_t id) const {
  const BlockEntry &e = blocks_[id];
  DecodedBlock b;
  b.address = e.address;
  b.count = e.count;
  b.type = e.type;
  b.align_log2 = static_cast<std::uint8_t>(e.align_log2);
  b.has_data = e.has_data;
  b.owned = e.owned;
  if (e.aside) {
    const BlockAside &a = aside_.at(static_cast<std::uint32_t>(id));
    b.count = a.count;
    b.key = a.key;
    b.staging = a.staging;
    b.origin = a.origin;
    b.root = a.root;
  }
  return b;
}

StateDecoder::StateDecoder(const Program *local, BlockRegistry &registry, ChunkSource &source, DecoderOptions options)
    : local_(local), registry_(registry), in_(source, ReaderLimits{}), options_(options) {
  if (local_ == nullptr) options_.materialize_roots = true;
}

StateDecoder::~StateDecoder() {
  if (!complete_) release_owned();
}

void StateDecoder::release_owned() {
  for (std::size_t id = 0; id < blocks_.size(); ++id) {
    BlockEntry &b = blocks_[id];
    if (b.owned && b.address != 0) {
      if (id < registered_) registry_.erase(b.address);
      std::free(reinterpret_cast<void *>(b.address));
      b.address = 0;
    }
  }
}

// Makes room in the registry for the blocks register_owned() will insert.
void StateDecoder::reserve_registry() {
  try {
    registry_.reserve(registry_.size() + owned_unregistered_);
  } catch (const std::bad_alloc &) {
    throw StateError(StateErrorCode::LimitExceeded,
                     "out of memory registering " + std::to_string(owned_unregistered_) + " restored blocks");
  }
}

// Registers the heap blocks allocated since the last call. The caller has
// reserved room for them, so for heap blocks this cannot fail: it runs after
// the staged contents are committed. (A materialized root also registers its
// key and name, which takes memory; but materialized roots are never staged.)
void StateDecoder::register_owned() {
  const std::size_t n = blocks_.size();
  // In a large registry every insert is a cache miss: each owned block's
  // slot is prefetched when the table walk reaches it and the block is
  // inserted 16 owned blocks later, so that the misses overlap.
  constexpr unsigned kAhead = 16;
  struct Queued {
    const BlockEntry *entry;
    std::uint32_t id;
  } ring[kAhead];
  unsigned first = 0, queued = 0;
  auto insert = [&](const Queued &q) {
    const BlockEntry &e = *q.entry;
    const std::uint32_t id = q.id;
    const std::uint64_t bytes = count_of(e, id) * program_->types().at(e.type).size;
    if (!e.aside || aside_.at(id).origin == wire::Origin::Heap) {
      registry_.insert_heap(e.address, bytes, e.type, static_cast<std::uint8_t>(e.align_log2));
    } else {
      const DecodedBlock b = block(id);
      // A materialized root: allocated memory in this process, whatever it
      // was there, but it keeps its key and name.
      MemoryBlock m;
      m.base = b.address;
      m.bytes = bytes;
      m.type = b.type;
      m.origin = wire::Origin::Heap;
      m.key = b.key;
      if (b.origin == wire::Origin::Global && b.key < program_->globals().size())
        m.name = program_->globals()[b.key].name.c_str();
      registry_.insert(m);
    }
    registered_ = std::size_t{id} + 1;  // release_owned() erases what has been registered
    --owned_unregistered_;
  };
  if (owned_unregistered_ != 0) {
    blocks_.for_each_from(registered_, [&](std::size_t id, const BlockEntry &e) {
      if (!e.owned) return;
      if (queued == kAhead) {
        insert(ring[first]);
        first = (first + 1) % kAhead;
        --queued;
      }
      registry_.prefetch_for_write(e.address);
      ring[(first + queued) % kAhead] = {&e, static_cast<std::uint32_t>(id)};
      ++queued;
    });
    for (; queued != 0; --queued, first = (first + 1) % kAhead) insert(ring[first]);
  }
  registered_ = n;
}

const StreamInfo &StateDecoder::open() {
  if (opened_) return info_;
  // Resolved here rather than in the constructor so that a malformed
  // variable is a StateError of the restore, reported like any other.
  const RestoreLimits limits = resolve_restore_limits(options_);
  options_.max_total_bytes = limits.max_state_bytes;
  options_.max_block_bytes = limits.max_block_bytes;
  options_.max_blocks = limits.max_blocks;
  options_.max_stream_bytes = limits.max_stream_bytes;
  options_.max_chunk_payload = limits.max_chunk_bytes;
  in_.set_limits(ReaderLimits{limits.max_chunk_bytes, limits.max_stream_bytes});
  in_.read_preamble();
  read_header();
  if (!options_.materialize_roots) {
    registry_.for_each_labelled([&](const MemoryBlock &b) {
      if (b.origin == wire::Origin::Stack) stack_blocks_[b.key] = b;
    });
  }
  opened_ = true;
  return info_;
}

void StateDecoder::read_header() {
  if (in_.get_u8() != static_cast<std::uint8_t>(wire::Record::Header)) malformed("the stream does not begin with a Header record");
  const std::uint8_t order = in_.get_u8();
  if (order > 1) malformed("the header declares byte order " + std::to_string(order));
  info_.data_order = static_cast<ByteOrder>(order);
  info_.source.name = in_.get_string(64);
  info_.source.byte_order = info_.data_order;
  info_.source.long_size = in_.get_u8();
  info_.source.pointer_size = in_.get_u8();
  info_.source.double_align = in_.get_u8();
  unsigned char fp[8];
  in_.get_bytes(fp, 8);
  info_.fingerprint = load_unsigned(fp, 8, ByteOrder::Big);
  auto theirs = std::make_unique<Program>(Program::read_description(in_));
  info_.program_name = theirs->name();
  if (theirs->fingerprint() != info_.fingerprint)
    throw StateError(StateErrorCode::ProgramMismatch, "the stream's header fingerprint does not match its own program description");
  if (local_ != nullptr) {
    if (local_->fingerprint() != info_.fingerprint)
      throw StateError(StateErrorCode::ProgramMismatch,
                       "the stream was written by a different program ('" + theirs->name() + "' from " +
                           info_.source.name + "): " + Program::explain_difference(*local_, *theirs));
    program_ = local_;
  } else {
    synthesized_ = std::move(theirs);
    program_ = synthesized_.get();
  }
  swap_ = info_.data_order != native_byte_order();
  plans_ = std::make_unique<PlanCache>(program_->types(), swap_);
}

std::string StateDecoder::describe(std::uint32_t id, const unsigned char *at) const {
  const DecodedBlock block = this->block(id);
  const unsigned char *base = block.staging != DecodedBlock::kNotStaged ? staged_[block.staging].data()
                                                                        : reinterpret_cast<const unsigned char *>(block.address);
  const std::uint64_t offset = static_cast<std::uint64_t>(at - base);
  std::string name;
  switch (block.origin) {
  case wire::Origin::Global:
    name = program_->globals()[block.key].name;  // key validated on announcement
    break;
  case wire::Origin::Stack: {
    auto it = stack_blocks_.find(block.key);
    name = it != stack_blocks_.end() && it->second.name ? it->second.name
                                                        : "stack variable " + std::to_string(block.key);
    break;
  }
  case wire::Origin::Heap:
    name = "heap block #" + std::to_string(id);
    break;
  case wire::Origin::External:
    name = "open file #" + std::to_string(block.key);
    break;
  }
  const TypeInfo &t = program_->types().at(block.type);
  if (t.size == 0) return name;
  return name + (block.count > 1 ? "[" + std::to_string(offset / t.size) + "]" : "") +
         program_->types().describe_offset(block.type, offset % t.size);
}

// Charges a global or stack block's contents to the limit and, when roots are
// staged, gives it the copy its contents are decoded into until End.
void StateDecoder::stage(DecodedBlock &b, std::uint64_t bytes, const std::string &what, bool always) {
  if (total_bytes_ + bytes > options_.max_total_bytes)
    throw StateError(StateErrorCode::LimitExceeded, "restoring " + what + " would exceed the limit of " +
                                                        std::to_string(options_.max_total_bytes) + " bytes (SNOW_MAX_STATE_BYTES)");
  total_bytes_ += bytes;
  if (options_.stage_roots || always) {
    if (staged_.size() >= DecodedBlock::kNotStaged)
      throw StateError(StateErrorCode::LimitExceeded, "restoring " + what + " would stage more than " +
                                                          std::to_string(DecodedBlock::kNotStaged) + " blocks");
    b.staging = static_cast<std::uint32_t>(staged_.size());
    // Zeroed like the block would be if its padding were never written.
    try {
      staged_.emplace_back(static_cast<std::size_t>(bytes));
    } catch (const std::bad_alloc &) {
      throw StateError(StateErrorCode::LimitExceeded, "out of memory staging " + what + " (" + std::to_string(bytes) + " bytes)");
    }
  }
}

// Reads a block reference; a reference to the next unused id announces it.
std::uint32_t StateDecoder::read_reference(bool allow_null, bool &is_null) {
  const std::uint64_t ref = in_.get_varint();
  is_null = ref == 0;
  if (is_null) {
    if (!allow_null) malformed("a Root record names no block");
    return 0;
  }
  const std::uint64_t id = ref - 1;
  if (id < blocks_.size()) return static_cast<std::uint32_t>(id);
  return announce_reference(id);
}

// A reference to block `id`, which is not announced yet: the next unused id
// announces it, any other is an error.
std::uint32_t StateDecoder::announce_reference(std::uint64_t id) {
  if (id != blocks_.size())
    throw StateError(StateErrorCode::BadBlockId, "block #" + std::to_string(id) + " is referenced but only " +
                                                     std::to_string(blocks_.size()) + " blocks have been announced");
  if (blocks_.size() >= options_.max_blocks)
    throw StateError(StateErrorCode::LimitExceeded, "the stream has more than " + std::to_string(options_.max_blocks) + " blocks (SNOW_MAX_STATE_BLOCKS)");
  announce(static_cast<std::uint32_t>(id));
  return static_cast<std::uint32_t>(id);
}

void StateDecoder::announce(std::uint32_t id) {
  DecodedBlock b;
  const std::uint8_t origin = in_.get_u8();
  if (origin < 1 || origin > 4) malformed("block #" + std::to_string(id) + " has unknown origin " + std::to_string(origin));
  b.origin = static_cast<wire::Origin>(origin);
  if (b.origin == wire::Origin::Heap) {
    const std::uint8_t align_log2 = in_.get_u8();  // checked before it goes into its 5 bits
    if (align_log2 > 16) malformed("block #" + std::to_string(id) + " asks for alignment 2^" + std::to_string(align_log2));
    b.align_log2 = align_log2;
  } else {
    b.key = in_.get_varint();
  }
  const std::uint64_t type = in_.get_varint();
  if (type >= program_->types().size() || type > DecodedBlock::kMaxType)
    throw StateError(StateErrorCode::BadTypeId, "block #" + std::to_string(id) + " has type id " + std::to_string(type) +
                                                    " (the type table has " + std::to_string(program_->types().size()) + ")");
  b.type = static_cast<TypeId>(type);
  b.count = in_.get_varint();
  const TypeInfo &t = program_->types().at(b.type);
  if (!t.unmovable_reason.empty())
    throw StateError(StateErrorCode::UnsupportedType, "block #" + std::to_string(id) + " holds '" + t.name + "': " + t.unmovable_reason);
  // Empty elements cost nothing to store but still count, one byte each, so
  // that no count can make a loop run unboundedly. (count × size > limit,
  // an overflow included: a division per block was a fifth of announce().)
  std::uint64_t counted = 0;
  if (__builtin_mul_overflow(b.count, std::max<std::uint64_t>(t.size, 1), &counted) ||
      counted > options_.max_total_bytes)
    throw StateError(StateErrorCode::LimitExceeded, "block #" + std::to_string(id) + " of " + std::to_string(b.count) + " × '" +
                                                        t.name + "' exceeds the restore limit of " +
                                                        std::to_string(options_.max_total_bytes) + " bytes (SNOW_MAX_STATE_BYTES)");
  const std::uint64_t bytes = b.count * t.size;
  if (bytes > options_.max_block_bytes)
    throw StateError(StateErrorCode::LimitExceeded, "block #" + std::to_string(id) + " of " + std::to_string(b.count) + " × '" +
                                                        t.name + "' (" + std::to_string(bytes) +
                                                        " bytes) exceeds the block limit of " +
                                                        std::to_string(options_.max_block_bytes) + " bytes (SNOW_MAX_BLOCK_BYTES)");
  // Every block costs bookkeeping (its entry here and in the registry, the
  // allocator's header) on top of its contents; charge it so that the limit
  // bounds the memory a restore takes, not just the data.
  constexpr std::uint64_t kBlockOverhead = 256;
  if (total_bytes_ + kBlockOverhead > options_.max_total_bytes)
    throw StateError(StateErrorCode::LimitExceeded, "announcing block #" + std::to_string(id) +
                                                        " would exceed the restore limit of " +
                                                        std::to_string(options_.max_total_bytes) + " bytes (SNOW_MAX_STATE_BYTES)");
  total_bytes_ += kBlockOverhead;

  if (b.origin == wire::Origin::Global) {
    if (b.key >= program_->globals().size())
      throw StateError(StateErrorCode::BadBlockId, "block #" + std::to_string(id) + " names global #" + std::to_string(b.key) +
                                                       "; the program has " + std::to_string(program_->globals().size()));
    const GlobalInfo &g = program_->globals()[b.key];
    if (g.type != b.type || g.count != b.count)
      malformed("block #" + std::to_string(id) + " does not match the type or count of global '" + g.name + "'");
    if (!claimed_globals_.insert(b.key).second) malformed("global '" + g.name + "' is announced twice");
  }
  if (b.origin == wire::Origin::Global && !options_.materialize_roots) {
    // Pointers get the global's own address; its contents are decoded into a
    // staging copy and only committed when the whole stream has been read,
    // so a failed restore leaves the globals as they were.
    b.address = reinterpret_cast<std::uintptr_t>(program_->globals()[b.key].address);
    // A constant global is decoded aside (it may be read-only) and dropped.
    stage(b, bytes, "global '" + program_->globals()[b.key].name + "'", program_->globals()[b.key].constant);
  } else if (b.origin == wire::Origin::External && !options_.materialize_roots) {
    const std::uintptr_t address = options_.resolve_external ? options_.resolve_external(b.key) : 0;
    if (address == 0)
      throw StateError(StateErrorCode::MissingRoot, "open file #" + std::to_string(b.key) +
                                                        " of the stream has no counterpart on this side");
    b.address = address;
    b.has_data = true;  // nothing of it travels
  } else if (b.origin == wire::Origin::Stack && !options_.materialize_roots) {
    auto it = stack_blocks_.find(b.key);
    if (it != stack_blocks_.end()) {
      bind_stack_block(b, it->second, bytes);
    } else if ((b.key >> 32) >= frames_.size()) {
      // A frame not entered yet: a global (restored before any frame) or an
      // outer frame's block points into it. Its address is known once the
      // resuming program re-enters that frame; its contents come after its
      // Frame record. Until then pointers into it are fix-ups.
      if (!deferred_stack_.emplace(b.key, id).second)
        malformed("stack variable key " + std::to_string(b.key) + " is announced twice");
      if (total_bytes_ + bytes > options_.max_total_bytes)
        throw StateError(StateErrorCode::LimitExceeded, "restoring stack variable " + std::to_string(b.key) +
                                                            " would exceed the limit of " +
                                                            std::to_string(options_.max_total_bytes) + " bytes (SNOW_MAX_STATE_BYTES)");
      b.address = 0;
    } else {
      missing_stack_block(b.key);  // its frame is there, but not this variable
    }
  } else {
    if (total_bytes_ + bytes > options_.max_total_bytes)
      throw StateError(StateErrorCode::LimitExceeded, "restoring block #" + std::to_string(id) + " would exceed the limit of " +
                                                          std::to_string(options_.max_total_bytes) + " bytes (SNOW_MAX_STATE_BYTES)");
    // Zeroed: pointers into a block whose data has not arrived must not see
    // garbage, and padding the data never writes reads as zero.
    const std::size_t align = std::size_t{1} << std::max<unsigned>(b.align_log2, 4);
    const std::size_t size = bytes ? static_cast<std::size_t>(bytes) : 1;
    void *p = nullptr;
    if (align <= alignof(std::max_align_t)) {
      p = std::calloc(size, 1);  // large blocks come zeroed from the kernel: no second pass
    } else if (posix_memalign(&p, align, size) == 0) {
      std::memset(p, 0, size);
    } else {
      p = nullptr;
    }
    if (p == nullptr)
      throw StateError(StateErrorCode::LimitExceeded, "out of memory allocating block #" + std::to_string(id) + " (" +
                                                          std::to_string(bytes) + " bytes)");
    total_bytes_ += bytes;
    b.address = reinterpret_cast<std::uintptr_t>(p);
    b.owned = true;
  }
  if (b.origin == wire::Origin::External) b.has_data = true;  // materialized: a placeholder
  try {
    push_block(b);
  } catch (const std::bad_alloc &) {
    if (b.owned) std::free(reinterpret_cast<void *>(b.address));
    throw StateError(StateErrorCode::LimitExceeded, "out of memory announcing block #" + std::to_string(id));
  }
  if (b.owned) ++owned_unregistered_;  // registered in bulk by register_owned()
}

void StateDecoder::missing_stack_block(std::uint64_t key) const {
  throw StateError(StateErrorCode::MissingRoot, "stack variable with key " + std::to_string(key) + " (frame " +
                                                    std::to_string(key >> 32) + ", variable " +
                                                    std::to_string(key & 0xffffffffu) + ") is not registered on this side");
}

void StateDecoder::bind_stack_block(DecodedBlock &b, const MemoryBlock &m, std::uint64_t bytes) {
  if (m.type != b.type || m.bytes != bytes)
    malformed("stack variable '" + std::string(m.name ? m.name : "?") + "' does not match the stream's type or count");
  if (!claimed_stack_.insert(b.key).second) malformed("stack variable key " + std::to_string(b.key) + " is announced twice");
  b.address = m.base;
  // Staged like a global: the frame keeps its contents if the restore fails.
  stage(b, bytes, "stack variable '" + std::string(m.name ? m.name : "?") + "'");
}

void StateDecoder::provide_stack_block(const MemoryBlock &block) {
  stack_blocks_[block.key] = block;
  const auto it = deferred_stack_.find(block.key);
  if (it == deferred_stack_.end()) return;
  const std::uint32_t id = it->second;
  deferred_stack_.erase(it);
  DecodedBlock b = this->block(id);
  const std::uint64_t bytes = b.count * program_->types().at(b.type).size;
  total_bytes_ -= bytes;  // charged when announced; stage() charges it again
  bind_stack_block(b, block, bytes);
  store_block(id, b);
  // The pointers read so far hold their offset into the block.
  std::size_t kept = 0;
  for (const StackFixup &f : stack_fixups_) {
    if (f.block != id) {
      stack_fixups_[kept++] = f;
      continue;
    }
    std::uintptr_t value;
    std::memcpy(&value, f.at, sizeof value);
    value += b.address;
    std::memcpy(f.at, &value, sizeof value);
  }
  stack_fixups_.resize(kept);
}

void StateDecoder::read_pointer(unsigned char *dst, std::uint32_t owner) {
  // read_reference(), spelled out: this runs for every pointer.
  const std::uint64_t ref = in_.get_varint();
  std::uintptr_t value = 0;
  if (ref != 0) {
    const std::uint32_t id = ref - 1 < blocks_.size() ? static_cast<std::uint32_t>(ref - 1) : announce_reference(ref - 1);
    const std::uint64_t logical = in_.get_varint();
    const BlockEntry &target = blocks_[id];
    std::uint64_t offset = 0;
    try {
      // Logical 0 (a block's first byte) is by far the most common.
      offset = logical == 0 ? 0 : native_from_logical(program_->types(), target.type, count_of(target, id), logical);
    } catch (const StateError &e) {
      throw StateError(e.code(), describe(owner, dst) + ": " + e.what());
    }
    value = target.address + static_cast<std::uintptr_t>(offset);
    if (target.address == 0 && target.aside) {
      const BlockAside &a = aside_.at(id);
      if (a.origin == wire::Origin::Stack && deferred_stack_.count(a.key))
        stack_fixups_.push_back({dst, id});  // its frame is not entered yet: provide_stack_block() adds its address
    }
  }
  std::memcpy(dst, &value, sizeof value);
}

void StateDecoder::read_function(unsigned char *dst, std::uint32_t owner) {
  const std::uint64_t ref = in_.get_varint();
  snow_function_address value = nullptr;
  if (ref != 0) {
    if (ref > program_->function_count())
      throw StateError(StateErrorCode::BadOffset,
                       describe(owner, dst) + " names function #" + std::to_string(ref - 1) + "; the program has " +
                           std::to_string(program_->function_count()));
    value = program_->function_address(static_cast<std::uint32_t>(ref - 1));
    if (value == nullptr) {
      // A synthesized program has no code: keep the id so tools can print it.
      std::uintptr_t token = static_cast<std::uintptr_t>(ref);
      std::memcpy(dst, &token, sizeof token);
      return;
    }
  }
  std::memcpy(dst, &value, sizeof value);
}

void StateDecoder::read_raw(unsigned char *dst, std::uint64_t size) {
  if (size == 0) return;
  std::size_t avail = 0;
  const unsigned char *src = in_.available(avail);
  if (size <= avail) {  // all in this chunk: the common case, and a word is one move
    if (size == 8) {
      std::memcpy(dst, src, 8);
    } else {
      std::memcpy(dst, src, static_cast<std::size_t>(size));
    }
    in_.consume(static_cast<std::size_t>(size));
    return;
  }
  while (size > 0) {
    std::size_t avail = 0;
    const unsigned char *src = in_.available(avail);
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(size, avail));
    std::memcpy(dst, src, n);
    in_.consume(n);
    dst += n;
    size -= n;
  }
}

void StateDecoder::out_of_range(std::uint32_t owner, unsigned char *dst, std::uint64_t wire_value,
                                const PlanOp &op) const {
  const std::string value = op.kind == Kind::Signed ? std::to_string(static_cast<std::int64_t>(wire_value))
                                                    : std::to_string(wire_value);
  if (op.kind == Kind::Bool)
    throw StateError(StateErrorCode::ValueOutOfRange, describe(owner, dst) + " is a _Bool holding " + value);
  throw StateError(StateErrorCode::ValueOutOfRange,
                   "the value " + value + " of " + describe(owner, dst) + " (" + std::to_string(op.wire_size) +
                       " bytes on the wire) does not fit in " + std::to_string(op.native_size) + " bytes on " +
                       native_platform().name);
}

void StateDecoder::read_scalars(const PlanOp &op, unsigned char *dst, std::uint32_t owner) {
  const unsigned n = op.native_size, w = op.wire_size;
  if (n == w && op.stride == n && op.kind != Kind::Bool) {
    std::uint64_t left = op.count;
    while (left > 0) {
      std::size_t avail = 0;
      const unsigned char *src = in_.available(avail);
      const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(left, avail / w));
      if (k == 0) {  // one element split across two chunks
        unsigned char tmp[8];
        in_.get_bytes(tmp, w);
        swap_run(dst, tmp, 1, w);
        dst += w;
        --left;
        continue;
      }
      swap_run(dst, src, k, w);
      in_.consume(k * w);
      dst += k * w;
      left -= k;
    }
    return;
  }
  const ByteOrder native = native_byte_order();
  for (std::uint64_t i = 0; i < op.count; ++i, dst += op.stride) {
    unsigned char tmp[8];
    std::size_t avail = 0;
    const unsigned char *src = in_.available(avail);
    if (avail >= w) {
      in_.consume(w);
    } else {
      in_.get_bytes(tmp, w);
      src = tmp;
    }
    const std::uint64_t v = load_unsigned(src, w, info_.data_order);
    if (op.kind == Kind::Bool) {
      if (v > 1) out_of_range(owner, dst, v, op);
    } else if (n < w) {
      if (op.kind == Kind::Signed) {
        const std::int64_t s = w == 8 ? static_cast<std::int64_t>(v)
                                      : static_cast<std::int64_t>(v << (64 - 8 * w)) >> (64 - 8 * w);
        const std::int64_t lo = -(std::int64_t{1} << (8 * n - 1)), hi = (std::int64_t{1} << (8 * n - 1)) - 1;
        if (s < lo || s > hi) out_of_range(owner, dst, static_cast<std::uint64_t>(s), op);
      } else if ((v >> (8 * n)) != 0) {
        out_of_range(owner, dst, v, op);
      }
    }
    store_unsigned(dst, v, n, native);
  }
}

void StateDecoder::run(const CodecPlan &plan, std::size_t begin, std::size_t end, unsigned char *base,
                       std::uint32_t owner) {
  for (std::size_t i = begin; i < end; ++i) {
    const PlanOp &op = plan[i];
    unsigned char *at = base + op.offset;
    switch (op.code) {
    case PlanOp::Code::Bytes: read_raw(at, op.count); break;
    case PlanOp::Code::Scalars: read_scalars(op, at, owner); break;
    case PlanOp::Code::Pointers:
      for (std::uint64_t k = 0; k < op.count; ++k) read_pointer(at + k * op.stride, owner);
      break;
    case PlanOp::Code::Functions:
      for (std::uint64_t k = 0; k < op.count; ++k) read_function(at + k * op.stride, owner);
      break;
    case PlanOp::Code::Repeat:
      for (std::uint64_t k = 0; k < op.count; ++k) run(plan, i + 1, i + 1 + op.body, at + k * op.stride, owner);
      i += op.body;
      break;
    }
  }
}

void StateDecoder::read_block_data() {
  const std::uint64_t id = in_.get_varint();
  if (id >= blocks_.size())
    throw StateError(StateErrorCode::BadBlockId, "a Data record names block #" + std::to_string(id) + ", which has not been announced");
  const auto owner = static_cast<std::uint32_t>(id);
  BlockEntry &entry = blocks_[id];
  if (entry.has_data) malformed("block #" + std::to_string(id) + " has two Data records");
  std::uint32_t staging = DecodedBlock::kNotStaged;
  if (entry.aside) {
    const BlockAside &a = aside_.at(owner);
    if (a.origin == wire::Origin::Stack && entry.address == 0 && deferred_stack_.count(a.key))
      malformed("the contents of stack variable key " + std::to_string(a.key) + " arrive before its frame");
    staging = a.staging;
  }
  entry.has_data = true;
  ++with_data_;
  const BlockEntry block = entry;  // a copy: blocks_ may grow below
  const std::uint64_t count = count_of(block, owner);
  const TypeInfo &t = program_->types().at(block.type);
  if (t.leaf_count == 0) return;  // empty elements: nothing on the wire
  auto *base = staging != DecodedBlock::kNotStaged ? staged_[staging].data()
                                                   : reinterpret_cast<unsigned char *>(block.address);
  const CodecPlan &plan = plans_->get(block.type);
  if (plan.size() == 1 && plan[0].code == PlanOp::Code::Bytes && plan[0].count == t.size) {
    read_raw(base, count * t.size);
    return;
  }
  if (plan.size() == 1 && plan[0].code == PlanOp::Code::Scalars && plan[0].stride == plan[0].native_size &&
      plan[0].count * plan[0].stride == t.size) {
    PlanOp whole = plan[0];
    whole.count *= count;
    read_scalars(whole, base, owner);
    return;
  }
  for (std::uint64_t k = 0; k < count; ++k) run(plan, 0, plan.size(), base + k * t.size, owner);
}

void StateDecoder::read_end() {
  const std::uint64_t blocks = in_.get_varint();
  const std::uint64_t roots = in_.get_varint();
  if (blocks != blocks_.size() || roots != roots_)
    malformed("the End record counts " + std::to_string(blocks) + " blocks and " + std::to_string(roots) +
              " roots, but the stream held " + std::to_string(blocks_.size()) + " and " + std::to_string(roots_));
  // A pointer into a frame that never came (or was not re-entered here).
  if (!deferred_stack_.empty()) missing_stack_block(deferred_stack_.begin()->first);
  if (with_data_ != blocks_.size())  // counted as they came: no pass over a million entries
    for (std::size_t id = 0; id < blocks_.size(); ++id)
      if (!blocks_[id].has_data) malformed("block #" + std::to_string(id) + " was announced but its contents never arrived");
  if (options_.source_ends_with_stream && !in_.at_end()) malformed("the stream continues after its End record");
  // Everything checked. Room in the registry first: it is the one step that
  // can still fail (out of memory), and nothing may change before it.
  reserve_registry();
  // Now the globals and stack blocks take their new contents.
  // Only blocks kept aside (globals, stack variables) are staged; in id order.
  std::vector<std::uint32_t> staged_ids;
  for (const auto &[id, a] : aside_)
    if (a.staging != DecodedBlock::kNotStaged) staged_ids.push_back(id);
  std::sort(staged_ids.begin(), staged_ids.end());
  for (const std::uint32_t id : staged_ids)
    if (const DecodedBlock b = block(id); !(b.origin == wire::Origin::Global && program_->globals()[b.key].constant))
      std::memcpy(reinterpret_cast<void *>(b.address), staged_[b.staging].data(), staged_[b.staging].size());
  staged_.clear();
  register_owned();
}

void StateDecoder::read_record(std::uint8_t tag) {
  switch (static_cast<wire::Record>(tag)) {
  case wire::Record::Root: {
    bool is_null = false;
    const std::uint32_t id = read_reference(false, is_null);
    const wire::Origin origin = blocks_[id].aside ? aside_.at(id).origin : wire::Origin::Heap;
    if (origin == wire::Origin::Heap) malformed("a Root record names heap block #" + std::to_string(id));
    if (origin == wire::Origin::External)
      malformed("a Root record names external block #" + std::to_string(id));
    aside_.at(id).root = true;
    ++roots_;
    break;
  }
  case wire::Record::Data: read_block_data(); break;
  default: malformed("unknown record tag " + std::to_string(tag) + " after " + std::to_string(in_.bytes_read()) + " bytes");
  }
}

FrameRecord StateDecoder::read_frame() {
  FrameRecord f;
  const std::uint64_t depth = in_.get_varint(), function = in_.get_varint(), point = in_.get_varint();
  if (depth != frames_.size())
    malformed("frame record for depth " + std::to_string(depth) + " where depth " + std::to_string(frames_.size()) + " was due");
  if (function >= program_->function_count())
    malformed("frame " + std::to_string(depth) + " names function #" + std::to_string(function) + "; the program has " +
              std::to_string(program_->function_count()));
  const auto &views = program_->resume_views(static_cast<std::uint32_t>(function));
  if (point == 0 || point > views.size())
    malformed("frame " + std::to_string(depth) + " of '" + program_->function_name(static_cast<std::uint32_t>(function)) +
              "' stands at resume point " + std::to_string(point) + "; it has " + std::to_string(views.size()));
  f.depth = static_cast<std::uint32_t>(depth);
  f.function = static_cast<std::uint32_t>(function);
  f.resume_point = static_cast<std::uint32_t>(point);
  frames_.push_back(f);
  return f;
}

void StateDecoder::restore_until_frame() {
  open();
  for (;;) {
    const std::uint8_t tag = in_.peek_u8();
    if (tag == static_cast<std::uint8_t>(wire::Record::Frame) || tag == static_cast<std::uint8_t>(wire::Record::End)) break;
    read_record(in_.get_u8());
  }
  // The program runs before the next call: it sees its restored heap blocks.
  reserve_registry();
  register_owned();
}

std::optional<FrameRecord> StateDecoder::next_frame() {
  restore_until_frame();
  if (in_.get_u8() == static_cast<std::uint8_t>(wire::Record::End)) {
    read_end();
    complete_ = true;
    return std::nullopt;
  }
  return read_frame();
}

void StateDecoder::restore_all() {
  open();
  for (;;) {
    const std::uint8_t tag = in_.get_u8();
    if (tag == static_cast<std::uint8_t>(wire::Record::End)) {
      read_end();
      complete_ = true;
      return;
    }
    if (tag == static_cast<std::uint8_t>(wire::Record::Frame)) {
      if (!options_.materialize_roots)
        malformed("the stream holds execution state (frames): it is resumed by the program, not restored as data");
      read_frame();
      continue;
    }
    read_record(tag);
  }
}

void free_heap_blocks(BlockRegistry &registry) {
  std::vector<std::uintptr_t> heap;
  registry.for_each([&](const MemoryBlock &b) {
    if (b.origin == wire::Origin::Heap) heap.push_back(b.base);
  });
  for (std::uintptr_t p : heap) {
    registry.erase(p);
    std::free(reinterpret_cast<void *>(p));
  }
}

} // namespace snow::msr
