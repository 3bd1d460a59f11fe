#!/usr/bin/env python3
"""The live migration's pipeline against its stages, measured in one run.

  stages     collect alone (a checkpoint written to a file in /dev/shm), transfer
             alone (the same bytes over a loopback TCP connection to a reader
             that discards them) and restore alone (a restart from the file),
             each read off the runtime's notices or timed here
  pipelined  the live migration of the same program at the same poll-point:
             connect → stream → restore → commit, from the source's notice
  goal       pipelined ≤ 1.25 × the slowest stage (SNOW's Table 1 total is the
             sum of the stages)

With --wire RATE (root: network namespaces and tc), it also brings up a
two-host cluster whose link is shaped to RATE (e.g. 10mbit) and migrates the
program across it with the snow CLI: goal total ≤ 1.1 × the wire time of the
bytes sent (bytes × 8 / rate).

Every figure is the median of --repeat runs; the ratios are the point (the
machine is shared and noisy). docs/performance.md records the results.

usage: live_migration.py --program EXE [--args "1000 30"] [--poll 40]
                         [--destination-emulator "qemu-s390x -L …" --destination EXE]
                         [--repeat 5] [--wire 10mbit --snow SNOW]
"""
import argparse
import json
import os
import secrets
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time


def notices_of(argv, env, pass_fds=(), until=None, stdout=subprocess.DEVNULL):
    """Runs argv with SNOW_NOTICE_FD; returns its notice lines. With `until`,
    the process is killed as soon as a notice starts with it."""
    r, w = os.pipe()
    proc = subprocess.Popen(argv, env=dict(os.environ, SNOW_NOTICE_FD=str(w), **env),
                            pass_fds=tuple(pass_fds) + (w,), stdout=stdout, stderr=subprocess.PIPE)
    os.close(w)
    lines = []
    with os.fdopen(r) as f:
        for line in f:
            lines.append(line.strip())
            if until and line.startswith(until):
                proc.kill()
                break
    proc.wait()
    return lines


def field(lines, prefix, index):
    for line in lines:
        if line.startswith(prefix + " "):
            return line.split()[index]
    raise SystemExit(f"no '{prefix}' notice among {lines}")


def collect_alone(src, poll, path):
    lines = notices_of(src, {"SNOW_CHECKPOINT_AT_POLL": str(poll), "SNOW_CHECKPOINT_FILE": path})
    return int(field(lines, "checkpoint-written", 1)), float(field(lines, "checkpoint-written", 2))


def restore_alone(dst, path):
    lines = notices_of(dst, {"SNOW_RESTART": path}, until="restored")
    return float(field(lines, "restored", 1))


def transfer_alone(path):
    """The checkpoint's bytes through loopback TCP, until the reader has them all."""
    with open(path, "rb") as f:
        data = f.read()
    listener = socket.create_server(("127.0.0.1", 0))
    done = threading.Event()

    def reader():
        conn, _ = listener.accept()
        left = len(data)
        while left:
            chunk = conn.recv(1 << 20)
            if not chunk:
                break
            left -= len(chunk)
        conn.sendall(b"k")
        conn.close()
        done.set()

    t = threading.Thread(target=reader)
    t.start()
    with socket.create_connection(listener.getsockname()) as s:
        start = time.perf_counter()
        s.sendall(data)
        s.recv(1)
        ms = (time.perf_counter() - start) * 1000
    t.join()
    listener.close()
    return ms


def pipelined(src, dst, poll):
    secret = secrets.token_hex(16)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.set_inheritable(True)
    port = listener.getsockname()[1]
    r, w = os.pipe()
    dest = subprocess.Popen(dst, env=dict(os.environ, SNOW_RESTORE_FD=str(listener.fileno()),
                                          SNOW_MIGRATION_SECRET=secret, SNOW_NOTICE_FD=str(w)),
                            pass_fds=(listener.fileno(), w), stdout=subprocess.DEVNULL)
    os.close(w)
    listener.close()
    ours, theirs = socket.socketpair()
    theirs.set_inheritable(True)
    ours.sendall(f"migrate 127.0.0.1 {port} {secret}\n".encode())
    lines = notices_of(src, {"SNOW_CONTROL_FD": str(theirs.fileno()), "SNOW_CHECKPOINT_AT_POLL": str(poll)},
                       pass_fds=(theirs.fileno(),))
    theirs.close()
    with os.fdopen(r) as f:
        for line in f:
            if line.startswith("restored"):
                break
    dest.kill()
    dest.wait()
    committed = [l for l in lines if l.startswith("migration-committed")]
    if not committed:
        raise SystemExit(f"the live migration did not commit: {lines}")
    bytes_, sent, restore, total = committed[0].split()[1:5]
    return int(bytes_), float(sent), float(restore), float(total)


def wire(args):
    """Across a shaped link between two namespaces, through the snow CLI."""
    state = tempfile.mkdtemp(prefix="snow-wire-")
    manifest = os.path.join(state, "manifest.json")
    with open(manifest, "w") as f:
        json.dump({"version": 1, "targets": [{"name": "snow-migratable-linpack",
                                               "executables": {"x86_64": args.program}}]}, f)
    snow = [args.snow, "--state-dir", state]
    subprocess.run(snow + ["cluster", "up", "--manifest", manifest, "--hosts", "a=x86_64,b=x86_64",
                           "--rate", args.wire], check=True, stdout=subprocess.DEVNULL)
    rate = float(args.wire.lower().replace("mbit", "")) * 1e6
    rows = []
    try:
        for _ in range(args.wire_repeat):
            idfile = os.path.join(state, "id")
            if os.path.exists(idfile):
                os.remove(idfile)
            runner = subprocess.Popen(snow + ["run", "linpack", "--on", "a", "--id-file", idfile]
                                      + shlex.split(args.args), stdout=subprocess.DEVNULL)
            while not os.path.exists(idfile) or not open(idfile).read().strip():
                time.sleep(0.05)
            time.sleep(0.5)
            pid = open(idfile).read().strip()
            out = subprocess.run(snow + ["--json", "migrate", pid, "b"], check=True, capture_output=True,
                                 text=True).stdout
            done = [json.loads(l) for l in out.splitlines() if '"migration-done"' in l]
            if not done:
                raise SystemExit(f"no migration-done event in {out}")
            d = done[0].get("data", done[0])
            wire_ms = d["bytes"] * 8 / rate * 1000
            rows.append((d["bytes"], d["total_ms"], wire_ms))
            runner.wait()
    finally:
        subprocess.run(snow + ["cluster", "down"], stdout=subprocess.DEVNULL)
    bytes_ = rows[0][0]
    total = statistics.median(r[1] for r in rows)
    wire_ms = statistics.median(r[2] for r in rows)
    print(f"\nover a {args.wire} link between two network namespaces ({len(rows)} migrations):")
    print(f"  state {bytes_:,} bytes; wire time {wire_ms / 1000:.3f} s; migration total {total / 1000:.3f} s")
    print(f"  total / wire time = {total / wire_ms:.3f}   (goal <= 1.1; SNOW: 18.4 s for 8 MB, 2.9x)")
    return total / wire_ms <= 1.1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--program", required=True)
    ap.add_argument("--args", default="1000 30")
    ap.add_argument("--poll", type=int, default=40)
    ap.add_argument("--destination", help="the destination platform's build (default: --program)")
    ap.add_argument("--destination-emulator", default="")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--wire", help="a tc rate, e.g. 10mbit (needs root)")
    ap.add_argument("--wire-repeat", type=int, default=3)
    ap.add_argument("--snow", help="the snow CLI, for --wire")
    args = ap.parse_args()
    src = [args.program] + shlex.split(args.args)
    dst = shlex.split(args.destination_emulator) + [args.destination or args.program] + shlex.split(args.args)
    path = os.path.join("/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir(),
                        f"snow-bench-{os.getpid()}.snow")
    runs = []
    try:
        for _ in range(args.repeat):
            size, collect = collect_alone(src, args.poll, path)
            transfer = transfer_alone(path)
            restore = restore_alone(dst, path)
            bytes_, sent, live_restore, total = pipelined(src, dst, args.poll)
            runs.append((size, collect, transfer, restore, bytes_, sent, live_restore, total))
    finally:
        if os.path.exists(path):
            os.remove(path)
    med = [statistics.median(r[i] for r in runs) for i in range(8)]
    size, collect, transfer, restore, bytes_, sent, live_restore, total = med
    stage_sum = collect + transfer + restore
    slowest = max(collect, transfer, restore)
    print(f"{os.path.basename(args.program)} {args.args}, poll-point {args.poll}, "
          f"destination {' '.join(dst[:-len(shlex.split(args.args))] if args.args else dst)}; "
          f"median of {args.repeat}")
    print(f"  state                {int(bytes_):,} bytes (file {int(size):,})")
    print(f"  collect alone        {collect:9.1f} ms")
    print(f"  transfer alone       {transfer:9.1f} ms   (loopback TCP)")
    print(f"  restore alone        {restore:9.1f} ms")
    print(f"  sum of the stages    {stage_sum:9.1f} ms   (SNOW's Table 1 total)")
    print(f"  pipelined, total     {total:9.1f} ms   (source streamed all in {sent:.1f} ms; the destination "
          f"restored in {live_restore:.1f} ms from accepting the connection)")
    ratio = total / slowest
    print(f"  pipelined / slowest stage = {ratio:.3f}   (goal <= 1.25)")
    print(f"  pipelined / sum of stages = {total / stage_sum:.3f}")
    ok = ratio <= 1.25
    if args.wire:
        if os.geteuid() != 0:
            print("\n--wire skipped: it needs root for network namespaces and tc")
        else:
            ok = wire(args) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
