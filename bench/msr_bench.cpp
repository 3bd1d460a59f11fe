// snow-msr-bench: the memory-state engine's performance, as ratios against
// baselines measured in the same run. bench/run_benchmarks.sh runs it and
// prints the ratios; docs/performance.md records them.
#include "bench_suites.hpp"

#include <benchmark/benchmark.h>

int main(int argc, char **argv) {
  snow::bench::register_array_benchmarks();
  snow::bench::register_tree_benchmarks();
  snow::bench::register_allocator_benchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
