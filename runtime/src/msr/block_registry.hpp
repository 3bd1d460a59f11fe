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
// it is a cache miss: the slot array lives on huge pages (zeroed_memory.hpp),
// the hot paths (insert, erase, find) are inline, and bulk users prefetch
// slots ahead (prefetch(), reserve()).
#pragma once

#include "stream_format.hpp"
#include "type_table.hpp"
#include "zeroed_memory.hpp"

#include <cstdint>
#include <vector>

namespace snow::msr {

struct MemoryBlock {
  std::uintptr_t base = 0;     // 0: empty slot
  std::uint64_t bytes = 0;
  std::uint64_t key = 0;       // global index or stack key
  const char *name = nullptr;  // globals and stack variables
  TypeId type = SNOW_NO_TYPE;
  wire::Origin origin = wire::Origin::Heap;
  std::uint8_t align_log2 = 0; // heap blocks from aligned allocators
  // Collection state, valid while `epoch` equals the collector's: the block's
  // logical id, and whether its contents have been written.
  bool sent = false;
  std::uint32_t epoch = 0;
  std::uint32_t logical_id = 0;
};

class BlockRegistry {
public:
  BlockRegistry();

  // Registers (or re-registers) the block at `block.base`.
  void insert(const MemoryBlock &block) {
    if ((count_ + 1) * 2 > slots_.size()) grow();
    place(block);
  }
  // Room for `blocks` blocks in all: until then insert() neither grows the
  // table nor fails.
  void reserve(std::size_t blocks);
  // Removes the block at `base`; false if there was none.
  bool erase(std::uintptr_t base) {
    if (base == 0) return false;
    for (std::size_t i = slot_of(base);; i = (i + 1) & mask_) {
      if (slots_[i].base == base) {
        remove_slot(i);
        return true;
      }
      if (slots_[i].base == 0) return false;
    }
  }
  // The block starting exactly at `address`, or null.
  MemoryBlock *find(std::uintptr_t address) {
    if (address == 0) return nullptr;
    for (std::size_t i = slot_of(address);; i = (i + 1) & mask_) {
      if (slots_[i].base == address) return &slots_[i];
      if (slots_[i].base == 0) return nullptr;
    }
  }
  // Starts loading the slot where find(address) or insert looks first: in a
  // large registry each is a cache miss, and bulk users overlap them.
  void prefetch(std::uintptr_t address, bool for_write = false) const {
    if (for_write)
      __builtin_prefetch(&slots_[slot_of(address)], 1);
    else
      __builtin_prefetch(&slots_[slot_of(address)], 0);
  }
  // The block containing `address` (its one-past-the-end address included),
  // preferring a block that starts there. Null if none.
  MemoryBlock *find_containing(std::uintptr_t address);
  // The block ending exactly at `address` (one past its last byte), or null.
  MemoryBlock *find_ending_at(std::uintptr_t address);

  std::size_t size() const { return count_; }
  // A fresh collection epoch: all blocks count as unvisited.
  std::uint32_t next_epoch();

  template <typename Fn> void for_each(Fn &&fn) {
    for (MemoryBlock &b : slots_)
      if (b.base != 0) fn(b);
  }

private:
  std::size_t slot_of(std::uintptr_t address) const {
    // Fibonacci hashing of the address without its always-zero low bits.
    return static_cast<std::size_t>((static_cast<std::uint64_t>(address >> 3) * 0x9E3779B97F4A7C15ull) >> shift_) &
           mask_;
  }
  // Inserts into a table known to have room.
  void place(const MemoryBlock &block) {
    ++generation_;
    for (std::size_t i = slot_of(block.base);; i = (i + 1) & mask_) {
      MemoryBlock &slot = slots_[i];
      if (slot.base == 0) ++count_;
      else if (slot.base != block.base) continue;
      slot = block;
      slot.epoch = 0;
      return;
    }
  }
  void remove_slot(std::size_t i);
  void grow() { rehash(slots_.size() * 2); }
  void rehash(std::size_t slot_count);
  void build_index();

  // All-zero bytes are an empty slot, so fresh (kernel-zeroed) memory needs
  // no initialisation pass.
  ZeroedArray<MemoryBlock> slots_;
  std::size_t mask_ = 0;
  unsigned shift_ = 0;
  std::size_t count_ = 0;
  std::uint32_t epoch_ = 0;
  std::uint64_t generation_ = 0;        // bumped by every change
  std::uint64_t index_generation_ = ~0ull;
  std::vector<const MemoryBlock *> index_;  // sorted by base, for interior pointers
};

class Program;
// Registers every global of `program` (origin Global, key = its index).
void register_program_globals(BlockRegistry &registry, const Program &program);

} // namespace snow::msr
