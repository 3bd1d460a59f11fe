#!/usr/bin/env bash
# Execution overhead of migratability: each sample's migratable build (precompiled,
# poll-points armed, typed allocator, frames) against the original program built
# with the same compiler and flags (-O2). Goal: migratable / original <= 1.02.
#
# Two measures, both ratios taken in the same script:
#  - instructions executed (valgrind --tool=callgrind), exact and independent of
#    machine load: the figure to compare across runs and machines;
#  - CPU time (user + system), median of RUNS interleaved runs of each, at a
#    size where the original runs about a second: what a user would see.
#
# usage: bench/overhead.sh [BUILD_DIR (default build/host)] [RUNS (default 5)]
set -euo pipefail
build=${1:-build/host}
runs=${2:-5}
samples="$build/samples"
[[ -x $samples/snow-migratable-linpack ]] || { echo "overhead.sh: build $build first (cmake --build $build)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "overhead.sh: valgrind is needed (scripts/setup.sh installs it)" >&2; exit 2; }

# name | arguments for the instruction count | arguments for the timed runs
workloads=(
  "linpack|600 1|1800 1"
  "bitonic|14 2|19 2"
  "graph|8000 8|120000 8"
  "multifile|1000 60 dgrbmsa|4000 800 dgrbmsa"
  "wordstats|/dev/null 20000 2|/dev/null 1000000 4"
)

instructions() {  # instructions <program> <args…>
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | sed -n 's/.*Collected : //p'
}
times_file=$(mktemp)
trap 'rm -f "$times_file"' EXIT
cpu_seconds() {  # cpu_seconds <program> <args…>: user + system time of one run
  /usr/bin/time -f '%U %S' -o "$times_file" "$@" >/dev/null 2>&1
  awk '{ print $1 + $2 }' "$times_file"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

printf '%-10s %-20s %14s %14s %8s   %-22s %9s %9s %8s\n' sample "count args" "orig instr" "migr instr" ratio \
  "timed args" "orig s" "migr s" ratio
for w in "${workloads[@]}"; do
  IFS='|' read -r name count_args time_args <<<"$w"
  original="$samples/$name/snow-sample-$name" migratable="$samples/snow-migratable-$name"
  # shellcheck disable=SC2086
  io=$(instructions "$original" $count_args)
  # shellcheck disable=SC2086
  im=$(instructions "$migratable" $count_args)
  to="" tm=""
  for ((i = 0; i < runs; i++)); do
    # shellcheck disable=SC2086
    to+="$(cpu_seconds "$original" $time_args)"$'\n'
    # shellcheck disable=SC2086
    tm+="$(cpu_seconds "$migratable" $time_args)"$'\n'
  done
  mo=$(printf '%s' "$to" | median) mm=$(printf '%s' "$tm" | median)
  printf '%-10s %-20s %14s %14s %8.3f   %-22s %9.2f %9.2f %8.3f\n' "$name" "$count_args" "$io" "$im" \
    "$(echo "$im / $io" | bc -l)" "$time_args" "$mo" "$mm" "$(echo "$mm / $mo" | bc -l)"
done
