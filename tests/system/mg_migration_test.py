#!/usr/bin/env python3
"""NAS MG as a group of 8 over several platforms, migrated while it runs.

  mg_migration_test.py --scenario S --snow SNOW --manifest M --launch L --host-exe E
                       [--hosts x86_64,s390x,ppc,i686] [--class S] [--ranks 8]

Scenarios (issue 5, "How it is checked"):
  spread   the group over the hosts, unmigrated (class S in the suite)
  rank0    rank 0 migrated to a host of another architecture after iteration 2
  every    every rank migrated once, all at the same poll-point, each to the next host
  two      two ranks migrated at the same time
(the migrating scenarios run class W in the suite: class S ends before a
migration requested after an iteration reaches its next poll-point)
The output — the residual norms to 13 digits and VERIFICATION SUCCESSFUL —
must equal snow-launch's unmigrated run on this host, byte for byte (the
norm is bit-identical). Exit 77 when the manifest lacks a needed platform.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", required=True, choices=["spread", "rank0", "every", "two"])
    for name in ("snow", "manifest", "launch", "host-exe"):
        ap.add_argument("--" + name, required=True)
    ap.add_argument("--program", default="snow-migratable-mg")
    ap.add_argument("--hosts", default="x86_64,s390x,ppc,i686")
    ap.add_argument("--class", dest="klass", default="S")
    ap.add_argument("--ranks", type=int, default=8)
    a = ap.parse_args()
    hosts = a.hosts.split(",")
    with open(a.manifest) as f:
        target = next((t for t in json.load(f)["targets"] if t["name"] == a.program), None)
    if target is None or any(h not in target["executables"] for h in hosts):
        print(f"SKIP: {a.manifest} has no {a.program} for each of {hosts}")
        return 77

    expected = subprocess.run([a.launch, "-n", str(a.ranks), a.host_exe, a.klass], capture_output=True, text=True)
    if expected.returncode != 0 or "VERIFICATION SUCCESSFUL" not in expected.stdout:
        print("FAIL: the unmigrated reference run did not verify:\n" + expected.stdout + expected.stderr)
        return 1

    state = tempfile.mkdtemp(prefix="snow-mg.")
    snow = [a.snow, "--state-dir", state]
    try:
        subprocess.run(snow + ["cluster", "up", "--manifest", a.manifest, "--hosts", a.hosts], check=True,
                       capture_output=True)
        group = subprocess.Popen(snow + ["run", "-n", str(a.ranks), "--hosts", a.hosts, a.program, a.klass],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        errors = []
        threading.Thread(target=lambda: errors.append(group.stderr.read()), daemon=True).start()
        migrations = []

        def processes():
            ps = json.loads(subprocess.run(snow + ["--json", "ps"], capture_output=True, text=True).stdout)
            return sorted((p for p in ps if p.get("group")), key=lambda p: p["rank"])

        def migrate(process, host):
            r = subprocess.run(snow + ["migrate", str(process["id"]), host], capture_output=True, text=True)
            migrations.append((process["rank"], process["host"], host, r.returncode, (r.stdout + r.stderr).strip()))

        def other_architecture(host):
            return hosts[(hosts.index(host) + 1) % len(hosts)]

        def at_once(chosen):
            threads = [threading.Thread(target=migrate, args=(p, other_architecture(p["host"]))) for p in chosen]
            for t in threads:
                t.start()
            for t in threads:
                t.join()

        trigger = {"rank0": "iteration  2:", "every": "iteration  1:", "two": "iteration  1:"}.get(a.scenario)
        output = []
        for line in group.stdout:
            output.append(line)
            if trigger and line.startswith(trigger):
                trigger = None
                ps = processes()
                if a.scenario == "rank0":
                    at_once([ps[0]])
                elif a.scenario == "every":
                    at_once(ps)
                else:
                    at_once([ps[1], ps[len(ps) // 2 + 1]])
        status = group.wait(timeout=1200)
        got = "".join(output)
        wanted = {"spread": 0, "rank0": 1, "every": a.ranks, "two": 2}[a.scenario]
        done = [m for m in migrations if m[3] == 0]
        problems = []
        if status != 0:
            problems.append(f"the group exited with status {status}")
        if got != expected.stdout:
            problems.append(f"output differs:\n--- unmigrated\n{expected.stdout}--- migrated\n{got}")
        if len(done) != wanted:
            problems.append(f"{len(done)} of {wanted} migrations happened: {migrations}")
        for rank, source, destination, _, _ in done:
            print(f"rank {rank}: {source} → {destination}")
        if problems:
            print("FAIL: " + "\n".join(problems))
            print("--- group stderr\n" + "".join(errors)[-3000:])
            return 1
        print(f"{a.scenario}: {len(done)} migration(s); " + got.strip().splitlines()[-1] + ", norm identical")
        return 0
    finally:
        subprocess.run(snow + ["cluster", "down"], capture_output=True)
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
