#!/usr/bin/env bash
# The main job (README.md): sets up everything, builds every platform, and runs the demo.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/phases.sh

# ccache: paths relative to the checkout, no working directory in the hash.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true

preset=default
build=build/$preset
jobs=${SNOW_JOBS:-2}

# The demo: runtime/demo/cluster_demo.sh brings up the local heterogeneous cluster (five
# platforms; network namespaces when run as root), migrates LINPACK and bitonic sort live
# around it while they compute, checks their output against unmigrated runs, and prints
# the paper's Table 1. (runtime/demo/tour.sh is the smaller tour of the memory-state engine
# alone: one state graph handed around every platform.)
run_demo() {
  runtime/demo/cluster_demo.sh "$build" "$@"
}

phase setup ./scripts/setup.sh
phase configure cmake --preset "$preset"
phase build cmake --build --preset "$preset" --parallel "$jobs"
phase demo run_demo "$@"
