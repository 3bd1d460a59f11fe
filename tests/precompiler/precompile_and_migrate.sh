#!/usr/bin/env bash
# End to end through the precompiler: a C program is precompiled, built for
# every platform against that platform's runtime, and checkpointed at several
# poll-points on each platform and restarted on every platform; every
# combination must print exactly what the original program prints.
#
# usage: precompile_and_migrate.sh --precompiler EXE --include DIR --work DIR
#          --source FILE --polls "k…" [--args "…"] [--mode directives|auto|both]
#          [--host-cflags "…"] PLATFORM=COMPILER|EMULATOR|RUNTIME_LIB …
# --host-cflags: more flags for the x86_64 build of the migratable program, e.g. the
# sanitizers an instrumented host runtime needs (the asan preset).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
precompiler="" include="" work="" source="" polls="" args="" mode="directives"
declare -a platforms=() host_cflags=()
while (($#)); do
  case $1 in
    --precompiler) precompiler=$2; shift 2 ;;
    --include) include=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --source) source=$2; shift 2 ;;
    --polls) polls=$2; shift 2 ;;
    --args) args=$2; shift 2 ;;
    --mode) mode=$2; shift 2 ;;
    --host-cflags) read -ra host_cflags <<<"$2"; shift 2 ;;
    *=*) platforms+=("$1"); shift ;;
    *) echo "precompile_and_migrate.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
rm -rf "$work" && mkdir -p "$work"
name=$(basename "$source" .c)

# The oracle: the original program, compiled as its author would.
cc -std=gnu11 -O2 -ffp-contract=off -Wno-unknown-pragmas "$source" -lm -o "$work/$name.original"
# shellcheck disable=SC2086
"$work/$name.original" $args >"$work/expected.out"

"$precompiler" --poll-points "$mode" -o "$work/gen" --unit-root "$(dirname "$source")" "$source"
generated="$work/gen/$name.snow.c"

declare -a runs=()
for entry in "${platforms[@]}"; do
  p=${entry%%=*}; rest=${entry#*=}
  compiler=${rest%%|*}; rest=${rest#*|}
  emulator=${rest%%|*}; runtime=${rest#*|}
  flags=(-std=gnu11 -O2 -ffp-contract=off)
  [[ $p == i686 ]] && flags+=(-msse2 -mfpmath=sse)
  [[ $p == x86_64 ]] && flags+=("${host_cflags[@]}")
  "$compiler" "${flags[@]}" -I"$include" "$generated" "$runtime" -lstdc++ -lm -o "$work/$name.$p"
  runs+=("$p=$emulator|$work/$name.$p")
done
exec "$here/../runtime/exec/checkpoint_restart.sh" --work "$work/runs" --polls "$polls" --args "$args" \
  --expect "$work/expected.out" "${runs[@]}"
