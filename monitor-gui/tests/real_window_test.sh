#!/usr/bin/env bash
# The monitor as a person uses it: a real window under Xvfb, a local cluster
# of two hosts, linpack running on one of them. xdotool drags the process's
# chip onto the other host's card; then the CLI must see the process there,
# and its output must equal an unmigrated run's, byte for byte. A picture of
# the window after the migration is kept in <artefacts>/monitor-cluster.png.
#   real_window_test.sh <snow-monitor> <snow> <linpack> <artefacts dir>
# Exit 77 (skipped) without Xvfb or xdotool.
set -euo pipefail
monitor=$1 snow=$2 linpack=$3 artefacts=$4
args=(400 1000) # about 30 s natively: time to start the window and drag, on a busy machine too

for tool in Xvfb xdotool python3; do
  command -v "$tool" > /dev/null || { echo "skipped: no $tool (scripts/setup.sh installs xvfb and xdotool)"; exit 77; }
done

state=$(mktemp -d /tmp/snow-monitor-test.XXXXXX)
pids=()
snow() { "$snow" --state-dir "$state" "$@"; }
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  snow cluster down > /dev/null 2>&1 || true
  if [[ ${keep:-0} == 1 ]]; then echo "state kept in $state"; else rm -rf "$state"; fi
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  keep=1
  for f in "$state"/logs/* "$state"/monitor.log; do [[ -f $f ]] && { echo "--- $f"; tail -20 "$f"; }; done >&2
  exit 1
}
wait_until() { # <seconds> <what> <command…>: by the clock, however slow each try is
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" > /dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "timed out waiting for $what"
    sleep 0.1
  done
}

# An X server of our own on a free display.
display=
for n in $(seq 91 140); do
  [[ -e /tmp/.X11-unix/X$n || -e /tmp/.X$n-lock ]] && continue
  display=:$n
  break
done
[[ -n $display ]] || { echo "skipped: no free X display"; exit 77; }
Xvfb "$display" -screen 0 1280x900x24 -nolisten tcp > "$state/xvfb.log" 2>&1 &
pids+=($!)
export DISPLAY=$display
wait_until 10 "Xvfb on $display" xdotool getmouselocation

printf '{"version":1,"targets":[{"name":"snow-migratable-linpack","executables":{"x86_64":"%s"}}]}\n' \
  "$linpack" > "$state/manifest.json"
snow cluster up --manifest "$state/manifest.json" --hosts x86_64,second=x86_64 > "$state/cluster-up.log" 2>&1 ||
  fail "snow cluster up: $(cat "$state/cluster-up.log")"

"$linpack" "${args[@]}" > "$state/plain.txt" &
plain=$!
snow run linpack --on x86_64 --id-file "$state/id" "${args[@]}" > "$state/migrated.txt" &
runner=$!
wait_until 20 "the process id" test -s "$state/id"
id=$(cat "$state/id")

"$monitor" --state-dir "$state" --geometry-file "$state/geometry.json" \
  --screenshot-after-migration "$state/monitor-cluster.png" > "$state/monitor.log" 2>&1 &
pids+=($!)
chip_on() { # <host>: the chip of the process is on that host's card
  python3 - "$state/geometry.json" "$id" "$1" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
p = g["processes"][sys.argv[2]]
sys.exit(0 if p["host"] == sys.argv[3] and p["state"] == "running" and "second" in g["hosts"] else 1)
PY
}
wait_until 20 "the process's chip on x86_64" chip_on x86_64

# The drag, as a hand would do it: press on the chip, move in steps, release
# over the other card.
read -r x0 y0 x1 y1 < <(python3 - "$state/geometry.json" "$id" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
cx, cy, cw, ch = g["processes"][sys.argv[2]]["rect"]
hx, hy, hw, hh = g["hosts"]["second"]
print(cx + cw // 3, cy + ch // 2, hx + hw // 2, hy + hh - 30)
PY
)
xdotool mousemove "$x0" "$y0"
sleep 0.3
xdotool mousedown 1
for i in $(seq 1 10); do
  xdotool mousemove $((x0 + (x1 - x0) * i / 10)) $((y0 + (y1 - y0) * i / 10))
  sleep 0.05
done
sleep 0.2
xdotool mouseup 1

on_second() {
  snow --json ps | python3 -c "import json,sys; p=[p for p in json.load(sys.stdin) if p['id']==$id][0]; sys.exit(0 if p['host']=='second' and p['migrations']==1 else 1)"
}
wait_until 30 "the scheduler to place process $id on 'second'" on_second
wait_until 10 "the chip to land on 'second'" chip_on second
wait $runner || fail "snow run exited with $?"
wait $plain
cmp "$state/plain.txt" "$state/migrated.txt" || fail "the migrated run's output differs from the plain run's"
wait_until 10 "the screenshot" test -s "$state/monitor-cluster.png"
mkdir -p "$artefacts"
cp "$state/monitor-cluster.png" "$artefacts/monitor-cluster.png"
echo "process $id dragged from x86_64 to second: identical output; screenshot in $artefacts/monitor-cluster.png"
