#!/usr/bin/env python3
"""Message channels under migration, on a real local cluster.

A group of channel_chaos processes (every message sequence-numbered and
checked by its receiver) runs across hosts of several platforms while
processes are migrated at random moments, several of them at the same time;
the group's output must equal an unmigrated run's byte for byte (which it
only does if no message was lost, duplicated or reordered: a receiver that
sees one exits 3). The scheduler's trace must hold the message events and
one channel drain per migration. Prints what it survived.

  channel_chaos_test.py --snow S --manifest M --launch L --program snow-channel-chaos
                        --host-exe E [--hosts x86_64,s390x,…] [--ranks 8]
                        [--rounds 300] [--work 20000] [--migrations 12] [--seed 1]
                        [--concurrent 2] [--min-migrations 6]
Exit 77 when the manifest lacks a platform the hosts need.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--snow", required=True)
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--launch", required=True)
    ap.add_argument("--program", default="snow-channel-chaos")
    ap.add_argument("--host-exe", required=True)
    ap.add_argument("--hosts", default="x86_64,s390x,ppc,i686")
    ap.add_argument("--ranks", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=300)
    ap.add_argument("--work", type=int, default=20000)
    ap.add_argument("--migrations", type=int, default=12)
    ap.add_argument("--min-migrations", type=int, default=6)
    ap.add_argument("--concurrent", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    with open(a.manifest) as f:
        manifest = json.load(f)
    target = next((t for t in manifest["targets"] if t["name"] == a.program), None)
    specs = a.hosts.split(",")  # name or name=platform, as `snow cluster up --hosts` takes them
    hosts = [s.split("=")[0] for s in specs]
    platforms = [s.split("=")[-1] for s in specs]
    if target is None or any(p not in target["executables"] for p in platforms):
        print(f"SKIP: {a.manifest} has no {a.program} for every one of {hosts}")
        return 77

    state = tempfile.mkdtemp(prefix="snow-chaos.")
    trace = os.path.join(state, "trace.txt")

    def snow(*args, check=True, capture=True):
        r = subprocess.run([a.snow, "--state-dir", state, *args], capture_output=capture, text=True)
        if check and r.returncode != 0:
            raise RuntimeError(f"snow {' '.join(args)} failed ({r.returncode}): {r.stdout}{r.stderr}")
        return r

    try:
        expected = subprocess.run([a.launch, "-n", str(a.ranks), a.host_exe, str(a.rounds), str(a.work)],
                                  capture_output=True, text=True, timeout=600)
        if expected.returncode != 0:
            print("FAIL: the unmigrated run failed:", expected.stdout, expected.stderr)
            return 1
        snow("cluster", "up", "--manifest", a.manifest, "--hosts", a.hosts, "--trace", trace)
        out_path = os.path.join(state, "group.out")
        with open(out_path, "w") as out, open(os.path.join(state, "group.err"), "w") as err:
            group = subprocess.Popen([a.snow, "--state-dir", state, "run", "-n", str(a.ranks), "--hosts", ",".join(hosts),
                                      a.program, str(a.rounds), str(a.work)], stdout=out, stderr=err)
        rng = random.Random(a.seed)
        done = {"ok": 0, "refused": 0, "failed": []}
        lock = threading.Lock()

        def migrate(pid, host):
            r = snow("migrate", str(pid), host, check=False)
            with lock:
                if r.returncode == 0:
                    done["ok"] += 1
                elif any(end in r.stderr for end in ("not-running", "is exited", "before it reached a poll-point",
                                                      "ended before it migrated")):
                    done["refused"] += 1  # it finished first
                else:
                    done["failed"].append(f"process {pid} → {host}: {r.stderr.strip()}")

        time.sleep(1.0)
        attempts = 0
        while attempts < a.migrations and group.poll() is None:
            ps = json.loads(snow("--json", "ps").stdout)
            running = [p for p in ps if p["state"] == "running" and p.get("group")]
            if not running:
                time.sleep(0.2)
                continue
            batch = rng.sample(running, min(len(running), rng.randint(1, a.concurrent)))
            threads = []
            for p in batch:
                host = rng.choice([h for h in hosts if h != p["host"]])
                threads.append(threading.Thread(target=migrate, args=(p["id"], host)))
                attempts += 1
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            time.sleep(rng.uniform(0.05, 0.6))
        status = group.wait(timeout=900)
        with open(out_path) as f:
            got = f.read()
        problems = []
        if status != 0:
            problems.append(f"the group exited with status {status}")
        if got != expected.stdout:
            problems.append(f"output differs:\n--- unmigrated\n{expected.stdout}--- migrated\n{got}")
        if done["failed"]:
            problems.append("migrations failed:\n  " + "\n  ".join(done["failed"]))
        if done["ok"] < a.min_migrations:
            problems.append(f"only {done['ok']} migrations happened (at least {a.min_migrations} wanted)")
        snow("cluster", "down")
        events = {}
        with open(trace) as f:
            for line in f:
                parts = line.split(" ", 2)
                if len(parts) >= 2:
                    events[parts[1]] = events.get(parts[1], 0) + 1
        if events.get("message-sent", 0) == 0 or events.get("message-received", 0) == 0:
            problems.append(f"the trace has no message events: {events}")
        if done["ok"] > 0 and events.get("channel-marker", 0) == 0:
            problems.append(f"{done['ok']} migrations drained no end-of-channel marker: {events}")
        if events.get("channel-drain", 0) < done["ok"]:
            problems.append(f"{done['ok']} migrations but {events.get('channel-drain', 0)} channel drains traced")
        messages = got.split(":")[1].split()[0] if ":" in got else "?"
        print(f"{a.ranks} ranks on {a.hosts}: {done['ok']} migrations ({done['refused']} refused at the end), "
              f"{messages} messages checked, {events.get('message-sent', 0)} sends and "
              f"{events.get('channel-drain', 0)} drains and {events.get('channel-marker', 0)} markers traced")
        if problems:
            print("FAIL: " + "\n".join(problems))
            for name in sorted(os.listdir(os.path.join(state, "logs"))):
                with open(os.path.join(state, "logs", name)) as f:
                    print(f"--- {name}\n" + "".join(f.readlines()[-15:]))
            with open(os.path.join(state, "group.err")) as f:
                print("--- group stderr\n" + f.read()[-3000:])
            return 1
        return 0
    finally:
        subprocess.run([a.snow, "--state-dir", state, "cluster", "down"], capture_output=True)
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
