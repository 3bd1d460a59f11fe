#!/usr/bin/env python3
"""What periodic checkpoints cost a running program (docs/fault-tolerance.md).

Measured in one run, on this machine, as ratios (it is shared and noisy):
on a one-host loopback cluster, the same program is run by `snow run`
alternately without and with --checkpoint-every, --repeat times each; it
reports the ratio of the median wall times, the checkpoints taken, and how
long each held the program (checkpoint-committed's ms: from the request to
the commit, the pause included) — median and longest — and their size.
Every run's output must equal the first's.

usage: periodic_checkpoint.py --snow S --manifest M [--program linpack] [--args 400 200]
                              [--every 1s] [--repeat 3]
"""
import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--snow", required=True)
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--program", default="linpack")
    ap.add_argument("--args", nargs="*", default=["400", "200"])
    ap.add_argument("--every", default="1s")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    state = tempfile.mkdtemp(prefix="snow-bench-ckpt.")
    snow = [a.snow, "--state-dir", state]
    try:
        subprocess.run(snow + ["cluster", "up", "--manifest", a.manifest, "--hosts", "x86_64"], check=True,
                       capture_output=True)
        times = {"plain": [], "checkpointed": []}
        held, sizes, outputs = [], [], set()
        for _ in range(a.repeat):
            for kind in ("plain", "checkpointed"):
                extra = ["--checkpoint-every", a.every] if kind == "checkpointed" else []
                start = time.monotonic()
                r = subprocess.run(snow + ["--json", "run"] + extra + [a.program] + a.args,
                                   capture_output=True, text=True, check=True)
                times[kind].append(time.monotonic() - start)
                out = []
                for line in r.stdout.splitlines():
                    e = json.loads(line)
                    if e["event"] == "process-output" and e["data"]["stream"] == "stdout":
                        out.append(e["data"]["data"])
                    elif e["event"] == "checkpoint-committed":
                        held.append(e["data"]["ms"])
                        sizes.append(e["data"]["bytes"])
                outputs.add("".join(out))
        if len(outputs) != 1:
            print("FAIL: the outputs differ between runs")
            return 1
        plain, checkpointed = statistics.median(times["plain"]), statistics.median(times["checkpointed"])
        print(f"program: {a.program} {' '.join(a.args)}, --checkpoint-every {a.every}, {a.repeat} runs each")
        print(f"wall time: plain {plain:.2f} s, checkpointed {checkpointed:.2f} s, ratio {checkpointed / plain:.3f}")
        if held:
            print(f"checkpoints: {len(held)} ({len(held) / a.repeat:.1f} a run) of {statistics.median(sizes) / 1e6:.2f} MB; "
                  f"program held {statistics.median(held):.1f} ms median, {max(held):.1f} ms longest")
        return 0
    finally:
        subprocess.run(snow + ["cluster", "down"], capture_output=True)
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
