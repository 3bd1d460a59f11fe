#include "headed_heap.hpp"
#include "slab_heap.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace snow::msr {

HeadedHeap::~HeadedHeap() {
  // Recycled blocks are the heap's own; live ones are the program's.
  for (std::uint32_t i = 0; i < used_; ++i)
    if (entries_[i].base & 1) std::free(header_of(reinterpret_cast<void *>(entries_[i].base & ~std::uintptr_t{1})));
  std::free(entries_);
}

bool HeadedHeap::add(void *block, std::uint64_t bytes, TypeId type, bool pending) {
  if (try_add(block, bytes, type, pending)) return true;
  // Full: double (the entries are plain data, so realloc moves them). The
  // last index is kNone, the end of the free list. The first table is
  // already past glibc's mmap threshold (128 KiB): an mmapped chunk grows by
  // mremap, without copying the entries (copying them cost bitonic and graph
  // 0.3 % of their instructions), and its pages are touched only as entries
  // are used.
  if (capacity_ >= kNone - 1) return false;
  constexpr std::uint64_t kFirstCapacity = (std::uint64_t{160} << 10) / sizeof(Entry) + 1;
  const std::uint64_t wanted = capacity_ == 0 ? kFirstCapacity : std::uint64_t{capacity_} * 2;
  const auto capacity = static_cast<std::uint32_t>(wanted < kNone - 1 ? wanted : kNone - 1);
  if (std::uint64_t{capacity} > std::uint64_t{SIZE_MAX} / sizeof(Entry)) return false;
  void *grown = std::realloc(entries_, std::size_t{capacity} * sizeof(Entry));
  if (grown == nullptr) return false;
  entries_ = static_cast<Entry *>(grown);
  capacity_ = capacity;
  return try_add(block, bytes, type, pending);
}

void *add_headed_slow(HeadedHeap &heap, void *raw, std::uint64_t bytes, TypeId type, bool pending) {
  void *block = HeadedHeap::block_at(raw);
  if (heap.add(block, bytes, type, pending)) return block;
  std::free(raw);
  errno = ENOMEM;
  return nullptr;
}

void *realloc_headed(HeadedHeap::Entry &entry, std::size_t bytes, TypeId type) {
  if (bytes > SIZE_MAX - HeadedHeap::kHeaderBytes) {
    errno = ENOMEM;
    return nullptr;
  }
  // A small block keeps its class's full size, so that it can be recycled.
  void *raw = std::realloc(HeadedHeap::header_of(reinterpret_cast<void *>(entry.base)),
                           HeadedHeap::capacity_for(bytes) + HeadedHeap::kHeaderBytes);
  if (raw == nullptr) return nullptr;
  // The header, and the index in it, moved with the block.
  entry.base = reinterpret_cast<std::uintptr_t>(HeadedHeap::block_at(raw));
  entry.bytes = bytes;
  entry.type = type;
  return HeadedHeap::block_at(raw);
}

HeadedBlocksInRegistry::HeadedBlocksInRegistry(const HeadedHeap &heap, const SlabHeap &slabs, BlockRegistry &registry)
    : heap_(heap), slabs_(slabs), registry_(registry) {
  if (heap.size() == 0 && slabs.size() == 0) return;
  // Room first: after reserve() a heap block's insert cannot fail, so either
  // every block is in or (bad_alloc from reserve) none is.
  registry.reserve(registry.size() + heap.size() + slabs.size());
  heap.for_each([&](const HeadedHeap::Entry &e) {
    if (!e.pending) registry.insert_heap(e.base, e.bytes, e.type);
  });
  slabs.for_each([&](std::uintptr_t base, std::size_t bytes, TypeId type) { registry.insert_heap(base, bytes, type); });
  inserted_ = true;
}

HeadedBlocksInRegistry::~HeadedBlocksInRegistry() {
  if (!inserted_) return;
  heap_.for_each([&](const HeadedHeap::Entry &e) {
    if (!e.pending) registry_.erase(e.base);
  });
  slabs_.for_each([&](std::uintptr_t base, std::size_t, TypeId) { registry_.erase(base); });
}

} // namespace snow::msr
