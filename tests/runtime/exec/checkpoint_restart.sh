#!/usr/bin/env bash
# Checkpoint/restart across platforms, held to the unmigrated run.
#
# usage: checkpoint_restart.sh --work DIR --polls "k1 k2 …" [--args "a b …"] \
#            [--expect FILE] PLATFORM=EMULATOR|PROGRAM …
#
# --expect: the output of the original, unprecompiled program; the migratable
# program's unmigrated output must equal it.
# --file F: the program also writes file F; after every run it must hold what
# it holds after the first unmigrated run (and, with --expect-file E, what E holds).
#
# 1. Runs the program on every platform without migration: all outputs must
#    be identical (that output is the reference).
# 2. For every platform s and poll count k: runs on s with a checkpoint at the
#    k-th poll-point, then restarts that checkpoint on every platform t; the
#    output before the checkpoint followed by the output after the restart
#    must equal the reference, byte for byte.
set -uo pipefail

work="" polls="" args="" expect="" file="" expect_file=""
declare -a names=() emulators=() programs=()
while (($#)); do
  case $1 in
    --work) work=$2; shift 2 ;;
    --polls) polls=$2; shift 2 ;;
    --args) args=$2; shift 2 ;;
    --expect) expect=$2; shift 2 ;;
    --file) file=$2; shift 2 ;;
    --expect-file) expect_file=$2; shift 2 ;;
    *=*) names+=("${1%%=*}"); rest=${1#*=}; emulators+=("${rest%%|*}"); programs+=("${rest#*|}"); shift ;;
    *) echo "checkpoint_restart.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[[ -n $work && -n $polls && ${#names[@]} -gt 0 ]] || { echo "usage: see the header of $0" >&2; exit 2; }
rm -rf "$work" && mkdir -p "$work"

run() {  # run <index> <stdout file> [VAR=value …]
  local i=$1 out=$2; shift 2
  # shellcheck disable=SC2086
  env "$@" ${emulators[i]} "${programs[i]}" $args >"$out" 2>"$out.err"
}

failures=0
reference="$work/reference.out"
reference_file="$work/reference.file"
check_file() {  # check_file <what>: the written file equals the reference
  [[ -n $file ]] || return 0
  if [[ ! -f $reference_file ]]; then cp "$file" "$reference_file"; return 0; fi
  cmp -s "$file" "$reference_file" || { echo "FAIL $1: $file differs"; diff "$reference_file" "$file" | head -5; failures=$((failures + 1)); }
}
for i in "${!names[@]}"; do
  out="$work/plain-${names[i]}.out"
  if ! run "$i" "$out"; then
    echo "FAIL plain run on ${names[i]} exited non-zero:"; cat "$out.err"; failures=$((failures + 1)); continue
  fi
  check_file "plain run on ${names[i]}"
  if [[ ! -f $reference ]]; then cp "$out" "$reference"
  elif ! cmp -s "$reference" "$out"; then
    echo "FAIL unmigrated output on ${names[i]} differs from ${names[0]}:"; diff "$reference" "$out" | head -5
    failures=$((failures + 1))
  fi
done
[[ -f $reference ]] || { echo "no reference output"; exit 1; }
if [[ -n $expect_file ]] && ! cmp -s "$expect_file" "$reference_file"; then
  echo "FAIL the migratable program's $file differs from the original program's:"; diff "$expect_file" "$reference_file" | head -5
  failures=$((failures + 1))
fi
if [[ -n $expect ]] && ! cmp -s "$expect" "$reference"; then
  echo "FAIL the migratable program's output differs from the original program's:"; diff "$expect" "$reference" | head -5
  failures=$((failures + 1))
fi
((failures == 0)) && echo "unmigrated runs: $(wc -l <"$reference") lines, identical on ${names[*]}${expect:+ and to the original program}"

checked=0
for s in "${!names[@]}"; do
  for k in $polls; do
    ckpt="$work/${names[s]}-at-$k.snow"
    before="$work/${names[s]}-at-$k.before"
    if ! run "$s" "$before" SNOW_CHECKPOINT_AT_POLL="$k" SNOW_CHECKPOINT_FILE="$ckpt"; then
      echo "FAIL checkpoint on ${names[s]} at poll $k exited non-zero:"; cat "$before.err"; failures=$((failures + 1)); continue
    fi
    if grep -q "^snow: checkpoint .* failed" "$before.err"; then
      echo "FAIL checkpoint on ${names[s]} at poll $k:"; grep "^snow:" "$before.err"; failures=$((failures + 1)); continue
    fi
    if [[ ! -f $ckpt ]]; then  # fewer than k poll-points: the run simply finished
      cmp -s "$before" "$reference" || { echo "FAIL ${names[s]} run past poll $k differs"; failures=$((failures + 1)); }
      continue
    fi
    for t in "${!names[@]}"; do
      after="$work/${names[s]}-at-$k-on-${names[t]}.after"
      if ! run "$t" "$after" SNOW_RESTART="$ckpt"; then
        echo "FAIL restart of ${names[s]}@$k on ${names[t]} exited non-zero:"; cat "$after.err"
        failures=$((failures + 1)); continue
      fi
      check_file "${names[s]} checkpointed at poll $k, restarted on ${names[t]}"
      if cat "$before" "$after" | cmp -s - "$reference"; then
        checked=$((checked + 1))
      else
        echo "FAIL ${names[s]} checkpointed at poll $k, restarted on ${names[t]}: output differs"
        cat "$before" "$after" | diff "$reference" - | head -5
        failures=$((failures + 1))
      fi
    done
  done
done
echo "$checked checkpoint/restart pairs identical to the unmigrated run, $failures failed"
if ((checked == 0)); then echo "FAIL no checkpoint was taken at any of the poll-points $polls"; exit 1; fi
((failures == 0))
