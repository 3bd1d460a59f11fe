// Blocks allocated by allocation wrappers (`void *xmalloc(size_t)`), typed
// where the wrapper is called rather than where it calls malloc: inside the
// wrapper the precompiler writes snow_malloc_pending(), which allocates and
// remembers the block; at the call site, where the element type shows, it
// writes snow_adopt(xmalloc(n), type), which registers the block with that
// type. Nothing can run a poll-point in between (the precompiler refuses
// wrappers that can reach one), so one pending slot per process is enough.
// With headers on (headed_heap.hpp) the block is headed from the start, its
// table entry marked pending (not collected) until snow_adopt types it.
#include "process_state.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>

using snow::msr::process_state;

namespace {

struct PendingBlock {
  void *base = nullptr;
  std::size_t bytes = 0;
  std::uint8_t align_log2 = 0;
};
PendingBlock pending;

void *remember(void *p, std::size_t bytes, std::uint8_t align_log2) {
  if (p != nullptr) pending = {p, bytes, align_log2};
  return p;
}

[[gnu::noinline]] void *adopt_slow(void *block, std::size_t bytes, snow_type_id type, std::uint8_t align_log2) {
  process_state().registry.insert_heap(reinterpret_cast<std::uintptr_t>(block), bytes, type, align_log2);
  return block;
}

// snow_adopt of a block that is not the pending one: a wrapper that
// reallocates a typed block. The call site's view wins.
[[gnu::noinline]] void *retype(void *block, snow_type_id type) {
  if (snow::msr::BlockSlot *known = process_state().registry.find(reinterpret_cast<std::uintptr_t>(block)))
    if (known->origin == snow::msr::wire::Origin::Heap) known->type = type;
  return block;
}

// snow_malloc_pending without headers: out of line, so that the headed
// path keeps its registers.
[[gnu::noinline]] void *malloc_pending_plain(std::size_t bytes) {
  return remember(std::malloc(bytes ? bytes : 1), bytes, 0);
}

std::uint8_t log2_of(std::size_t alignment) {
  std::uint8_t l = 0;
  while ((std::size_t{1} << l) < alignment && l < 63) ++l;
  return l;
}

} // namespace

extern "C" {

void *snow_malloc_pending(size_t bytes) {
  if (snow::msr::ProcessState *state = snow::msr::created_process_state(); state && state->heap.enabled()) {
    if (void *p = state->slabs.allocate(bytes, SNOW_NO_TYPE, true)) return p;
    return snow::msr::allocate_headed(state->heap, bytes, SNOW_NO_TYPE, false, true);
  }
  return malloc_pending_plain(bytes);
}

void *snow_calloc_pending(size_t count, size_t size) {
  if (size != 0 && count > SIZE_MAX / size) {
    errno = ENOMEM;
    return nullptr;
  }
  if (snow::msr::ProcessState *state = snow::msr::created_process_state(); state && state->heap.enabled()) {
    if (void *p = state->slabs.allocate(count * size, SNOW_NO_TYPE, true)) return std::memset(p, 0, count * size);
    return snow::msr::allocate_headed(state->heap, count * size, SNOW_NO_TYPE, true, true);
  }
  return remember(std::calloc(count ? count : 1, size ? size : 1), count * size, 0);
}

void *snow_realloc_pending(void *block, size_t bytes) {
  // Growing a block that is already typed keeps its type: nothing to adopt.
  // A headed block keeps its type too, and stays pending if it was.
  if (block != nullptr) {
    snow::msr::ProcessState &state = process_state();
    if (state.slabs.contains(block)) return snow::msr::resize_slab_block(state.slabs, state.heap, block, bytes, 0, true);
    if (snow::msr::HeadedHeap::Entry *headed = state.heap.find(block)) {
      void *p = snow::msr::realloc_headed(*headed, bytes, headed->type);
      if (p != nullptr) state.heap.set_last_pending(*headed);  // for the caller's snow_adopt
      return p;
    }
    if (const snow::msr::BlockSlot *old = state.registry.find(reinterpret_cast<std::uintptr_t>(block)))
      return snow_realloc(block, bytes, old->type);
  }
  void *p = std::realloc(block, bytes ? bytes : 1);
  if (p == nullptr) return nullptr;
  if (block == pending.base) pending = {};
  return remember(p, bytes, 0);
}

void *snow_aligned_alloc_pending(size_t alignment, size_t bytes) {
  if (alignment < sizeof(void *)) alignment = sizeof(void *);
  void *p = nullptr;
  if (posix_memalign(&p, alignment, bytes ? bytes : 1) != 0) return nullptr;
  return remember(p, bytes, log2_of(alignment));
}

void *snow_adopt(void *block, snow_type_id type) {
  if (block == nullptr) return nullptr;
  // The slab block the wrapper allocated (or reallocated) last: its type is
  // the call site's. (Only that one, as for headed and plain blocks.)
  if (snow::msr::ProcessState *state = snow::msr::created_process_state();
      state && state->slabs.take_last_pending(block)) {
    snow::msr::adopt_slab_block(state->slabs, block, type);
    return block;
  }
  // The headed block the wrapper allocated (or reallocated) last: its type
  // is the call site's. (Like the plain pending slot, only the last one: a
  // headed block the wrapper returns otherwise keeps the type it has.)
  if (snow::msr::HeadedHeap *heap = snow::msr::headed_heap())
    if (snow::msr::HeadedHeap::Entry *headed = heap->take_last_pending(block)) {
      headed->type = type;
      headed->pending = false;
      return block;
    }
  if (block == pending.base) {
    // The allocator's own path (no key, no name): this runs once per
    // allocation through a wrapper, as snow_malloc does, and like it keeps
    // the registry's growth out of line. (Only `base` is cleared: every
    // reader of the pending block compares its base first.)
    pending.base = nullptr;
    if (snow::msr::ProcessState *state = snow::msr::created_process_state())
      if (state->registry.try_insert_heap(reinterpret_cast<std::uintptr_t>(block), pending.bytes, type,
                                          pending.align_log2))
        return block;
    return adopt_slow(block, pending.bytes, type, pending.align_log2);
  }
  return retype(block, type);
}

} // extern "C"
