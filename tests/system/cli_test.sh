#!/usr/bin/env bash
# The snow CLI against a real local cluster (snow-scheduler + snowd on
# loopback), one case per invocation:
#   cli_test.sh <case> <snow> <manifest> <host linpack>
#   run         snow run prints the program's output, byte for byte; hosts/ps/--json
#   ring        linpack and bitonic migrated x86_64 → s390x → ppc → i686 → x86_64 while
#               they run: the output equals an unmigrated run's, byte for byte
#   rollback    a destination that cannot restore: the process continues on the source
#   no_build    snow migrate to a platform without a build is refused, clearly
#   kill_trace  snow trace records a Chrome trace; snow kill ends a process
#   scheduler_restart  the scheduler dies: processes run on; hosts re-register with a new one
#   group_checkpoints  a group with ranks on i686 checkpointed every 0.5 s ends as unmigrated
#   netns_faults  (root) hosts in network namespaces: a destination killed mid-transfer and a
#               link cut mid-transfer both leave the process running at the source
# Exit 77 (skipped) when the manifest lacks what a case needs.
set -euo pipefail
case_name=$1 snow=$2 manifest=$3 linpack=$4
state=$(mktemp -d /tmp/snow-cli-test.XXXXXX)
snow() { "$snow" --state-dir "$state" "$@"; }
cleanup() {
  snow cluster down >/dev/null 2>&1 || true
  [[ -n ${extra_scheduler:-} ]] && kill "$extra_scheduler" 2>/dev/null
  if [[ ${keep:-0} == 1 ]]; then echo "state kept in $state"; else rm -rf "$state"; fi
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; keep=1; for f in "$state"/logs/*; do echo "--- $f"; tail -20 "$f"; done >&2; exit 1; }

# A manifest with linpack for x86_64 only, whatever the tree builds.
host_manifest() {
  printf '{"version":1,"targets":[{"name":"snow-migratable-linpack","executables":{"x86_64":"%s"}}]}\n' \
    "$linpack" > "$state/host-manifest.json"
  echo "$state/host-manifest.json"
}

wait_for_file() { for _ in $(seq 200); do [[ -s $1 ]] && return 0; sleep 0.05; done; fail "no $1"; }

case $case_name in
run)
  snow cluster up --manifest "$(host_manifest)" --hosts x86_64,second=x86_64 >/dev/null
  snow hosts | grep -q '^x86_64 *x86_64 *little *8' || fail "snow hosts: $(snow hosts)"
  snow --json hosts | python3 -c 'import json,sys; h=json.load(sys.stdin); assert h[0]["platform"]=="x86_64", h'
  "$linpack" 120 3 > "$state/plain.txt"
  snow run linpack 120 3 > "$state/run.txt" || fail "snow run exited with $?"
  cmp "$state/plain.txt" "$state/run.txt" || fail "the output of snow run differs from a plain run"
  snow ps | grep -q 'exited.*snow-migratable-linpack' || fail "snow ps: $(snow ps)"
  # Without --on, runs spread over the least loaded hosts.
  snow run --detach /bin/sleep 3 > /dev/null
  snow run --detach /bin/sleep 3 > /dev/null
  snow --json ps | python3 -c 'import json,sys; p=[p for p in json.load(sys.stdin) if p["state"]=="running"]; assert len({q["host"] for q in p})==2, p' ||
    fail "placement did not spread the runs: $(snow ps)"
  # The exit status comes through; stderr goes to stderr.
  set +e; snow run /bin/sh -c 'echo out; echo err >&2; exit 3' > "$state/o.txt" 2> "$state/e.txt"; status=$?; set -e
  [[ $status == 3 && $(cat "$state/o.txt") == out && $(cat "$state/e.txt") == err ]] ||
    fail "status $status, stdout '$(cat "$state/o.txt")', stderr '$(cat "$state/e.txt")'"
  # A cluster taken down leaves none of its processes behind.
  snow run --detach /bin/sleep 60 > /dev/null
  pids=$(snow --json ps | python3 -c 'import json,sys; print(" ".join(str(p["pid"]) for p in json.load(sys.stdin) if p["state"]=="running"))')
  [[ -n $pids ]] || fail "no running process to leave behind"
  snow cluster down > /dev/null
  sleep 0.5
  for pid in $pids; do kill -0 "$pid" 2>/dev/null && fail "process $pid outlived snow cluster down"; done
  ;;
ring)
  # Every sample, with arguments that keep it running through four migrations
  # (it spends about a second on each emulated host, then finishes natively).
  # @REPORT@ stands for a file the program writes: compared as well.
  samples=("linpack 400 60" "bitonic 18 16" "graph 3000 1500" "multifile 500 20000 dgrbmsa"
           "wordstats @REPORT@ 200000 100 60")
  python3 - "$manifest" <<'PY' || exit 77
import json, os, sys
targets = {t["name"]: t for t in json.load(open(sys.argv[1]))["targets"]}
for sample in ("linpack", "bitonic", "graph", "multifile", "wordstats"):
    exes = targets.get("snow-migratable-" + sample, {}).get("executables", {})
    missing = [p for p in ("x86_64", "s390x", "ppc", "i686") if not os.access(exes.get(p, "/nonexistent"), os.X_OK)]
    if missing:
        print("skipped: %s is not built for %s in %s" % (sample, ", ".join(missing), sys.argv[1]))
        sys.exit(1)
PY
  snow cluster up --manifest "$manifest" >/dev/null
  for sample in "${samples[@]}"; do
    read -r name args <<< "$sample"
    native=$(python3 -c "import json,sys; print([t for t in json.load(open(sys.argv[1]))['targets'] if t['name']=='snow-migratable-$name'][0]['executables']['x86_64'])" "$manifest")
    "$native" ${args//@REPORT@/$state/$name.plain.report} > "$state/$name.plain"
    rm -f "$state/id"
    snow run "$name" --on x86_64 --id-file "$state/id" ${args//@REPORT@/$state/$name.migrated.report} > "$state/$name.migrated" &
    runner=$!
    wait_for_file "$state/id"
    id=$(cat "$state/id")
    for host in s390x ppc i686 x86_64; do
      snow migrate "$id" "$host" > /dev/null 2> "$state/migrate.err" || fail "$name: migration to $host failed: $(cat "$state/migrate.err")"
      snow --json ps | python3 -c "import json,sys; p=[p for p in json.load(sys.stdin) if p['id']==$id][0]; assert p['host']=='$host', p" ||
        fail "$name: the location directory does not say $host"
    done
    wait $runner || fail "$name: snow run exited with $?"
    snow --json ps | python3 -c "import json,sys; p=[p for p in json.load(sys.stdin) if p['id']==$id][0]; assert p['migrations']==4, p" ||
      fail "$name: not 4 migrations: $(snow ps)"
    cmp "$state/$name.plain" "$state/$name.migrated" || fail "$name: the migrated run's output differs from the plain run's"
    if [[ $args == *@REPORT@* ]]; then
      cmp "$state/$name.plain.report" "$state/$name.migrated.report" || fail "$name: the file it wrote differs"
    fi
    echo "$name: identical output after x86_64 → s390x → ppc → i686 → x86_64 (live)"
  done
  ;;
rollback)
  # The destination's "build" cannot start: the source host restores the
  # state, the process runs on, and the failure is reported.
  printf '{"version":1,"targets":[{"name":"snow-migratable-linpack","executables":{"x86_64":"%s","i686":"/bin/false"}}]}\n' \
    "$linpack" > "$state/broken-manifest.json"
  snow cluster up --manifest "$state/broken-manifest.json" --hosts x86_64,broken=i686 >/dev/null
  "$linpack" 400 40 > "$state/plain.txt"
  snow run linpack --on x86_64 --id-file "$state/id" 400 40 > "$state/migrated.txt" &
  runner=$!
  wait_for_file "$state/id"
  id=$(cat "$state/id")
  if snow migrate "$id" broken 2> "$state/err.txt"; then fail "the migration to a broken destination succeeded"; fi
  grep -Eq "the destination 'broken' did not restore the process|the source did not hand its state to 'broken'" "$state/err.txt" || fail "unclear error: $(cat "$state/err.txt")"
  grep -q "continues on 'x86_64'" "$state/err.txt" || fail "unclear error: $(cat "$state/err.txt")"
  wait $runner || fail "snow run exited with $?"
  cmp "$state/plain.txt" "$state/migrated.txt" || fail "the output differs after the rollback"
  ;;
no_build)
  snow cluster up --manifest "$(host_manifest)" --hosts x86_64,s390x >/dev/null
  snow run linpack --on x86_64 --id-file "$state/id" 400 400 > /dev/null &
  wait_for_file "$state/id"
  id=$(cat "$state/id")
  if snow migrate "$id" s390x 2> "$state/err.txt"; then fail "the migration to s390x was accepted"; fi
  grep -q "no build for s390x" "$state/err.txt" || fail "unclear error: $(cat "$state/err.txt")"
  grep -q "no-build-for-platform" "$state/err.txt" || fail "no error code: $(cat "$state/err.txt")"
  if snow migrate "$id" nowhere 2> "$state/err.txt"; then fail "the migration to nowhere was accepted"; fi
  grep -q "no-such-host" "$state/err.txt" || fail "unclear error: $(cat "$state/err.txt")"
  snow kill "$id" --signal 9
  ;;
kill_trace)
  snow cluster up --manifest "$(host_manifest)" --hosts x86_64,other=x86_64 >/dev/null
  snow trace "$state/trace.json" --seconds 4 2>/dev/null &
  tracer=$!
  sleep 0.5
  snow run linpack --on x86_64 --id-file "$state/id" 400 400 > /dev/null &
  runner=$!
  wait_for_file "$state/id"
  id=$(cat "$state/id")
  snow migrate "$id" other > /dev/null 2>&1 || fail "migration failed"
  snow kill "$id"
  set +e; wait $runner; status=$?; set -e
  [[ $status == 143 ]] || fail "snow run of a killed process exited with $status, not 128+SIGTERM"
  snow ps | grep -q "^ *$id .*exited" || fail "snow ps: $(snow ps)"
  wait $tracer
  python3 - "$state/trace.json" <<'PY' || fail "bad trace"
import json, sys
events = json.load(open(sys.argv[1]))
phases = {e["name"] for e in events if e.get("ph") == "X"}
assert {"collect", "transfer", "restore"} <= phases, phases
names = {e["name"] for e in events if e.get("ph") == "i"}
assert {"process-started", "migration-done", "process-exited"} <= names, names
assert any(e.get("ph") == "M" and e["args"]["name"].startswith("p") for e in events)
PY
  ;;
scheduler_restart)
  snow cluster up --manifest "$(host_manifest)" --hosts x86_64 >/dev/null
  snow run linpack --id-file "$state/id" 400 600 > /dev/null 2>&1 &  # runs for seconds
  wait_for_file "$state/id"
  pid=$(snow --json ps | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["pid"])')
  scheduler=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' "$state/scheduler.json")
  kill -9 "$scheduler"
  sleep 1
  kill -0 "$pid" 2>/dev/null || fail "the process died with the scheduler"
  "$(dirname "$snow")/snow-scheduler" --state-dir "$state" --manifest "$state/host-manifest.json" \
    > "$state/logs/second-scheduler.log" 2>&1 &
  extra_scheduler=$!
  for _ in $(seq 100); do
    [[ $(snow --json hosts 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))' 2>/dev/null) == 1 ]] && break
    sleep 0.1
  done
  snow hosts | grep -q '^x86_64 ' || fail "the host did not re-register: $(snow hosts 2>&1)"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done # and it finishes
  ;;
netns_faults)
  # Needs root: hosts in network namespaces behind a 1 Mbit/s link, so that an
  # 8 MB state takes about a minute to cross and can be hit in the middle.
  # A killed destination, then a link taken down: each time the migration
  # fails with its reason, the process runs on at the source, and its output
  # is the unmigrated run's, byte for byte.
  if [[ $(id -u) != 0 ]]; then echo "skipped: needs root for network namespaces"; exit 77; fi
  command -v tc >/dev/null || { echo "skipped: no tc (iproute2)"; exit 77; }
  snow cluster up --manifest "$(host_manifest)" --hosts a=x86_64,b=x86_64 --rate 1mbit \
    --migration-timeout 5 >/dev/null || fail "snow cluster up --netns failed"
  ns_b=$(python3 -c 'import json,sys; print([n for n in json.load(open(sys.argv[1]))["network"]["namespaces"] if n.endswith("-b")][0])' "$state/cluster.json")
  "$linpack" 1000 12 > "$state/plain.txt"
  for fault in kill-destination cut-link; do
    rm -f "$state/id"
    snow run linpack --on a --id-file "$state/id" 1000 12 > "$state/$fault.txt" &
    runner=$!
    wait_for_file "$state/id"
    id=$(cat "$state/id")
    snow migrate "$id" b 2> "$state/$fault.err" > /dev/null &
    migrator=$!
    sleep 3 # the stream is a few hundred kilobytes in
    if [[ $fault == kill-destination ]]; then
      victims=$(ip netns pids "$ns_b" | while read -r p; do
        [[ $(cat /proc/"$p"/comm) == snowd ]] || echo "$p"; done)
      [[ -n $victims ]] || fail "no waiting process in $ns_b"
      kill -9 $victims
    else
      ip -n "$ns_b" link set eth0 down
    fi
    if wait $migrator; then fail "$fault: the migration succeeded"; fi
    [[ $fault == cut-link ]] && ip -n "$ns_b" link set eth0 up
    grep -q "continues on 'a'" "$state/$fault.err" || fail "$fault: unclear error: $(cat "$state/$fault.err")"
    wait $runner || fail "$fault: snow run exited with $?"
    cmp "$state/plain.txt" "$state/$fault.txt" || fail "$fault: the output differs from the plain run"
    snow --json ps | python3 -c "import json,sys; p=[p for p in json.load(sys.stdin) if p['id']==$id][0]; assert p['host']=='a' and p['migrations']==0, p" ||
      fail "$fault: the process table does not say it stayed on a: $(snow ps)"
    echo "$fault: $(tail -1 "$state/$fault.err")"
  done
  ;;
group_checkpoints)
  # A message-passing group checkpointed every half second with ranks on
  # i686: its members take snowd's requests through the channels' service
  # thread, not SIGUSR1 (qemu-i386 corrupts a threaded program's TLS when a
  # signal handler returns; docs/fault-tolerance.md). Every rank must exit 0
  # and the output equal the unmigrated run's; the store is empty after.
  python3 - "$manifest" <<'PY' || exit 77
import json, os, sys
targets = {t["name"]: t for t in json.load(open(sys.argv[1]))["targets"]}
exes = targets.get("snow-channel-chaos", {}).get("executables", {})
missing = [p for p in ("x86_64", "i686") if not os.access(exes.get(p, "/nonexistent"), os.X_OK)]
if missing:
    print("skipped: snow-channel-chaos is not built for %s in %s" % (", ".join(missing), sys.argv[1]))
    sys.exit(1)
PY
  snow cluster up --manifest "$manifest" --hosts x86_64,i686 --trace "$state/events.lines" >/dev/null
  snow run -n 4 --hosts x86_64 snow-channel-chaos 1200 20000 > "$state/plain.txt" 2> "$state/plain.err" ||
    fail "the unmigrated group failed: $(cat "$state/plain.err")"
  snow run -n 4 --hosts x86_64,i686 --checkpoint-every 0.5s snow-channel-chaos 1200 20000 \
    > "$state/checkpointed.txt" 2> "$state/checkpointed.err" ||
    fail "the checkpointed group exited with $?: $(tail -5 "$state/checkpointed.err")"
  cmp "$state/plain.txt" "$state/checkpointed.txt" || fail "the checkpointed group's output differs"
  snow cluster down > /dev/null  # writes the trace out
  committed=$(grep -c ' checkpoint-committed ' "$state/events.lines" || true)
  (( committed >= 2 )) || fail "only $committed checkpoint rounds committed; the group was not checkpointed"
  echo "$committed checkpoint rounds committed"
  left=$(ls "$state/checkpoints" 2>/dev/null | wc -l)
  [[ $left == 0 ]] || fail "$left checkpoint files left in the store: $(ls "$state/checkpoints")"
  ;;
*) echo "unknown case $case_name" >&2; exit 2 ;;
esac
echo "PASS: $case_name"
