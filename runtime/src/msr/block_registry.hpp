// The memory-block registry (SNOW's MSRLT): every global, every registered
// stack variable and every heap block, with its element type.
//
// Programs call malloc and free tens of millions of times, so registration is
// one open-addressing insert keyed by the block's address (linear probing,
// backward-shift deletion: no tombstones, no allocation per block). Interior
// pointers need "which block contains this address", which only collection
// asks; the sorted index for it is built lazily, once per collection.
#pragma once

#include "type_table.hpp"
#include "stream_format.hpp"

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
  // Collection state: `logical_id` is valid while `epoch` equals the collector's.
  std::uint32_t epoch = 0;
  std::uint32_t logical_id = 0;
};

class BlockRegistry {
public:
  BlockRegistry();

  // Registers (or re-registers) the block at `block.base`.
  void insert(const MemoryBlock &block);
  // Removes the block at `base`; false if there was none.
  bool erase(std::uintptr_t base);
  // The block starting exactly at `address`, or null.
  MemoryBlock *find(std::uintptr_t address) {
    if (address == 0) return nullptr;
    for (std::size_t i = slot_of(address);; i = (i + 1) & mask_) {
      if (slots_[i].base == address) return &slots_[i];
      if (slots_[i].base == 0) return nullptr;
    }
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
    return static_cast<std::size_t>(((address >> 3) * 0x9E3779B97F4A7C15ull) >> shift_) & mask_;
  }
  void grow();
  void build_index();

  std::vector<MemoryBlock> slots_;
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
