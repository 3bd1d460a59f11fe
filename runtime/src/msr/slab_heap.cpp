#include "slab_heap.hpp"
#include "headed_heap.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/mman.h>

namespace snow::msr {

SlabHeap::~SlabHeap() {
  if (mapping_ != nullptr) munmap(mapping_, mapped_);
}

bool SlabHeap::enable() {
  if (begin_ != 0) return true;
  // Address space only: pages are committed when a slab first touches
  // them. The largest reservation granted wins (an RLIMIT_AS may refuse
  // the first sizes). Modest: qemu-user tracks every page of a guest's
  // mapping (64 GiB cost an s390x process 2 s at start, 4 GiB 0.12 s, 1 GiB
  // 0.03 s), and a 32-bit process keeps most of its address space for its
  // other allocations. Past the reservation, small blocks take the headed heap.
  constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;
  const std::uint64_t sizes[] = {1024 * kMiB, 256 * kMiB, 64 * kMiB, 16 * kMiB};
  for (const std::uint64_t size : sizes) {
    if (sizeof(void *) < 8 && size > 256 * kMiB) continue;
    const std::size_t length = static_cast<std::size_t>(size) + kSlabBytes;
    void *m = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) continue;
    mapping_ = m;
    mapped_ = length;
    begin_ = (reinterpret_cast<std::uintptr_t>(m) + kSlabBytes - 1) & ~(std::uintptr_t{kSlabBytes} - 1);
    reserved_ = static_cast<std::uintptr_t>(size);
    next_slab_ = begin_;
    return true;
  }
  return false;
}

void *SlabHeap::take_fresh(std::size_t c) {
  Slab *slab = newest_[c];
  if (slab == nullptr || slab->used == slab->slots) {
    if (next_slab_ - begin_ + kSlabBytes > reserved_) return nullptr;  // used up: the headed heap takes over
    slab = reinterpret_cast<Slab *>(next_slab_);
    const auto slot_bytes = static_cast<std::uint32_t>(c * kClassBytes);
    // Header, one description per slot, slots from a 16-byte boundary.
    std::uint32_t slots = static_cast<std::uint32_t>((kSlabBytes - sizeof(Slab) - kClassBytes) / (slot_bytes + 4));
    slab->size_class = static_cast<std::uint32_t>(c);
    slab->slot_bytes = slot_bytes;
    slab->slots = slots;
    slab->used = 0;
    slab->reciprocal = static_cast<std::uint32_t>(((std::uint64_t{1} << 32) + slot_bytes - 1) / slot_bytes);
    slab->first_slot =
        static_cast<std::uint32_t>((sizeof(Slab) + std::size_t{slots} * 4 + kClassBytes - 1) & ~(kClassBytes - 1));
    next_slab_ += kSlabBytes;
    newest_[c] = slab;
  }
  return slot(slab, slab->used++);
}

bool SlabHeap::describe_block(const void *p, std::size_t &bytes, TypeId &type, bool &pending) const {
  if (!contains(p) || !at_slot_start(p)) return false;
  const std::uint32_t d = *description(p);
  if (d == kFreeSlot) return false;
  bytes = d & 0x3ffu;
  type = d >> 10;
  pending = type == kPendingType;
  return true;
}

void not_a_block(const char *what, const void *block) {
  std::fprintf(stderr, "snow: %s(%p): not a live block of the program (freed twice, or not from malloc)\n", what,
               block);
  std::abort();
}

void *resize_slab_block(SlabHeap &slabs, HeadedHeap &heap, void *block, std::size_t bytes, TypeId type,
                        bool for_wrapper) {
  std::size_t old_bytes = 0;
  TypeId old_type = 0;
  bool was_pending = false;
  if (!slabs.describe_block(block, old_bytes, old_type, was_pending)) not_a_block("realloc", block);
  const TypeId new_type = for_wrapper ? old_type : type;
  const bool pending = for_wrapper && was_pending;
  if (bytes <= SlabHeap::kMaxBytes && SlabHeap::capacity(bytes) == SlabHeap::capacity(old_bytes)) {
    slabs.retype(block, bytes, pending ? SlabHeap::kPendingType : new_type);
    if (for_wrapper) slabs.set_last_pending(block);
    return block;
  }
  void *moved = slabs.allocate(bytes, new_type, pending);
  if (moved == nullptr) moved = allocate_headed(heap, bytes, pending ? SNOW_NO_TYPE : new_type, false, pending);
  if (moved == nullptr) return nullptr;
  std::memcpy(moved, block, old_bytes < bytes ? old_bytes : bytes);
  slabs.release(block);
  if (for_wrapper) {
    if (slabs.contains(moved)) slabs.set_last_pending(moved);
    else heap.set_last_pending(*heap.find(moved));
  }
  return moved;
}

void adopt_slab_block(SlabHeap &slabs, void *block, TypeId type) {
  std::size_t bytes = 0;
  TypeId old_type = 0;
  bool pending = false;
  if (!slabs.describe_block(block, bytes, old_type, pending)) not_a_block("snow_adopt", block);
  if (type > SlabHeap::kMaxType) {
    std::fprintf(stderr, "snow: type id %u is beyond what a slab block can record (%u)\n", static_cast<unsigned>(type),
                 static_cast<unsigned>(SlabHeap::kMaxType));
    std::abort();
  }
  slabs.retype(block, bytes, type);
}

} // namespace snow::msr
