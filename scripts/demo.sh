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

# The demo: runtime/demo/tour.sh hands one state graph around every platform and back
# (x86_64 -> s390x -> ppc -> i686 -> armhf -> x86_64), verifying it at every hop.
# Replace this function to change what the main job is.
run_demo() {
  local tour=runtime/demo/tour.sh
  if [[ ! -x "$tour" ]]; then
    echo "demo: $tour does not exist" >&2
    return 1
  fi
  "$tour" "$build" "$@"
}

phase setup ./scripts/setup.sh
phase configure cmake --preset "$preset"
phase build cmake --build --preset "$preset" --parallel "$jobs"
phase demo run_demo "$@"
