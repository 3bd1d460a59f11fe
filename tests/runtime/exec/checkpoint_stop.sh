#!/usr/bin/env bash
# SNOW_CHECKPOINT_ACTION=stop and SNOW_NOTICE_FD, as snowd uses them for an
# atomic migration: the program writes its checkpoint, says so on the notice
# descriptor and stops itself. Resumed (SIGCONT: the destination failed) it
# finishes as if nothing happened; killed (the destination has the state) its
# checkpoint restarts it. Both must print exactly the unmigrated output.
#
# usage: checkpoint_stop.sh PROGRAM ARGS… (a precompiled program; host platform)
set -uo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL $*"; exit 1; }

"$@" >"$work/plain.out" || fail "plain run exited non-zero"

wait_stopped() {  # wait_stopped <pid>: until the process is stopped (state T)
  for _ in $(seq 1 200); do
    [[ $(ps -o stat= -p "$1" 2>/dev/null) == T* ]] && return 0
    sleep 0.05
  done
  return 1
}

for outcome in resume kill; do
  rm -f "$work/ckpt.snow" "$work/notices"
  SNOW_CHECKPOINT_AT_POLL=3 SNOW_CHECKPOINT_FILE="$work/ckpt.snow" SNOW_CHECKPOINT_ACTION=stop SNOW_NOTICE_FD=3 \
    "$@" >"$work/$outcome.out" 3>"$work/notices" &
  pid=$!
  wait_stopped "$pid" || { kill -9 "$pid"; fail "the program did not stop itself after its checkpoint"; }
  grep -Eq "^checkpoint-written [1-9][0-9]* [0-9.]+ $work/ckpt.snow$" "$work/notices" ||
    { cat "$work/notices"; fail "no checkpoint-written notice with the file's size and path"; }
  [[ -s $work/ckpt.snow ]] || fail "no checkpoint file"
  if [[ $outcome == resume ]]; then
    kill -CONT "$pid"
    wait "$pid" || fail "the resumed program exited non-zero"
    cmp -s "$work/plain.out" "$work/resume.out" || fail "resumed after stop: output differs from the plain run"
    echo "stopped at its checkpoint, resumed with SIGCONT: output identical"
  else
    kill -KILL "$pid"
    wait "$pid" 2>/dev/null
    SNOW_RESTART="$work/ckpt.snow" SNOW_NOTICE_FD=3 "$@" >"$work/after.out" 3>"$work/notices.restart" ||
      fail "restart exited non-zero"
    grep -Eqx "restored [0-9.]+" "$work/notices.restart" || fail "no 'restored' notice from the restart"
    cat "$work/kill.out" "$work/after.out" | cmp -s "$work/plain.out" - ||
      fail "killed after stop and restarted: output differs from the plain run"
    echo "stopped at its checkpoint, killed, restarted: output identical, 'restored' noticed"
  fi
done
