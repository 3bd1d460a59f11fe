#!/usr/bin/env bash
# The test command (README.md): sets up everything, builds every platform, runs the whole test
# suite, then builds the host again with AddressSanitizer and UBSan and runs its suite there
# (the `asan` preset, docs/testing.md); exits non-zero if anything fails. Uses the `ci` preset
# (warnings are errors) when CI=true, else `default`. SNOW_JOBS sets the parallelism (default 2).
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
# The same host suite under the sanitizers: memory errors, leaks and undefined behaviour in
# the runtime, snowd, the scheduler, the CLI and the samples fail their tests.
phase asan-configure cmake --preset asan
phase asan-build cmake --build --preset asan --parallel "$jobs"
phase asan-test ctest --preset asan --parallel "$jobs"
