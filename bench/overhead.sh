#!/usr/bin/env bash
# Execution overhead of migratability: each sample's migratable build (precompiled,
# poll-points armed, typed allocator) against the original program, built with the
# same compiler and flags, run alternately in the same script so that load on a
# shared machine hits both alike. Prints, per sample, the median wall time of each
# and the ratio migratable / original (goal: <= 1.02).
#
# usage: bench/overhead.sh [BUILD_DIR (default build/host)] [RUNS (default 7)]
set -euo pipefail
build=${1:-build/host}
runs=${2:-7}
samples="$build/samples"
[[ -x $samples/snow-migratable-linpack ]] || { echo "overhead.sh: build $build first (cmake --build $build)" >&2; exit 2; }

# name | arguments (each original runs for about a second or more)
workloads=(
  "linpack|1000 1"
  "bitonic|18 2"
  "graph|60000 8"
  "multifile|4000 300 dgrbmsa"
)

seconds() {  # seconds <program> <args…>: wall time of one run, output discarded
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

printf '%-10s %-22s %12s %12s %8s\n' sample arguments "original s" "migratable s" ratio
for w in "${workloads[@]}"; do
  name=${w%%|*} args=${w#*|}
  original="$samples/$name/snow-sample-$name" migratable="$samples/snow-migratable-$name"
  # shellcheck disable=SC2086
  "$original" $args >/dev/null  # warm the page cache
  : >"/tmp/overhead-$name-o" && : >"/tmp/overhead-$name-m"
  for ((i = 0; i < runs; i++)); do
    # shellcheck disable=SC2086
    seconds "$original" $args >>"/tmp/overhead-$name-o"
    # shellcheck disable=SC2086
    seconds "$migratable" $args >>"/tmp/overhead-$name-m"
  done
  o=$(median <"/tmp/overhead-$name-o") m=$(median <"/tmp/overhead-$name-m")
  printf '%-10s %-22s %12.3f %12.3f %8.3f\n' "$name" "$args" "$o" "$m" "$(echo "$m / $o" | bc -l)"
  rm -f "/tmp/overhead-$name-o" "/tmp/overhead-$name-m"
done
