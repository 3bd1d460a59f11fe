#!/usr/bin/env bash
# snow-monitor renders a trace file without a display: PNG, SVG and Chrome
# JSON from a synthetic trace (written by the benchmark's generator).
#   export_test.sh <snow-monitor> <snow-monitor-bench> <work dir>
set -euo pipefail
monitor=$1 bench=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
"$bench" --events 5000 --processes 8 --frames 0 --write-trace "$work/trace.lines" > "$work/bench.txt"
"$monitor" --trace "$work/trace.lines" --export-png "$work/diagram.png" --export-svg "$work/diagram.svg" \
  --export-chrome "$work/trace.json" --size 1200x500
python3 - "$work" <<'PY' || fail "exports are wrong"
import json, struct, sys
work = sys.argv[1]
png = open(work + "/diagram.png", "rb").read()
assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
width, height = struct.unpack(">II", png[16:24])
assert (width, height) == (1200, 500), (width, height)
svg = open(work + "/diagram.svg").read()
assert "<svg" in svg and "mg r0" in svg, "SVG without the rows"
events = json.load(open(work + "/trace.json"))
names = {e.get("name") for e in events}
assert {"message-sent", "message-received", "migration-done", "process_name"} <= names, names
assert sum(1 for e in events if e.get("ph") == "s") > 1000
PY
# A missing file is an error, not a crash.
if "$monitor" --trace "$work/missing" --export-png "$work/x.png" 2> "$work/err.txt"; then fail "a missing trace exported"; fi
grep -q "cannot open" "$work/err.txt" || fail "unclear error: $(cat "$work/err.txt")"
echo "exports OK"
# The window itself, offscreen, showing a stretch of the trace (the hook
# that makes docs/monitor-spacetime.png).
SNOW_MONITOR=$monitor "$(dirname "$0")/../scripts/spacetime-screenshot.sh" "$work/trace.lines" "" "$work/window.png" > "$work/shot.txt" 2>&1 ||
  fail "spacetime-screenshot.sh: $(cat "$work/shot.txt")"
python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); assert d[:4]==b"\x89PNG" and len(d) > 20000' "$work/window.png" ||
  fail "no window picture"
echo "window picture OK"
