#!/usr/bin/env bash
# A picture of snow-monitor's window showing a recorded trace, made without a
# display (Qt's offscreen platform): how docs/monitor-spacetime.png is made
# from a trace of an MG run with a migration.
#
#   monitor-gui/scripts/spacetime-screenshot.sh <trace> [FROM:TO] [out.png]
#
# <trace> is a scheduler trace in either format, e.g. from
#   snow cluster up --trace /tmp/mg.lines …   or   snow trace /tmp/mg.lines --seconds 60
# while MG runs and one of its ranks is migrated. Without FROM:TO the picture
# shows the first migration with some time on either side. SNOW_MONITOR names
# the snow-monitor binary (default: the first of build/{default,ci,host}).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
trace=${1:?usage: spacetime-screenshot.sh <trace> [FROM:TO] [out.png]}
range=${2:-}
out=${3:-$root/docs/monitor-spacetime.png}
monitor=${SNOW_MONITOR:-}
for preset in default ci host; do
  [[ -z $monitor && -x $root/build/$preset/monitor-gui/app/snow-monitor ]] &&
    monitor=$root/build/$preset/monitor-gui/app/snow-monitor
done
[[ -x $monitor ]] || { echo "no snow-monitor: build it first (cmake --build --preset host)" >&2; exit 1; }

if [[ -z $range ]]; then
  range=$(python3 - "$trace" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
events = []
if text.lstrip().startswith(("[", "{")):  # Chrome JSON
    for e in json.loads(text.rstrip().rstrip(",") + ("" if text.rstrip().endswith("]") else "]")):
        if e.get("ph") in ("i", "I"):
            events.append((e["ts"] / 1e6, e["name"]))
else:
    for line in text.splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3:
            events.append((float(parts[0]), parts[1]))
start = next((t for t, name in events if name == "migration-started"), None)
if start is None:
    sys.exit("no migration in the trace: give FROM:TO")
end = next((t for t, name in events if t >= start and name in ("migration-done", "migration-failed")), start)
margin = max(0.05, 3 * (end - start))
print("%.6f:%.6f" % (max(0.0, start - margin), end + margin))
PY
)
fi
QT_QPA_PLATFORM=offscreen "$monitor" --trace "$trace" --time-range "$range" --screenshot-after-load "$out"
echo "the seconds $range of $trace in $out"
