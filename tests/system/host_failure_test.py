#!/usr/bin/env python3
"""A host dies while NAS MG and two sequential samples run with periodic checkpoints.

  host_failure_test.py --snow SNOW --manifest M --launch L --mg-exe E --linpack-exe E --bitonic-exe E
                       [--hosts x86_64,s390x,ppc,i686] [--victim s390x] [--every 3s]

Issue 8's check: a local cluster in network namespaces (root), MG class W as a
group of 8 over the hosts and LINPACK and bitonic sort on the victim host, all
with --checkpoint-every. Once each has committed a checkpoint, the victim host
dies: every process in its namespace is killed and its link is deleted, so its
connection to the scheduler goes silent rather than closing. The scheduler must
notice (no heartbeat for --host-timeout), restart the lost processes from their
latest checkpoints on hosts of other platforms — MG's whole group from its
coordinated checkpoint — and every program's output must equal its unmigrated
run's, byte for byte, with MG's verification successful.
Exit 77 (skipped) without root or without the programs for every host.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time


def main():
    ap = argparse.ArgumentParser()
    for name in ("snow", "manifest", "launch", "mg-exe", "linpack-exe", "bitonic-exe"):
        ap.add_argument("--" + name, required=True)
    ap.add_argument("--hosts", default="x86_64,s390x,ppc,i686")
    ap.add_argument("--victim", default="s390x")
    ap.add_argument("--every", default="3s")
    ap.add_argument("--host-timeout", default="3")
    a = ap.parse_args()
    hosts = a.hosts.split(",")
    if os.geteuid() != 0 or shutil.which("ip") is None:
        print("SKIP: needs root and iproute2 for the hosts' network namespaces")
        return 77
    with open(a.manifest) as f:
        targets = {t["name"]: t for t in json.load(f)["targets"]}
    for program in ("snow-migratable-mg", "snow-migratable-linpack", "snow-migratable-bitonic"):
        if program not in targets or any(h not in targets[program]["executables"] for h in hosts):
            print(f"SKIP: {a.manifest} has no {program} for each of {hosts}")
            return 77

    # name, snow run arguments, unmigrated reference command
    jobs = [
        ("mg", ["-n", "8", "--hosts", a.hosts, "mg", "W"], [a.launch, "-n", "8", a.mg_exe, "W"]),
        ("linpack", ["--on", a.victim, "linpack", "400", "120"], [a.linpack_exe, "400", "120"]),
        ("bitonic", ["--on", a.victim, "bitonic", "16", "40"], [a.bitonic_exe, "16", "40"]),
    ]
    expected = {}
    for name, _, reference in jobs:
        r = subprocess.run(reference, capture_output=True, text=True)
        if r.returncode != 0:
            print(f"FAIL: the unmigrated {name} run failed:\n{r.stdout}{r.stderr}")
            return 1
        expected[name] = r.stdout
    if "VERIFICATION SUCCESSFUL" not in expected["mg"]:
        print("FAIL: the unmigrated MG run did not verify")
        return 1

    state = tempfile.mkdtemp(prefix="snow-host-failure.")
    snow = [a.snow, "--state-dir", state]
    keep = False
    try:
        subprocess.run(snow + ["cluster", "up", "--manifest", a.manifest, "--hosts", a.hosts, "--netns",
                               "--host-timeout", a.host_timeout], check=True, capture_output=True)
        with open(os.path.join(state, "cluster.json")) as f:
            namespace = next(n for n in json.load(f)["network"]["namespaces"] if n.endswith("-" + a.victim))

        runs = {}
        for name, args, _ in jobs:
            p = subprocess.Popen(snow + ["--json", "run", "--checkpoint-every", a.every] + args,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            runs[name] = {"proc": p, "stdout": [], "committed": 0, "recovered": [], "exits": [], "err": []}

        def follow(run):
            for line in run["proc"].stdout:
                e = json.loads(line)
                d = e["data"]
                if e["event"] == "process-output" and d["stream"] == "stdout":
                    run["stdout"].append(d["data"])
                elif e["event"] == "checkpoint-committed":
                    run["committed"] += 1
                elif e["event"] == "process-recovered":
                    run["recovered"].append(d)
                elif e["event"] == "process-exited":
                    run["exits"].append(d)

        threads = []
        for run in runs.values():
            run["readers"] = [threading.Thread(target=follow, args=(run,), daemon=True),
                              threading.Thread(target=lambda r=run: r["err"].append(r["proc"].stderr.read()),
                                               daemon=True)]
            threads += run["readers"]
        for t in threads:
            t.start()

        deadline = time.time() + 600
        while any(r["committed"] == 0 for r in runs.values()):
            if time.time() > deadline or any(r["proc"].poll() is not None for r in runs.values()):
                keep = True
                print("FAIL: not every program committed a checkpoint before one ended: "
                      + str({n: r["committed"] for n, r in runs.items()}))
                return 1
            time.sleep(0.2)
        # The host dies: its processes (snowd and the programs) and its link.
        victims = subprocess.run(["ip", "netns", "pids", namespace], capture_output=True, text=True).stdout.split()
        for pid in victims:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
        subprocess.run(["ip", "-n", namespace, "link", "delete", "eth0"], capture_output=True)
        killed_at = time.time()
        print(f"killed host {a.victim}: {len(victims)} processes; checkpoints so far: "
              + ", ".join(f"{n} {r['committed']}" for n, r in runs.items()))

        problems = []
        for name, run in runs.items():
            try:
                status = run["proc"].wait(timeout=900)
            except subprocess.TimeoutExpired:
                run["proc"].kill()
                status = "timeout"
            for t in run["readers"]:  # the last lines may still be in the pipe
                t.join(timeout=60)
            got = "".join(run["stdout"])
            if status != 0:
                problems.append(f"{name}: snow run exited with {status}: {''.join(run['err'])[-2000:]}")
            if got != expected[name]:
                problems.append(f"{name}: output differs:\n--- unmigrated\n{expected[name][-1500:]}"
                                f"--- with the host killed\n{got[-1500:]}")
            if not run["recovered"]:
                problems.append(f"{name}: nothing was recovered")
            for r in run["recovered"]:
                if r["to"] == a.victim or r["lost_host"] != a.victim:
                    problems.append(f"{name}: an odd recovery: {r}")
            moved = sorted({(r.get("rank", 0), r["from"], r["to"]) for r in run["recovered"]})
            print(f"{name}: {run['committed']} checkpoints; restarted "
                  + ", ".join(f"rank {k} {f}→{t}" if name == "mg" else f"{f}→{t}" for k, f, t in moved)
                  + f"; work lost {max((r['lost_s'] for r in run['recovered']), default=0):.1f} s")
        mg_recovered = {r["rank"] for r in runs["mg"]["recovered"]}
        if len(mg_recovered) != 8:
            problems.append(f"MG: only ranks {sorted(mg_recovered)} restarted; the whole group must")
        if problems:
            keep = True
            print("FAIL: " + "\n".join(problems))
            for f in sorted(os.listdir(os.path.join(state, "logs"))):
                with open(os.path.join(state, "logs", f), errors="replace") as log:
                    print(f"--- {f}\n" + log.read()[-1500:])
            return 1
        print(f"PASS: all three finished with their unmigrated output, {time.time() - killed_at:.0f} s after the kill")
        return 0
    finally:
        subprocess.run(snow + ["cluster", "down"], capture_output=True)
        if keep:
            print("state kept in " + state)
        else:
            shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
