// The typed allocator: the C library's allocator plus, in a precompiled
// program, a header with the block's index in the headed heap's table
// (headed_heap.hpp), or else one registry insert or erase per call. `free` of
// memory neither knows (for example a buffer that libc's getline or strdup
// allocated) goes straight to libc.
#include "process_state.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>

using snow::msr::MemoryBlock;
using snow::msr::headed_heap;
using snow::msr::process_state;

namespace {

using snow::msr::HeadedHeap;
using snow::msr::ProcessState;

// The slow path of registering a heap block (the registry grows, or is
// created): out of line, so that the allocator's common path stays free of
// calls other than libc's.
[[gnu::noinline]] void *register_heap_slow(void *p, std::size_t bytes, snow_type_id type, std::uint8_t align_log2) {
  process_state().registry.insert_heap(reinterpret_cast<std::uintptr_t>(p), bytes, type, align_log2);
  return p;
}

inline void *register_heap(void *p, std::size_t bytes, snow_type_id type, std::uint8_t align_log2) {
  if (p == nullptr) return nullptr;
  if (ProcessState *state = snow::msr::created_process_state())
    if (state->registry.try_insert_heap(reinterpret_cast<std::uintptr_t>(p), bytes, type, align_log2)) return p;
  return register_heap_slow(p, bytes, type, align_log2);
}

// snow_malloc without headers: out of line, so that the headed path keeps
// its registers.
[[gnu::noinline]] void *malloc_plain(std::size_t bytes, snow_type_id type) {
  return register_heap(std::malloc(bytes ? bytes : 1), bytes, type, 0);
}

[[gnu::noinline]] void erase_and_free(void *block) {
  process_state().registry.erase(reinterpret_cast<std::uintptr_t>(block));
  std::free(block);
}

std::uint8_t log2_of(std::size_t alignment) {
  std::uint8_t l = 0;
  while ((std::size_t{1} << l) < alignment && l < 63) ++l;
  return l;
}

} // namespace

extern "C" {

void *snow_malloc(size_t bytes, snow_type_id type) {
  if (ProcessState *state = snow::msr::created_process_state(); state && state->heap.enabled()) {
    if (void *p = state->slabs.allocate(bytes, type, false)) return p;
    return snow::msr::allocate_headed(state->heap, bytes, type, false, false);
  }
  return malloc_plain(bytes, type);
}

void *snow_calloc(size_t count, size_t size, snow_type_id type) {
  if (size != 0 && count > SIZE_MAX / size) {
    errno = ENOMEM;
    return nullptr;
  }
  if (ProcessState *state = snow::msr::created_process_state(); state && state->heap.enabled()) {
    if (void *p = state->slabs.allocate(count * size, type, false)) return std::memset(p, 0, count * size);
    return snow::msr::allocate_headed(state->heap, count * size, type, true, false);
  }
  return register_heap(std::calloc(count ? count : 1, size ? size : 1), count * size, type, 0);
}

void *snow_realloc(void *block, size_t bytes, snow_type_id type) {
  if (block == nullptr) return snow_malloc(bytes, type);
  ProcessState &state = process_state();
  if (state.slabs.contains(block)) return snow::msr::resize_slab_block(state.slabs, state.heap, block, bytes, type, false);
  if (HeadedHeap::Entry *headed = state.heap.find(block)) {
    // Typed here, so no longer pending if a wrapper allocated it.
    void *p = snow::msr::realloc_headed(*headed, bytes, type);
    if (p != nullptr) headed->pending = false;
    return p;
  }
  std::uint8_t align = 0;
  if (const snow::msr::BlockSlot *old = state.registry.find(reinterpret_cast<std::uintptr_t>(block))) align = old->align_log2;
  void *p = std::realloc(block, bytes ? bytes : 1);
  if (p == nullptr) return nullptr;  // the old block is untouched and stays registered
  state.registry.erase(reinterpret_cast<std::uintptr_t>(block));
  return register_heap(p, bytes, type, align);
}

void snow_free(void *block) {
  if (block == nullptr) return;
  // The C library's header just below the block (and ours, when it has one)
  // is a cache miss in a large heap, and so is the block's registry slot:
  // start the header's, then look. The common cases are inline and
  // tail-call free; shifting a probe run back or dropping a label is out of
  // line.
  __builtin_prefetch(static_cast<const char *>(block) - 2 * sizeof(std::size_t), 1);
  ProcessState *state = snow::msr::created_process_state();
  if (state == nullptr) return std::free(block);
  if (state->slabs.contains(block)) {
    if (!state->slabs.release(block)) snow::msr::not_a_block("free", block);
    return;
  }
  if (const std::uint32_t headed = state->heap.index_of(block); headed != HeadedHeap::kNone) {
    if (state->heap.recycle(headed)) return;
    state->heap.remove(headed);
    return std::free(HeadedHeap::header_of(block));
  }
  if (state->registry.try_erase(reinterpret_cast<std::uintptr_t>(block))) return std::free(block);
  erase_and_free(block);
}

int snow_posix_memalign(void **out, size_t alignment, size_t bytes, snow_type_id type) {
  void *p = nullptr;
  const int rc = posix_memalign(&p, alignment, bytes ? bytes : 1);
  if (rc != 0) return rc;
  *out = register_heap(p, bytes, type, log2_of(alignment));
  return 0;
}

void *snow_aligned_alloc(size_t alignment, size_t bytes, snow_type_id type) {
  void *p = nullptr;
  if (snow_posix_memalign(&p, alignment < sizeof(void *) ? sizeof(void *) : alignment, bytes, type) != 0) return nullptr;
  return p;
}

char *snow_strdup(const char *text, snow_type_id char_type) {
  const std::size_t n = std::strlen(text) + 1;
  auto *p = static_cast<char *>(snow_malloc(n, char_type));
  if (p) std::memcpy(p, text, n);
  return p;
}

void snow_register_stack_block(void *address, size_t count, snow_type_id type, uint64_t key, const char *name) {
  MemoryBlock b;
  b.base = reinterpret_cast<std::uintptr_t>(address);
  std::size_t elem = 0;
  if (auto &prog = process_state().program; prog && prog->types().contains(type)) elem = prog->types().at(type).size;
  b.bytes = count * elem;
  b.type = type;
  b.origin = snow::msr::wire::Origin::Stack;
  b.key = key;
  b.name = name;
  process_state().registry.insert(b);
}

void snow_unregister_stack_block(void *address) {
  process_state().registry.erase(reinterpret_cast<std::uintptr_t>(address));
}

} // extern "C"
