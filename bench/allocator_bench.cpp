// The typed allocator against the C library's: snow_malloc and snow_free are
// malloc and free plus one registry insert or erase, and migratable programs
// call them tens of millions of times.
//
//  pairs       allocate and free at once: the registry stays nearly empty,
//              so this is the fixed cost per call.
//  churn       1,000,000 live blocks of 16–64 bytes; each step frees a random
//              one and allocates a replacement: the registry is large and
//              every insert and erase lands on a cold cache line.
//  fill-drain  allocate 1,000,000 blocks, then free them all in order.
#include "bench_programs.hpp"
#include "bench_suites.hpp"

#include "snow/msr.h"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <vector>

namespace snow::bench {

namespace {

constexpr std::size_t kLiveBlocks = 1'000'000;
constexpr std::size_t kStepsPerIteration = 1'000'000;

struct PlainAllocator {
  static void *allocate(std::size_t bytes) { return std::malloc(bytes); }
  static void release(void *p) { std::free(p); }
};

struct SnowAllocator {
  static void *allocate(std::size_t bytes) { return snow_malloc(bytes, kDouble); }
  static void release(void *p) { snow_free(p); }
};

// xorshift64: cheap, and the same sequence for both allocators.
struct Random {
  std::uint64_t state = 0x9E3779B97F4A7C15ull;
  std::uint64_t next() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  }
};

std::size_t block_size(std::uint64_t r) { return 16 + 8 * (r % 7); } // 16..64 bytes

template <class Allocator> void pairs(benchmark::State &state) {
  for (auto _ : state) {
    for (std::size_t i = 0; i < kStepsPerIteration; ++i) {
      void *p = Allocator::allocate(32);
      benchmark::DoNotOptimize(p);
      Allocator::release(p);
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kStepsPerIteration));
}

template <class Allocator> void churn(benchmark::State &state) {
  Random random;
  std::vector<void *> live(kLiveBlocks);
  for (void *&p : live)
    p = Allocator::allocate(block_size(random.next()));
  for (auto _ : state) {
    for (std::size_t i = 0; i < kStepsPerIteration; ++i) {
      const std::uint64_t r = random.next();
      void *&slot = live[r % kLiveBlocks];
      Allocator::release(slot);
      slot = Allocator::allocate(block_size(r >> 32));
      benchmark::DoNotOptimize(slot);
    }
  }
  for (void *p : live)
    Allocator::release(p);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kStepsPerIteration));
}

template <class Allocator> void fill_drain(benchmark::State &state) {
  Random random;
  std::vector<void *> live(kLiveBlocks);
  for (auto _ : state) {
    for (void *&p : live)
      p = Allocator::allocate(block_size(random.next()));
    benchmark::DoNotOptimize(live.data());
    for (void *p : live)
      Allocator::release(p);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kLiveBlocks));
}

} // namespace

void register_allocator_benchmarks() {
  benchmark::RegisterBenchmark("alloc/pairs/malloc", pairs<PlainAllocator>);
  benchmark::RegisterBenchmark("alloc/pairs/snow_malloc", pairs<SnowAllocator>);
  benchmark::RegisterBenchmark("alloc/churn/malloc", churn<PlainAllocator>);
  benchmark::RegisterBenchmark("alloc/churn/snow_malloc", churn<SnowAllocator>);
  benchmark::RegisterBenchmark("alloc/fill-drain/malloc", fill_drain<PlainAllocator>);
  benchmark::RegisterBenchmark("alloc/fill-drain/snow_malloc", fill_drain<SnowAllocator>);
}

} // namespace snow::bench
