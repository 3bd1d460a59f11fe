#!/usr/bin/env bash
# Builds and runs SnowMigrate's benchmarks and prints every figure as a ratio
# against a baseline measured in the same run, next to its goal
# (docs/performance.md records the results).
#
#   bench/run_benchmarks.sh [RESULTS_DIR] [-- EXTRA_SNOW_MSR_BENCH_ARGS...]
#
# RESULTS_DIR defaults to build/host/bench/results; it receives msr_bench.json
# (Google Benchmark), peak_rss.jsonl and ratios.md. SNOW_BUILD_DIR overrides
# the build tree (default build/host, configured with the host preset).
# Takes about three minutes of CPU (longer in wall time when the cores are shared).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${SNOW_BUILD_DIR:-$root/build/host}"
results="$build/bench/results"
if [[ $# -gt 0 && "$1" != "--" ]]; then
  results="$1"
  shift
fi
[[ "${1:-}" == "--" ]] && shift

if [[ ! -f "$build/CMakeCache.txt" ]]; then
  (cd "$root" && cmake --preset host)
fi
cmake --build "$build" -j2 --target snow-msr-bench snow-peak-rss
mkdir -p "$results"

echo "== snow-msr-bench (5 repetitions, randomly interleaved) ==" >&2
"$build/bench/snow-msr-bench" \
  --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true \
  --benchmark_enable_random_interleaving=true \
  --benchmark_format=json \
  "$@" >"$results/msr_bench.json"

echo "== snow-peak-rss (each mode 3 times) ==" >&2
stream="$(mktemp "${TMPDIR:-/tmp}/snow-peak-rss.XXXXXX")"
trap 'rm -f "$stream"' EXIT
: >"$results/peak_rss.jsonl"
for _ in 1 2 3; do
  for mode in baseline collect; do
    "$build/bench/snow-peak-rss" "$mode" >>"$results/peak_rss.jsonl"
  done
  "$build/bench/snow-peak-rss" collect-file "$stream" >>"$results/peak_rss.jsonl"
  "$build/bench/snow-peak-rss" restore "$stream" >>"$results/peak_rss.jsonl"
  "$build/bench/snow-peak-rss" restore-in-place "$stream" >>"$results/peak_rss.jsonl"
done

# Errors (a benchmark whose check failed) are reported by the second call.
python3 "$root/bench/ratios.py" --markdown "$results/msr_bench.json" "$results/peak_rss.jsonl" >"$results/ratios.md" || true
python3 "$root/bench/ratios.py" "$results/msr_bench.json" "$results/peak_rss.jsonl"
