#!/usr/bin/env python3
"""Live migration between two running processes, without snowd: this script
plays snowd's part (a control channel to the source, a listening socket and a
one-time secret for the destination) and checks the runtime's half of the
direct transfer (runtime/src/exec/migration_link.hpp):

  ok               the source streams its state at poll-point K to a waiting
                   destination (any platform pair), which restores it and runs
                   on; source output + destination output == the plain run
  intruder         a connection with a wrong secret reaches the destination
                   first: it is refused, and the real source then migrates
  wrong-secret     the source itself has a wrong secret: refused, the source
                   carries on to the end, the destination gives up (timeout)
  dead-destination the "destination" accepts, reads part of the stream and
                   dies: the source carries on as if nothing happened
  failed-restore   the destination runs another program, so its restore fails:
                   it tells the source why, and the source carries on
  no-commit        a source that never commits: the destination restores, then
                   exits with status 75 without running on

usage: live_migrate.py --scenario S --poll K [--args "…"] --expect FILE
                       SOURCE=EMULATOR|EXE DESTINATION=EMULATOR|EXE
"""
import argparse
import os
import secrets
import shlex
import socket
import subprocess
import sys
import tempfile
import time

TIMEOUT = 120


def command(spec, args):
    _, rest = spec.split("=", 1)
    emulator, exe = rest.split("|", 1)
    return shlex.split(emulator) + [exe] + shlex.split(args)


def fail(message):
    print("FAIL " + message)
    sys.exit(1)


def read_notices(fd):
    data = b""
    while True:
        chunk = os.read(fd, 4096)
        if not chunk:
            return data.decode()
        data += chunk


class Run:
    """A process with stdout/stderr in files and a notice pipe."""

    def __init__(self, argv, env, pass_fds, work, name):
        self.name = name
        self.out = open(os.path.join(work, name + ".out"), "wb")
        self.err = open(os.path.join(work, name + ".err"), "wb")
        r, w = os.pipe()
        full_env = dict(os.environ, SNOW_NOTICE_FD=str(w), SNOW_VERBOSE="1", **env)
        self.proc = subprocess.Popen(argv, stdout=self.out, stderr=self.err, env=full_env,
                                     pass_fds=tuple(pass_fds) + (w,))
        os.close(w)
        self.notice_fd = r
        self.work = work

    def finish(self):
        status = self.proc.wait(timeout=TIMEOUT)
        notices = read_notices(self.notice_fd)
        os.close(self.notice_fd)
        self.out.close()
        self.err.close()
        return status, notices

    def output(self):
        with open(os.path.join(self.work, self.name + ".out"), "rb") as f:
            return f.read()

    def stderr(self):
        with open(os.path.join(self.work, self.name + ".err"), "rb") as f:
            return f.read().decode(errors="replace")


def listener():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(4)
    s.set_inheritable(True)
    return s


def start_source(cmd, work, poll, host, port, secret, name="source"):
    """The source with a control channel holding one migrate request, to be
    served at poll-point `poll` (SNOW_CHECKPOINT_AT_POLL raises the trigger)."""
    ours, theirs = socket.socketpair()
    theirs.set_inheritable(True)
    ours.sendall(f"migrate {host} {port} {secret}\n".encode())
    run = Run(cmd, {"SNOW_CONTROL_FD": str(theirs.fileno()), "SNOW_CHECKPOINT_AT_POLL": str(poll),
                    "SNOW_MIGRATION_TIMEOUT": "60"}, [theirs.fileno()], work, name)
    theirs.close()
    run.control = ours
    return run


def start_destination(cmd, work, listen, secret, timeout="60"):
    return Run(cmd, {"SNOW_RESTORE_FD": str(listen.fileno()), "SNOW_MIGRATION_SECRET": secret,
                     "SNOW_MIGRATION_TIMEOUT": timeout}, [listen.fileno()], work, "destination")


def expect_source_carried_on(src, expected):
    status, notices = src.finish()
    if status != 0:
        fail(f"the source exited with {status} after its migration failed:\n{src.stderr()}")
    if "migration-failed" not in notices:
        fail(f"no migration-failed notice from the source: {notices!r}")
    if src.output() != expected:
        fail("the source's output after a failed migration differs from the plain run")
    return notices


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--poll", type=int, required=True)
    ap.add_argument("--args", default="")
    ap.add_argument("--expect", required=True)
    ap.add_argument("--other", help="another program, for failed-restore")
    ap.add_argument("source")
    ap.add_argument("destination")
    a = ap.parse_args()
    with open(a.expect, "rb") as f:
        expected = f.read()
    src_cmd = command(a.source, a.args)
    dst_cmd = command(a.destination, a.args)
    secret = secrets.token_hex(16)
    work = tempfile.mkdtemp(prefix="snow-live-")
    listen = listener()
    port = listen.getsockname()[1]
    label = f"{a.source.split('=')[0]} -> {a.destination.split('=')[0]} at poll {a.poll}"

    if a.scenario in ("ok", "intruder"):
        dst = start_destination(dst_cmd, work, listen, secret)
        if a.scenario == "intruder":
            with socket.create_connection(("127.0.0.1", port), timeout=30) as intruder:
                intruder.sendall(b"SNOWMIG 1 " + secrets.token_hex(16).encode() + b"\n")
                answer = intruder.makefile("rb").readline()
                if not answer.startswith(b"refused"):
                    fail(f"a wrong secret was answered {answer!r}, not refused")
        listen.close()
        src = start_source(src_cmd, work, a.poll, "127.0.0.1", port, secret)
        s_status, s_notices = src.finish()
        d_status, d_notices = dst.finish()
        if s_status != 0 or "migration-committed" not in s_notices:
            fail(f"{label}: the source did not commit (status {s_status}, notices {s_notices!r}):\n{src.stderr()}")
        if d_status != 0 or not any(l.startswith("restored ") for l in d_notices.splitlines()):
            fail(f"{label}: the destination did not restore (status {d_status}):\n{dst.stderr()}")
        if src.output() + dst.output() != expected:
            fail(f"{label}: source + destination output differs from the plain run")
        sent = [l for l in s_notices.splitlines() if l.startswith("migration-committed")][0].split()
        print(f"{label}: migrated live, {sent[1]} bytes, output identical"
              + ("; an intruder with a wrong secret was refused" if a.scenario == "intruder" else ""))
        if a.scenario == "intruder" and "wrong migration secret" not in dst.stderr():
            fail("the destination did not say it refused a wrong secret")
        return

    if a.scenario == "wrong-secret":
        dst = start_destination(dst_cmd, work, listen, secret, timeout="5")
        listen.close()
        src = start_source(src_cmd, work, a.poll, "127.0.0.1", port, secrets.token_hex(16))
        notices = expect_source_carried_on(src, expected)
        d_status, _ = dst.finish()
        if d_status == 0:
            fail("the destination ran although no source with its secret came")
        if "refused" not in notices:
            fail(f"the source's failure does not say it was refused: {notices!r}")
        print(f"{label}: a wrong secret was refused; the source carried on, output identical; "
              f"the destination gave up (status {d_status})")
        return

    if a.scenario == "dead-destination":
        src = start_source(src_cmd, work, a.poll, "127.0.0.1", port, secret)
        conn, _ = listen.accept()
        f = conn.makefile("rb")
        if not f.readline().startswith(b"SNOWMIG 1 " + secret.encode()):
            fail("the source did not present its secret")
        conn.sendall(b"accepted\n")
        got = f.read(200)  # part of the stream, then the "destination" dies
        conn.close()
        f.close()
        listen.close()
        expect_source_carried_on(src, expected)
        print(f"{label}: the destination died after {len(got)} bytes; the source carried on, output identical")
        return

    if a.scenario == "failed-restore":
        dst = start_destination(command("x=|" + a.other, a.args), work, listen, secret)
        listen.close()
        src = start_source(src_cmd, work, a.poll, "127.0.0.1", port, secret)
        notices = expect_source_carried_on(src, expected)
        d_status, _ = dst.finish()
        if d_status == 0:
            fail("the destination of another program restored the state")
        if "did not restore the state" not in notices:
            fail(f"the source's failure does not give the destination's reason: {notices!r}")
        print(f"{label}: the destination could not restore (status {d_status}) and said why; "
              "the source carried on, output identical")
        return

    if a.scenario == "no-commit":
        # A checkpoint file stands in for the stream a source would send.
        ckpt = os.path.join(work, "state.snow")
        env = dict(os.environ, SNOW_CHECKPOINT_AT_POLL=str(a.poll), SNOW_CHECKPOINT_FILE=ckpt)
        with open(os.path.join(work, "first.out"), "wb") as out:
            subprocess.run(src_cmd, env=env, stdout=out, check=True, timeout=TIMEOUT)
        dst = start_destination(dst_cmd, work, listen, secret, timeout="5")
        listen.close()
        with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
            conn.sendall(f"SNOWMIG 1 {secret}\n".encode())
            f = conn.makefile("rb")
            if f.readline() != b"accepted\n":
                fail("the destination did not accept the right secret")
            with open(ckpt, "rb") as state:
                conn.sendall(state.read())
            verdict = f.readline()
            if not verdict.startswith(b"restored "):
                fail(f"the destination answered {verdict!r} instead of restored")
            # …and this source never commits.
        d_status, d_notices = dst.finish()
        if d_status != 75:
            fail(f"without a commit the destination exited with {d_status}, not 75:\n{dst.stderr()}")
        if dst.output() != b"" or "restored" in d_notices:
            fail("the destination ran on without a commit")
        print(f"{label}: restored without a commit: the destination exited 75 and printed nothing")
        return

    fail(f"unknown scenario {a.scenario}")


if __name__ == "__main__":
    main()
