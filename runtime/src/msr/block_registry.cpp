#include "block_registry.hpp"

#include "program.hpp"

#include <algorithm>
#include <new>
#include <utility>

namespace snow::msr {

namespace {
constexpr std::size_t kInitialSlots = 1536;  // room for 1024 blocks
static_assert(sizeof(void *) != 8 || sizeof(BlockSlot) == 32, "two slots per cache line");
}

BlockRegistry::BlockRegistry()
    : slots_(kInitialSlots), slot_count_(kInitialSlots), max_blocks_(max_blocks_for(kInitialSlots)) {}

void BlockRegistry::insert_heap_slow(std::uintptr_t base, std::uint64_t bytes, TypeId type, std::uint8_t align_log2) {
  if (!fits(count_ + 1)) grow();
  place(base, bytes, type, wire::Origin::Heap, align_log2, false);
}

void BlockRegistry::set_label(const MemoryBlock &block) { labels_[block.base] = Label{block.key, block.name}; }

MemoryBlock BlockRegistry::block(const BlockSlot &slot) const {
  MemoryBlock b;
  static_cast<BlockSlot &>(b) = slot;
  if (slot.labelled) {
    const Label &l = label_of(slot);
    b.key = l.key;
    b.name = l.name;
  }
  return b;
}

void BlockRegistry::remove_slot(std::size_t i) {
  if (slots_[i].labelled) labels_.erase(slots_[i].base);
  ++generation_;
  --count_;
  // Backward-shift deletion: pull later members of the probe run into the hole.
  std::size_t hole = i;
  for (std::size_t j = next(i); slots_[j].base != 0; j = next(j)) {
    const std::size_t home = slot_of(slots_[j].base);
    // Movable if its home is not in (hole, j] cyclically.
    const bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
    if (!stays) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole] = BlockSlot{};
}

void BlockRegistry::reserve(std::size_t blocks) {
  if (fits(blocks)) return;
  // Exactly enough (a bulk insert knows how many): growing by doubling
  // would leave up to half of a large table unused, and on first touch
  // every page of it costs a fault.
  if (blocks > std::size_t{0xffffffff} / 3) throw std::bad_alloc();
  rehash((blocks + 1) / 2 * 3 + 3);
}

void BlockRegistry::rehash(std::size_t slot_count) {
  // slot_of() scales a 32-bit hash: at most 2^32 - 1 slots. (Halved so that
  // 32-bit compilers do not warn that the comparison is always false there.)
  if (slot_count / 2 > std::size_t{0x7fffffff}) throw std::bad_alloc();
  ZeroedArray<BlockSlot> old(slot_count);  // the new array, swapped in below
  std::swap(old, slots_);
  slot_count_ = slot_count;
  max_blocks_ = max_blocks_for(slot_count);
  for (const BlockSlot &b : old) {
    if (b.base == 0) continue;
    for (std::size_t i = slot_of(b.base);; i = next(i)) {
      if (slots_[i].base == 0) {
        slots_[i] = b;
        break;
      }
    }
  }
  ++generation_;
}

std::uint32_t BlockRegistry::next_epoch() {
  if (++epoch_ == 0) {  // wrapped: clear stale marks so no block looks visited
    for (BlockSlot &b : slots_) b.epoch = 0;
    epoch_ = 1;
  }
  return epoch_;
}

void BlockRegistry::build_index() {
  index_.clear();
  index_.reserve(count_);
  for (const BlockSlot &b : slots_)
    if (b.base != 0) index_.push_back(&b);
  std::sort(index_.begin(), index_.end(),
            [](const BlockSlot *x, const BlockSlot *y) { return x->base < y->base; });
  index_generation_ = generation_;
}

BlockSlot *BlockRegistry::find_containing(std::uintptr_t address) {
  if (BlockSlot *exact = find(address)) return exact;
  if (index_generation_ != generation_) build_index();
  auto it = std::upper_bound(index_.begin(), index_.end(), address,
                             [](std::uintptr_t a, const BlockSlot *b) { return a < b->base; });
  if (it == index_.begin()) return nullptr;
  const BlockSlot *b = *std::prev(it);
  if (address - b->base <= b->bytes) return const_cast<BlockSlot *>(b);
  return nullptr;
}

BlockSlot *BlockRegistry::find_ending_at(std::uintptr_t address) {
  if (index_generation_ != generation_) build_index();
  auto it = std::lower_bound(index_.begin(), index_.end(), address,
                             [](const BlockSlot *b, std::uintptr_t a) { return b->base < a; });
  if (it == index_.begin()) return nullptr;
  const BlockSlot *b = *std::prev(it);
  if (b->bytes > 0 && b->base + b->bytes == address) return const_cast<BlockSlot *>(b);
  return nullptr;
}

void register_program_globals(BlockRegistry &registry, const Program &program) {
  for (std::size_t i = 0; i < program.globals().size(); ++i) {
    const GlobalInfo &g = program.globals()[i];
    MemoryBlock b;
    b.base = reinterpret_cast<std::uintptr_t>(g.address);
    b.bytes = g.count * program.types().at(g.type).size;
    b.type = g.type;
    b.origin = wire::Origin::Global;
    b.key = i;
    b.name = g.name.c_str();
    registry.insert(b);
  }
}

} // namespace snow::msr
