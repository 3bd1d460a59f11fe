// The benchmark suites of snow-msr-bench. Every suite registers its baseline
// next to the engine's runs, so that ratios come from one process, one
// machine and one moment (bench/ratios.py computes them).
#pragma once

namespace snow::bench {

// Collect+encode and decode+restore of one double array (8 MiB, 256 MiB),
// same byte order and swapped, against memcpy of the same bytes.
void register_array_benchmarks();

// A binary tree of 1,000,000 nodes: the engine against Boost.Serialization
// and cereal's portable binary archive on the same graph.
void register_tree_benchmarks();

// snow_malloc/snow_free (an allocation plus a registry insert or erase)
// against plain malloc/free.
void register_allocator_benchmarks();

} // namespace snow::bench
