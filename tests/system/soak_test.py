#!/usr/bin/env python3
"""Soak: a local cluster under random migrations and host failures.

  soak_test.py --snow S --manifest M --launch L --build B [--seconds 120] [--seed 1]
               [--hosts x86_64,s390x,ppc,i686,b=x86_64] [--migrate-every 0.3] [--kill-every 40]
               [--report report.json]

For --seconds, the cluster keeps a mix of jobs running — LINPACK, bitonic
sort and the cyclic graph alone, channel_chaos (every message numbered and
checked by its receiver) and NAS MG as groups of 4 — all with periodic
checkpoints. Meanwhile a random running process is migrated to a random other
host every --migrate-every seconds, and every --kill-every seconds a random
host other than x86_64 dies (its snowd and every program it runs are killed;
in network namespaces its link goes down too) and comes back a few seconds
later. Then the jobs in flight finish and the run reports migrations,
messages, faults, restarts, and checks:
  * every job's output equals its unmigrated run's, byte for byte (none lost
    or corrupted) and every job exited 0;
  * no process is left: the scheduler lists none running, and after
    `snow cluster down` no program of the build runs on the machine.
Uses network namespaces when root, loopback otherwise. Exit 77 when the
manifest lacks a program for a host's platform.
"""
import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

JOBS = [
    # name, snow run arguments, reference command (relative to the build), weight.
    # A few seconds each natively, ten to thirty times that under qemu.
    ("linpack", ["linpack", "300", "100"], ["samples/snow-migratable-linpack", "300", "100"], 2),
    ("bitonic", ["bitonic", "15", "40"], ["samples/snow-migratable-bitonic", "15", "40"], 2),
    ("graph", ["graph", "3000", "100"], ["samples/snow-migratable-graph", "3000", "100"], 1),
    ("chaos", ["-n", "4", "snow-channel-chaos", "600", "20000"],
     ["@launch", "-n", "4", "tests/runtime/comm/snow-channel-chaos", "600", "20000"], 1),
    ("mg", ["-n", "4", "mg", "W"], ["@launch", "-n", "4", "samples/mg/snow-sample-mg", "W"], 1),
]
PROGRAMS = ["snow-migratable-linpack", "snow-migratable-bitonic", "snow-migratable-graph",
            "snow-channel-chaos", "snow-migratable-mg"]


class Soak:
    def __init__(self, a):
        self.a = a
        self.rng = random.Random(a.seed)
        self.state = tempfile.mkdtemp(prefix="snow-soak.")
        self.snow = [a.snow, "--state-dir", self.state]
        self.lock = threading.Lock()
        self.jobs = []  # dicts: name, proc, stdout, exits, messages, recovered
        self.migrations = {"done": 0, "refused": 0, "failed": 0}
        self.faults = []
        self.stop = threading.Event()
        self.netns = os.geteuid() == 0 and shutil.which("ip") is not None
        self.hosts = [h.split("=")[0] for h in a.hosts.split(",")]  # name or name=platform

    def run(self, *args, **kw):
        return subprocess.run(self.snow + list(args), capture_output=True, text=True, **kw)

    def expected_outputs(self):
        self.expected = {}
        for name, _, reference, _ in JOBS:
            command = [self.a.launch if w == "@launch" else
                       (os.path.join(self.a.build, w) if "/" in w else w) for w in reference]
            r = subprocess.run(command, capture_output=True, text=True)
            if r.returncode != 0:
                raise RuntimeError(f"the unmigrated {name} run failed: {r.stderr}")
            self.expected[name] = r.stdout

    def launch(self, name, args):
        p = subprocess.Popen(self.snow + ["--json", "run", "--checkpoint-every", self.a.checkpoint_every] + args,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        job = {"name": name, "proc": p, "stdout": [], "messages": 0, "recovered": 0, "err": "",
               "committed": 0, "events": []}

        def follow():
            for line in p.stdout:
                e = json.loads(line)
                if e["event"] not in ("process-output", "message-sent", "message-received"):
                    job["events"].append(line.strip())
                d = e["data"]
                if e["event"] == "process-output" and d["stream"] == "stdout":
                    job["stdout"].append(d["data"])
                elif e["event"] == "message-sent":
                    job["messages"] += 1
                elif e["event"] == "process-recovered":
                    job["recovered"] += 1
                elif e["event"] == "checkpoint-committed":
                    job["committed"] += 1

        job["readers"] = [threading.Thread(target=follow, daemon=True),
                          threading.Thread(target=lambda: job.__setitem__("err", p.stderr.read()), daemon=True)]
        for t in job["readers"]:
            t.start()
        with self.lock:
            self.jobs.append(job)

    def keep_jobs_running(self, deadline):
        weights = [w for *_, w in JOBS]
        while time.time() < deadline:
            with self.lock:
                running = sum(1 for j in self.jobs if j["proc"].poll() is None)
            if running < self.a.concurrent_jobs:
                name, args, _, _ = self.rng.choices(JOBS, weights)[0]
                self.launch(name, args)
            time.sleep(0.5)

    def migrate_at_random(self):
        while not self.stop.is_set():
            time.sleep(self.a.migrate_every)
            ps = self.run("--json", "ps")
            try:
                running = [p for p in json.loads(ps.stdout) if p["state"] == "running"]
                hosts = [h["name"] for h in json.loads(self.run("--json", "hosts").stdout)]
            except (json.JSONDecodeError, KeyError):
                continue
            if not running or len(hosts) < 2:
                continue
            p = self.rng.choice(running)
            to = self.rng.choice([h for h in hosts if h != p["host"]])
            r = self.run("migrate", str(p["id"]), to)
            with self.lock:
                if r.returncode == 0:
                    self.migrations["done"] += 1
                elif any(w in r.stderr for w in ("already-migrating", "not-running", "periodic checkpoint",
                                                  "not running", "has exited", "no-such-host", "is not registered")):
                    self.migrations["refused"] += 1  # raced with its end, a checkpoint or a fault
                else:
                    self.migrations["failed"] += 1  # it went on where it was (checked by its output)

    def host_pids(self, name):
        with open(os.path.join(self.state, "cluster.json")) as f:
            cluster = json.load(f)
        index = self.hosts.index(name)
        if self.netns:
            ns = cluster["network"]["namespaces"][index]
            out = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True).stdout
            return ns, [int(p) for p in out.split()]
        snowd = cluster["hosts"][index]
        children = subprocess.run(["pgrep", "-P", str(snowd)], capture_output=True, text=True).stdout.split()
        return None, [snowd] + [int(c) for c in children]

    def snowd_commands(self):
        """Each host's snowd command line, as `snow cluster up` started it."""
        with open(os.path.join(self.state, "cluster.json")) as f:
            pids = json.load(f)["hosts"]
        commands = {}
        for name, pid in zip(self.hosts, pids):
            with open(f"/proc/{pid}/cmdline") as f:
                command = [w for w in f.read().split("\0") if w]
            if self.netns:  # started as `ip netns exec <ns> snowd …`, which became snowd
                ns = self.host_pids(name)[0]
                command = ["ip", "netns", "exec", ns] + command
            commands[name] = command
        return commands

    def kill_and_restart_hosts(self):
        commands = self.snowd_commands()
        while not self.stop.wait(self.a.kill_every):
            victim = self.rng.choice([h for h in self.hosts if h != "x86_64"])
            ns, pids = self.host_pids(victim)
            command = commands[victim]
            if ns:
                subprocess.run(["ip", "-n", ns, "link", "set", "eth0", "down"], capture_output=True)
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            with self.lock:
                self.faults.append({"host": victim, "processes": len(pids), "at": time.time()})
            time.sleep(self.a.down_for)
            if ns:
                subprocess.run(["ip", "-n", ns, "link", "set", "eth0", "up"], capture_output=True)
            log = open(os.path.join(self.state, "logs", f"snowd-{victim}.log"), "a")
            restarted = subprocess.Popen(command, stdout=log, stderr=log, start_new_session=True)
            with open(os.path.join(self.state, "cluster.json")) as f:
                cluster = json.load(f)
            cluster["hosts"][self.hosts.index(victim)] = restarted.pid
            with open(os.path.join(self.state, "cluster.json"), "w") as f:
                json.dump(cluster, f)

    def leaked_processes(self):
        """Processes still running one of the programs (natively or under qemu)."""
        with open(self.a.manifest) as f:
            executables = {e for t in json.load(f)["targets"] if t["name"] in PROGRAMS
                           for e in t["executables"].values()}
        executables |= {os.path.join(self.a.build, w) for _, _, ref, _ in JOBS for w in ref if "/" in w}
        leaked = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/cmdline") as f:
                    argv = [w for w in f.read().split("\0") if w]
            except OSError:
                continue
            if any(w in executables for w in argv[:4]):
                leaked.append(f"{pid} {' '.join(argv)}")
        return leaked

    def main(self):
        a = self.a
        self.expected_outputs()
        up = ["cluster", "up", "--manifest", a.manifest, "--hosts", a.hosts, "--host-timeout", "3"]
        if self.netns:
            up.append("--netns")
        r = self.run(*up)
        if r.returncode != 0:
            raise RuntimeError("cluster up failed: " + r.stderr)
        started = time.time()
        workers = [threading.Thread(target=self.migrate_at_random, daemon=True),
                   threading.Thread(target=self.kill_and_restart_hosts, daemon=True)]
        for w in workers:
            w.start()
        self.keep_jobs_running(started + a.seconds)
        self.stop.set()
        for w in workers:
            w.join(timeout=a.kill_every + a.down_for + 30)
        for job in self.jobs:
            try:
                job["status"] = job["proc"].wait(timeout=900)
            except subprocess.TimeoutExpired:
                job["proc"].kill()
                job["status"] = "timeout"
            # The process has exited, but its last lines may still be in the
            # pipe: the readers finish at its end of file.
            for t in job["readers"]:
                t.join(timeout=60)
        elapsed = time.time() - started
        time.sleep(1)  # the last reports
        leftover = [p for p in json.loads(self.run("--json", "ps").stdout) if p["state"] != "exited"]
        self.run("cluster", "down")
        time.sleep(0.5)
        leaked = self.leaked_processes()

        bad = []
        for job in self.jobs:
            got = "".join(job["stdout"])
            if job["status"] != 0 or got != self.expected[job["name"]]:
                base = os.path.join(self.state, f"bad-{len(bad)}-{job['name']}")
                with open(base + ".got", "w") as f:
                    f.write(got)
                with open(base + ".expected", "w") as f:
                    f.write(self.expected[job["name"]])
                with open(base + ".events", "w") as f:
                    f.write("\n".join(job["events"]))
                bad.append({"job": job["name"], "status": job["status"], "files": base + ".*",
                            "why": "output differs" if got != self.expected[job["name"]] else "exit status",
                            "stderr": job["err"][-800:]})
        report = {
            "seconds": round(elapsed, 1), "netns": self.netns, "hosts": self.hosts,
            "jobs": len(self.jobs), "jobs_by_program": {n: sum(1 for j in self.jobs if j["name"] == n) for n, *_ in JOBS},
            "migrations": self.migrations["done"], "migrations_refused": self.migrations["refused"],
            "migrations_failed_and_continued": self.migrations["failed"],
            "messages": sum(j["messages"] for j in self.jobs),
            "checkpoints_committed": sum(j["committed"] for j in self.jobs),
            "host_faults": len(self.faults), "processes_restarted": sum(j["recovered"] for j in self.jobs),
            "lost_or_corrupted_outputs": len(bad), "processes_left_running": len(leftover),
            "processes_leaked": len(leaked),
        }
        print(json.dumps(report, indent=2))
        if a.report:
            with open(a.report, "w") as f:
                json.dump(report, f, indent=2)
        problems = bad + ([{"left running": leftover}] if leftover else []) + ([{"leaked": leaked}] if leaked else [])
        if self.migrations["done"] == 0:
            problems.append({"why": "no migration happened"})
        if problems:
            print("FAIL: " + json.dumps(problems, indent=2)[:6000])
            print("state kept in " + self.state)
            return 1
        shutil.rmtree(self.state, ignore_errors=True)
        print(f"PASS: {report['jobs']} jobs, {report['migrations']} migrations, {report['messages']} messages, "
              f"{report['host_faults']} host faults, {report['processes_restarted']} restarts; "
              "no output lost or corrupted, no process leaked")
        return 0


def main():
    ap = argparse.ArgumentParser()
    for name in ("snow", "manifest", "launch", "build"):
        ap.add_argument("--" + name, required=True)
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hosts", default="x86_64,s390x,ppc,i686,b=x86_64")
    ap.add_argument("--migrate-every", type=float, default=0.3)
    ap.add_argument("--kill-every", type=float, default=40)
    ap.add_argument("--down-for", type=float, default=5)
    ap.add_argument("--checkpoint-every", default="2s")
    ap.add_argument("--concurrent-jobs", type=int, default=4)
    ap.add_argument("--report")
    a = ap.parse_args()
    with open(a.manifest) as f:
        targets = {t["name"]: t for t in json.load(f)["targets"]}
    for program in PROGRAMS:
        if program not in targets or any(h.split("=")[-1] not in targets[program]["executables"]
                                         for h in a.hosts.split(",")):
            print(f"SKIP: {a.manifest} has no {program} for each of {a.hosts}")
            return 77
    soak = Soak(a)
    try:
        return soak.main()
    except Exception:
        subprocess.run(soak.snow + ["cluster", "down"], capture_output=True)
        raise


if __name__ == "__main__":
    sys.exit(main())
