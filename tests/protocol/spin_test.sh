#!/usr/bin/env bash
# Model-checks the migration protocol (docs/model/migration_protocol.pml) with
# spin: every configuration below must verify with no error, and every mutant
# — the protocol with one of its rules removed — must be caught, which shows
# the checks can fail.
#
# usage: spin_test.sh MODEL WORKDIR
set -euo pipefail
model=$1 work=$2
command -v spin >/dev/null || { echo "skipped: spin is not installed (scripts/setup.sh installs it)"; exit 77; }
rm -rf "$work" && mkdir -p "$work" && cd "$work"

# verify <expect: ok|error> <label> <spin -D flags…>
verify() {
  local expect=$1 label=$2; shift 2
  spin "$@" -a "$model" > spin.log 2>&1 || { cat spin.log; echo "FAIL $label: spin cannot read the model"; exit 1; }
  cc -w -O2 -DSAFETY -DCOLLAPSE -o pan pan.c
  ./pan -m100000 > pan.log 2>&1 || true
  local errors states
  errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' pan.log)
  states=$(sed -n 's/^ *\([0-9e.+]*\) states, stored.*/\1/p' pan.log)
  [[ -n $errors ]] || { cat pan.log; echo "FAIL $label: no verdict from pan"; exit 1; }
  grep -q "search depth too small" pan.log && { echo "FAIL $label: the depth bound cut the search"; exit 1; }
  if [[ $expect == ok && $errors != 0 ]]; then
    grep -E "pan:|assert" pan.log | head -5
    echo "FAIL $label: $errors error(s); trail in $work"; exit 1
  fi
  if [[ $expect == error && $errors == 0 ]]; then
    echo "FAIL $label: the mutant was not caught ($states states)"; exit 1
  fi
  echo "$label: $( [[ $expect == ok ]] && echo "verified, $states states, no error" || echo "caught: $(grep -m1 -oE 'pan:1: [a-z ]+' pan.log)")"
}

verify ok    "2 processes, 2 messages each way, 2 migrations each" -DN=2 -DM=2 -DMIG=2
verify ok    "2 processes, 3 messages each way, 1 migration each"  -DN=2 -DM=3 -DMIG=1
verify error "mutant: nothing drained at migration"                -DN=2 -DM=2 -DMIG=1 -DBUG_SKIP_DRAIN
verify error "mutant: no redirect of a connect during migration"   -DN=2 -DM=2 -DMIG=1 -DBUG_NO_REDIRECT
