#!/usr/bin/env bash
# The test command (README.md): sets up everything, builds every platform, runs the whole test
# suite, and exits non-zero if anything fails. Uses the `ci` preset (warnings are errors) when
# CI=true, else `default`. SNOW_JOBS sets the parallelism (default 2).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/phases.sh

# ccache: paths relative to the checkout and no working directory in the hash,
# so a fresh clone (CI) reuses what an earlier build of the same sources compiled.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true

preset=default
[[ "${CI:-}" == "true" ]] && preset=ci
jobs=${SNOW_JOBS:-2}

# The test preset sets --output-on-failure, a per-test timeout and fails when no test exists.
phase setup ./scripts/setup.sh
phase configure cmake --preset "$preset"
phase build cmake --build --preset "$preset" --parallel "$jobs"
phase test ctest --preset "$preset" --parallel "$jobs"
