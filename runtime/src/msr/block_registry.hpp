// The memory-block registry (SNOW's MSRLT): every global, every registered
// stack variable and every heap block, with its element type.
//
// Programs call malloc and free tens of millions of times, so registration is
// one open-addressing insert keyed by the block's address (linear probing,
// backward-shift deletion: no tombstones, no allocation per block). Interior
// pointers need "which block contains this address", which only collection
// asks; the sorted index for it is built lazily, once per collection.
//
// A registry of a million blocks is tens of MiB of slots, and every lookup in
// it is a cache miss. So a slot holds only what lookups need (BlockSlot, 32
// bytes: two per cache line, never straddling one); the key and name that
// only globals and stack variables have live in a side table. The slot array
// is on huge pages (zeroed_memory.hpp), the hot paths (insert, erase, find)
// are inline, and bulk users prefetch slots ahead (prefetch(), reserve()).
#pragma once

#include "stream_format.hpp"
#include "type_table.hpp"
#include "zeroed_memory.hpp"

#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

namespace snow::msr {

// One registry slot: a block as lookups and collection see it.
struct BlockSlot {
  std::uintptr_t base = 0;     // 0: empty slot
  std::uint64_t bytes = 0;
  TypeId type = SNOW_NO_TYPE;
  // Collection state, valid while `epoch` equals the collector's: the block's
  // logical id, and whether its contents have been written.
  std::uint32_t epoch = 0;
  std::uint32_t logical_id = 0;
  wire::Origin origin = wire::Origin::Heap;
  std::uint8_t align_log2 = 0; // heap blocks from aligned allocators
  bool sent = false;
  bool labelled = false;       // has a key or name (BlockRegistry::key_of, name_of)
};

// A block as it is registered and reported: its slot, plus the key and name
// of a global or stack variable.
struct MemoryBlock : BlockSlot {
  std::uint64_t key = 0;       // global index or stack key
  const char *name = nullptr;  // globals and stack variables
};

class BlockRegistry {
public:
  BlockRegistry();

  // Registers (or re-registers) the block at `block.base`.
  void insert(const MemoryBlock &block) {
    if (!fits(count_ + 1)) grow();
    const bool labelled = block.origin != wire::Origin::Heap || block.key != 0 || block.name != nullptr;
    if (labelled) set_label(block);  // first: it allocates, and may throw
    place(block.base, block.bytes, block.type, block.origin, block.align_log2, labelled);
  }
  // The same for a heap block, which has no key or name: the allocator's
  // path, called for every malloc of a migratable program.
  void insert_heap(std::uintptr_t base, std::uint64_t bytes, TypeId type, std::uint8_t align_log2 = 0) {
    if (!try_insert_heap(base, bytes, type, align_log2)) insert_heap_slow(base, bytes, type, align_log2);
  }
  // insert_heap's common case, for the allocator to inline: false, with
  // nothing changed, when the table must grow first or `base` is still
  // registered with a key or name; insert_heap then does the rest. Nothing
  // here calls a function, so an allocator that has its slow path in a
  // tail call needs no stack frame and saves no registers.
  bool try_insert_heap(std::uintptr_t base, std::uint64_t bytes, TypeId type, std::uint8_t align_log2 = 0) {
    if (!fits(count_ + 1)) return false;
    BlockSlot *slot;
    for (std::size_t i = slot_of(base);; i = next(i)) {
      slot = &slots_[i];
      if (slot->base == 0) {
        ++count_;
        break;
      }
      if (slot->base == base) {
        if (slot->labelled) return false;
        break;
      }
    }
    ++generation_;
    fill(*slot, base, bytes, type, wire::Origin::Heap, align_log2, false);
    return true;
  }
  // Room for `blocks` blocks in all: until then insert() neither grows the
  // table nor fails (a labelled block's side entry aside).
  void reserve(std::size_t blocks);
  // Removes the block at `base`; false if there was none.
  bool erase(std::uintptr_t base) {
    if (base == 0) return false;
    for (std::size_t i = slot_of(base);; i = next(i)) {
      BlockSlot &slot = slots_[i];
      if (slot.base == base) {
        if (slots_[next(i)].base == 0 && !slot.labelled) clear_slot(slot);
        else remove_slot(i);
        return true;
      }
      if (slot.base == 0) return false;
    }
  }
  // erase()'s common case, for the allocator to inline: true when done (the
  // block erased, or there was none at `base`), false, with nothing changed,
  // when erasing has to shift later blocks back or drop a key and name —
  // erase() then does it. Like try_insert_heap, it calls nothing.
  bool try_erase(std::uintptr_t base) {
    for (std::size_t i = slot_of(base);; i = next(i)) {
      BlockSlot &slot = slots_[i];
      if (slot.base == 0) return true;
      if (slot.base == base) {
        if (slots_[next(i)].base != 0 || slot.labelled) return false;
        clear_slot(slot);
        return true;
      }
    }
  }
  // The block starting exactly at `address`, or null. The slot stays valid
  // until the registry changes.
  BlockSlot *find(std::uintptr_t address) { return const_cast<BlockSlot *>(std::as_const(*this).find(address)); }
  const BlockSlot *find(std::uintptr_t address) const {
    if (address == 0) return nullptr;
    for (std::size_t i = slot_of(address);; i = next(i)) {
      if (slots_[i].base == address) return &slots_[i];
      if (slots_[i].base == 0) return nullptr;
    }
  }
  // Starts loading the slot where find(address) or insert looks first: in a
  // large registry each is a cache miss, and bulk users overlap them.
  // (Two functions, not one with a flag: GCC 12 silently drops a
  // __builtin_prefetch whose read/write argument comes out of an if/else.)
  void prefetch(std::uintptr_t address) const { __builtin_prefetch(&slots_[slot_of(address)], 0); }
  void prefetch_for_write(std::uintptr_t address) const { __builtin_prefetch(&slots_[slot_of(address)], 1); }
  // The block containing `address` (its one-past-the-end address included),
  // preferring a block that starts there. Null if none.
  BlockSlot *find_containing(std::uintptr_t address);
  // The block ending exactly at `address` (one past its last byte), or null.
  BlockSlot *find_ending_at(std::uintptr_t address);

  // A registered block's key and name (0 and null unless it has them).
  std::uint64_t key_of(const BlockSlot &slot) const { return slot.labelled ? label_of(slot).key : 0; }
  const char *name_of(const BlockSlot &slot) const { return slot.labelled ? label_of(slot).name : nullptr; }
  // The whole description of a registered block.
  MemoryBlock block(const BlockSlot &slot) const;

  std::size_t size() const { return count_; }
  // A fresh collection epoch: all blocks count as unvisited.
  std::uint32_t next_epoch();

  // Calls fn(MemoryBlock &) for every block (a description: changing it
  // changes nothing). Must not change the registry.
  template <typename Fn> void for_each(Fn &&fn) const {
    for (const BlockSlot &s : slots_) {
      if (s.base == 0) continue;
      MemoryBlock b = block(s);
      fn(b);
    }
  }
  // The same for the globals and stack variables (and any other block
  // registered with a key or name) only: they are few, the heap is not.
  template <typename Fn> void for_each_labelled(Fn &&fn) const {
    for (const auto &entry : labels_) {
      MemoryBlock b = block(*find(entry.first));
      fn(b);
    }
  }

private:
  struct Label {
    std::uint64_t key;
    const char *name;
  };

  // At most two thirds full: a third less memory than the usual half, and
  // with two slots to a cache line a probe rarely leaves the first line.
  // (The limit is kept, not computed: a division by 3 on every insert.)
  bool fits(std::size_t blocks) const { return blocks <= max_blocks_; }
  static std::size_t max_blocks_for(std::size_t slot_count) { return slot_count / 3 * 2; }
  std::size_t slot_of(std::uintptr_t address) const {
    // Fibonacci hashing of the address without its always-zero low bits,
    // scaled to the table (any size, not only powers of two).
    const std::uint64_t h = static_cast<std::uint64_t>(address >> 3) * 0x9E3779B97F4A7C15ull;
    return static_cast<std::size_t>(((h >> 32) * slot_count_) >> 32);
  }
  std::size_t next(std::size_t i) const { return i + 1 == slots_.size() ? 0 : i + 1; }
  // Fills the block's slot in a table known to have room. Field by field,
  // not by copying a BlockSlot built by the caller: a 16-byte load of
  // fields just stored one by one cannot be forwarded from the store buffer
  // and stalled every snow_malloc.
  void place(std::uintptr_t base, std::uint64_t bytes, TypeId type, wire::Origin origin, std::uint8_t align_log2,
             bool labelled) {
    ++generation_;
    for (std::size_t i = slot_of(base);; i = next(i)) {
      BlockSlot &slot = slots_[i];
      if (slot.base == 0) ++count_;
      else if (slot.base != base) continue;
      else if (slot.labelled && !labelled) labels_.erase(base);
      fill(slot, base, bytes, type, origin, align_log2, labelled);
      return;
    }
  }
  static void fill(BlockSlot &slot, std::uintptr_t base, std::uint64_t bytes, TypeId type, wire::Origin origin,
                   std::uint8_t align_log2, bool labelled) {
    slot.base = base;
    slot.bytes = bytes;
    slot.type = type;
    slot.epoch = 0;
    slot.logical_id = 0;
    slot.origin = origin;
    slot.align_log2 = align_log2;
    slot.sent = false;
    slot.labelled = labelled;
  }
  void clear_slot(BlockSlot &slot) {
    slot = BlockSlot{};
    ++generation_;
    --count_;
  }
  void insert_heap_slow(std::uintptr_t base, std::uint64_t bytes, TypeId type, std::uint8_t align_log2);
  void set_label(const MemoryBlock &block);
  const Label &label_of(const BlockSlot &slot) const { return labels_.find(slot.base)->second; }
  void remove_slot(std::size_t i);
  // Every growth re-inserts every block, and in a program that allocates
  // tens of thousands of blocks the early doublings were most of the
  // registry's cost after insert and erase (bitonic: 0.8 M instructions,
  // graph: 1.6 M). So a table that stays under 2 MiB quadruples (half the
  // re-inserts of doubling; at most 1.5 MiB of slots unused, and calloc's
  // large blocks are pages the kernel maps on first touch). From 2 MiB on,
  // where the array is faulted in whole (zeroed_memory.hpp), it doubles.
  void grow() {
    const std::size_t quadrupled = slots_.size() * 4;
    rehash(quadrupled * sizeof(BlockSlot) < kHugePageBytes ? quadrupled : slots_.size() * 2);
  }
  void rehash(std::size_t slot_count);
  void build_index();

  // All-zero bytes are an empty slot, so fresh (kernel-zeroed) memory needs
  // no initialisation pass.
  ZeroedArray<BlockSlot> slots_;
  std::uint64_t slot_count_ = 0;  // slots_.size(), at most 2^32
  std::size_t max_blocks_ = 0;    // max_blocks_for(slots_.size())
  std::size_t count_ = 0;
  std::uint32_t epoch_ = 0;
  std::uint64_t generation_ = 0;        // bumped by every change
  std::uint64_t index_generation_ = ~0ull;
  std::vector<const BlockSlot *> index_;  // sorted by base, for interior pointers
  std::unordered_map<std::uintptr_t, Label> labels_;  // base → key and name, for labelled slots
};

class Program;
// Registers every global of `program` (origin Global, key = its index).
void register_program_globals(BlockRegistry &registry, const Program &program);

} // namespace snow::msr
