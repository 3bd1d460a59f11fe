#!/usr/bin/env bash
# The main job: the local heterogeneous cluster. A scheduler and five hosts —
# x86_64, s390x (big-endian), ppc (big-endian, 32-bit), i686 (32-bit, 4-byte
# double alignment) and armhf — each in a network namespace of its own when
# run as root, else on loopback. LINPACK and bitonic sort are started on the
# x86_64 host and, while they compute, migrated live around the ring of
# platforms and home again; each must print exactly what its unmigrated run
# prints. Then NAS MG class W runs as a group of 8 processes over four
# platforms while rank 0 migrates to s390x after iteration 2; its norm must
# be bit-identical to an unmigrated run's. At the end, the paper's Table 1
# for every migration. With a display, snow-monitor watches it all.
#
# usage: cluster_demo.sh [BUILD_DIR]   (default build/default; needs all platforms built)
set -euo pipefail
build=$(cd "${1:-build/default}" && pwd)
snow_cli="$build/runtime/system/snow"
manifest="$build/snow-migratable-targets.json"
[[ -x $snow_cli && -s $manifest ]] || { echo "demo: build $build first (snow, manifest)" >&2; exit 1; }
state=$(mktemp -d /tmp/snow-demo.XXXXXX)
snow() { "$snow_cli" --state-dir "$state" "$@"; }
cleanup() { snow cluster down >/dev/null 2>&1 || true; rm -rf "$state"; }
trap cleanup EXIT

ring=(s390x ppc i686 armhf x86_64)
network=()
if [[ $(id -u) == 0 ]] && command -v ip >/dev/null; then
  network=(--netns)
fi
echo "== bringing up the cluster: x86_64 ${ring[*]:0:4}${network:+ (network namespaces)}"
snow cluster up --manifest "$manifest" --hosts x86_64,s390x,ppc,i686,armhf "${network[@]}"
snow hosts
echo

monitor_app="$build/monitor-gui/app/snow-monitor"
if [[ -n ${DISPLAY:-} && -x $monitor_app ]]; then
  echo "== snow-monitor is watching the cluster (drag a process onto a host to migrate it)"
  "$monitor_app" --state-dir "$state" >/dev/null 2>&1 &
  monitor_pid=$!
  trap 'kill $monitor_pid 2>/dev/null || true; cleanup' EXIT
elif [[ -x $monitor_app ]]; then
  echo "(no display: snow-monitor is not started; with DISPLAY set it watches this demo)"
fi
echo

executable_of() {  # executable_of <sample> <platform>
  python3 -c 'import json,sys
t=[t for t in json.load(open(sys.argv[1]))["targets"] if t["name"]=="snow-migratable-"+sys.argv[2]][0]
print(t["executables"][sys.argv[3]])' "$manifest" "$1" "$2"
}

status=0
: > "$state/events.jsonl"
for sample in "linpack 500 150" "bitonic 18 12"; do
  read -r name args <<< "$sample"
  route=$(printf ' → %s' "${ring[@]}")
  echo "== $name $args: started on x86_64, then x86_64${route}"
  # shellcheck disable=SC2086
  "$(executable_of "$name" x86_64)" $args > "$state/$name.plain"
  rm -f "$state/id"
  # shellcheck disable=SC2086
  snow run "$name" --on x86_64 --id-file "$state/id" $args > "$state/$name.migrated" &
  runner=$!
  for _ in $(seq 200); do [[ -s $state/id ]] && break; sleep 0.05; done
  id=$(cat "$state/id")
  for host in "${ring[@]}"; do
    if ! snow --json migrate "$id" "$host" >> "$state/events.jsonl" 2> "$state/err"; then
      echo "   migration to $host failed: $(cat "$state/err")"
      status=1
      break
    fi
    echo "   now on $host"
  done
  wait "$runner" || { echo "   snow run exited with $?"; status=1; }
  if cmp -s "$state/$name.plain" "$state/$name.migrated"; then
    echo "   output identical to the unmigrated run ($(wc -c < "$state/$name.plain") bytes): $(tail -1 "$state/$name.migrated")"
  else
    echo "   OUTPUT DIFFERS from the unmigrated run"
    diff "$state/$name.plain" "$state/$name.migrated" | head -5
    status=1
  fi
  echo
done

echo "== NAS MG class W, 8 processes on x86_64, s390x, ppc, i686; rank 0 moves to s390x after iteration 2"
"$build/runtime/snow-launch" -n 8 "$build/samples/mg/snow-sample-mg" W > "$state/mg.plain" 2>/dev/null ||
  { echo "   the unmigrated run failed"; status=1; }
if ! python3 - "$snow_cli" "$state" >> "$state/events.jsonl" <<'PY'
import json, subprocess, sys
snow = [sys.argv[1], "--state-dir", sys.argv[2]]
group = subprocess.Popen(snow + ["run", "-n", "8", "--hosts", "x86_64,s390x,ppc,i686", "mg", "W"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
out = open(sys.argv[2] + "/mg.migrated", "w")
moved = False
for line in group.stdout:
    out.write(line)
    if line.startswith("iteration  2:"):
        ps = json.loads(subprocess.run(snow + ["--json", "ps"], capture_output=True, text=True).stdout)
        rank0 = [p for p in ps if p.get("rank") == 0 and p["state"] == "running"][-1]
        r = subprocess.run(snow + ["--json", "migrate", str(rank0["id"]), "s390x"], capture_output=True, text=True)
        sys.stdout.write(r.stdout)
        moved = r.returncode == 0
        print("   rank 0 (process %d) x86_64 → s390x: %s" % (rank0["id"], "done" if moved else r.stderr.strip()),
              file=sys.stderr)
out.close()
sys.exit(0 if group.wait() == 0 and moved else 1)
PY
then
  echo "   the group or its migration failed"
  status=1
fi
if cmp -s "$state/mg.plain" "$state/mg.migrated"; then
  echo "   output identical to the unmigrated run: $(grep 'L2 Norm' "$state/mg.migrated"), $(tail -1 "$state/mg.migrated")"
else
  echo "   OUTPUT DIFFERS from the unmigrated run"
  diff "$state/mg.plain" "$state/mg.migrated" | head -5
  status=1
fi
echo

echo "== Table 1: live migrations (collection, transfer and restoration run as one pipeline)"
python3 - "$state/events.jsonl" <<'PY'
import json, sys
rows = []
for line in open(sys.argv[1]):
    e = json.loads(line)
    d = e.get("data", e)
    if e.get("event", e.get("name")) == "migration-done":
        rows.append(d)
fmt = "{:<26} {:<7} {:<7} {:>11} {:>10} {:>10} {:>10} {:>10}"
print(fmt.format("program", "from", "to", "bytes", "collect", "transfer", "restore", "total"))
for d in rows:
    ms = lambda k: "%.1f ms" % d[k]
    print(fmt.format(d.get("program", "?")[:26], d["from"], d["to"], "{:,}".format(d["bytes"]),
                     ms("collect_ms"), ms("transfer_ms"), ms("restore_ms"), ms("total_ms")))
print("(collect and transfer end together: the state streams as it is collected, and the")
print(" destination restores it as it arrives; the total is not their sum but about the slowest)")
PY
exit $status
