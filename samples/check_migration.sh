#!/usr/bin/env bash
# A migratable sample checkpointed and restarted across platforms, held to the
# original (unprecompiled) sample's output.
#
# usage: check_migration.sh --original EXE --work DIR --args "…" [--polls "k…"] [--output-file F]
#          PLATFORM=EMULATOR|PROGRAM …
# --output-file: a file the program writes, held to the original's like its output.
#
# Without --polls, the checkpoints are taken early, in the middle and late: at
# poll-points 1, n/2 and n of the n that an unmigrated run passes (counted by the
# first platform's program with SNOW_VERBOSE=1).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
original="" work="" args="" polls="" output_file=""
declare -a rest=()
while (($#)); do
  case $1 in
    --original) original=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --args) args=$2; rest+=("$1" "$2"); shift 2 ;;
    --polls) polls=$2; shift 2 ;;
    --output-file) output_file=$2; shift 2 ;;
    *) rest+=("$1"); shift ;;
  esac
done
[[ -n $original && -n $work ]] || { echo "usage: see the header of $0" >&2; exit 2; }
mkdir -p "$work"
# shellcheck disable=SC2086
"$original" $args >"$work/original.out"
file_args=()
if [[ -n $output_file ]]; then
  cp "$output_file" "$work/original.file"
  file_args=(--file "$output_file" --expect-file "$work/original.file")
fi
if [[ -z $polls ]]; then
  first=""
  for r in "${rest[@]}"; do [[ $r == *=*'|'* ]] && { first=$r; break; }; done
  spec=${first#*=}; emulator=${spec%%|*}; program=${spec#*|}
  # shellcheck disable=SC2086
  SNOW_VERBOSE=1 $emulator "$program" $args >/dev/null 2>"$work/count.err"
  n=$(sed -n 's/^snow: exiting after \([0-9]*\) poll-points$/\1/p' "$work/count.err")
  [[ -n $n && $n -gt 0 ]] || { echo "FAIL the unmigrated run passed no poll-point:"; cat "$work/count.err"; exit 1; }
  polls=$(printf '%s\n' 1 $(((n + 1) / 2)) "$n" | sort -nu | tr '\n' ' ')
  echo "the unmigrated run passes $n poll-points; checkpoints at $polls"
fi
exec "$here/../tests/runtime/exec/checkpoint_restart.sh" --work "$work/runs" --expect "$work/original.out" \
  --polls "$polls" "${file_args[@]}" "${rest[@]}"
