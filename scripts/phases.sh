# shellcheck shell=bash
# Sourced by the scripts in this directory: runs named phases, times them, and prints a
# summary of the timings when the script exits, whether it succeeded or not.

SNOW_PHASE_TIMES=()

# phase <name> <command...>: runs the command as one timed phase.
phase() {
  local name=$1
  shift
  printf '\n==> %s: %s\n' "$name" "$*"
  local start=$SECONDS status=0
  "$@" || status=$?
  SNOW_PHASE_TIMES+=("$(printf '%-10s %5ds  %s' "$name" $((SECONDS - start)) \
    "$( ((status == 0)) && echo ok || echo "FAILED (exit $status)")")")
  return "$status"
}

print_phase_times() {
  ((${#SNOW_PHASE_TIMES[@]} > 0)) || return 0
  printf '\n==> timings\n'
  printf '  %s\n' "${SNOW_PHASE_TIMES[@]}"
  printf '  %-10s %5ds\n' total "$SECONDS"
}
trap print_phase_times EXIT
