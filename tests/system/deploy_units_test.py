#!/usr/bin/env python3
"""The systemd units of deploy/systemd, run as they are written, on a
network-namespace cluster: the scheduler on a bridge, two hosts each in a
network namespace of its own (as separate machines would be).

  deploy_units_test.py --units DIR --scheduler EXE --snowd EXE --snow EXE --linpack EXE

The command lines are the units' ExecStart= lines, expanded as systemd
expands them (%i, ${VAR} inside a word, $VAR alone split into words) with
the example environment files' values, of which only where this deployment
lives (state directory, addresses, port, manifest) is replaced by the
test's. So a unit whose options snow-scheduler or snowd no longer accept,
or that uses a variable the example environment does not define, fails
here. Then linpack runs on one host, migrates live to the other once, and
its output must equal an unmigrated run's, byte for byte.

Needs root and `ip netns`; exits 77 (skipped) without them.
"""
import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

HOSTS = ["alpha", "beta"]
LINPACK_ARGS = ["400", "300"]  # about 5 s natively: the migration happens mid-run


class Failure(Exception):
    pass


def read_env_file(path):
    """KEY=value lines, as systemd's EnvironmentFile= reads simple ones."""
    env = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, sep, value = line.partition("=")
            if not sep:
                raise Failure(f"{path}: '{line}' is not KEY=value")
            env[key.strip()] = value.strip()
    return env


def unit_settings(path):
    """The unit's settings: name → list of values."""
    settings = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith(("#", ";", "[")):
                key, _, value = line.partition("=")
                settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def expand(exec_start, env, instance):
    """ExecStart= into argv, as systemd does: specifiers first, then
    ${VAR} inside a word, and $VAR as a whole word split at whitespace."""
    def lookup(name):
        if name not in env:
            raise Failure(f"ExecStart uses ${name}, which no example environment file defines")
        return env[name]

    words = []
    for word in shlex.split(exec_start.replace("%i", instance).replace("%%", "%")):
        whole = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", word)
        if whole:
            words.extend(lookup(whole.group(1)).split())
        else:
            words.append(re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda m: lookup(m.group(1)), word))
    return words


def sh(*command, check=True):
    return subprocess.run(list(command), capture_output=True, text=True, check=check,
                          stdin=subprocess.DEVNULL, timeout=120)


class Network:
    """A bridge here and one network namespace per host behind a veth pair
    (the layout of `snow cluster up --netns`, on 10.79.K.0/24)."""

    def __init__(self):
        self.made = []  # ("link" | "netns", name), removed in reverse
        for k in range(250):
            bridge = f"snowdep{k}"
            if sh("ip", "link", "add", bridge, "type", "bridge", check=False).returncode == 0:
                break
        else:
            raise Failure("no free bridge name snowdep0..249")
        self.made.append(("link", bridge))
        self.gateway = f"10.79.{k}.1"
        sh("ip", "addr", "add", self.gateway + "/24", "dev", bridge)
        sh("ip", "link", "set", bridge, "up")
        self.namespaces, self.addresses = {}, {}
        for i, host in enumerate(HOSTS):
            ns, veth = f"snowdep{k}-{host}", f"snowdep{k}v{i}"
            sh("ip", "netns", "add", ns)
            self.made.append(("netns", ns))
            sh("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns)
            self.made.append(("link", veth))
            sh("ip", "link", "set", veth, "master", bridge, "up")
            address = f"10.79.{k}.{10 + i}"
            sh("ip", "-n", ns, "addr", "add", address + "/24", "dev", "eth0")
            sh("ip", "-n", ns, "link", "set", "eth0", "up")
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            self.namespaces[host], self.addresses[host] = ns, address

    def destroy(self):
        for kind, name in reversed(self.made):
            if kind == "netns":
                sh("ip", "netns", "delete", name, check=False)
            else:
                sh("ip", "link", "delete", name, check=False)


def verify_units(units, binaries, scratch):
    """systemd-analyze verify, with ExecStart= pointing at the built binaries."""
    if shutil.which("systemd-analyze") is None:
        print("systemd-analyze is not installed: the units' syntax is not verified")
        return
    copies = []
    for name in ("snow-scheduler.service", "snowd@.service"):
        with open(os.path.join(units, name)) as f:
            text = f.read()
        for installed, built in binaries.items():
            text = text.replace(installed, built)
        copies.append(os.path.join(scratch, name))
        with open(copies[-1], "w") as f:
            f.write(text)
    checked = sh("systemd-analyze", "verify", *copies, check=False)
    if checked.returncode != 0 or checked.stdout.strip() or checked.stderr.strip():
        raise Failure("systemd-analyze verify:\n" + checked.stdout + checked.stderr)
    print("systemd-analyze verify: both units are clean")


def wait_for(predicate, what, tries=200):
    for _ in range(tries):
        if predicate():
            return
        time.sleep(0.05)
    raise Failure(what)


def deploy_and_migrate(a, scratch, net, started):
    scheduler_unit = unit_settings(os.path.join(a.units, "snow-scheduler.service"))
    snowd_unit = unit_settings(os.path.join(a.units, "snowd@.service"))
    example = read_env_file(os.path.join(a.units, "snow.env"))
    example_host = read_env_file(os.path.join(a.units, "snowd-x86_64.env"))
    for unit, files in ((scheduler_unit, ["/etc/snow/snow.env"]),
                        (snowd_unit, ["/etc/snow/snow.env", "/etc/snow/snowd-%i.env"])):
        if unit.get("EnvironmentFile") != files:
            raise Failure(f"a unit reads {unit.get('EnvironmentFile')}; the examples are {files}")
    binaries = {"/usr/local/bin/snow-scheduler": a.scheduler, "/usr/local/bin/snowd": a.snowd}
    verify_units(a.units, binaries, scratch)

    state = os.path.join(scratch, "state")
    os.mkdir(state, 0o700)
    manifest = os.path.join(scratch, "manifest.json")
    with open(manifest, "w") as f:
        json.dump({"version": 1, "targets": [{"name": "snow-migratable-linpack",
                                               "executables": {"x86_64": a.linpack}}]}, f)
    port = str(20000 + os.getpid() % 20000)
    # The example's settings; only where this deployment lives is the test's.
    env = dict(example, SNOW_STATE_DIR=state, SNOW_SCHEDULER=net.gateway, SNOW_PORT=port,
               SNOW_MANIFEST=manifest)

    def argv_of(unit, instance, host_env):
        (exec_start,) = unit["ExecStart"]
        argv = expand(exec_start, dict(env, **host_env), instance)
        if argv[0] not in binaries:
            raise Failure(f"ExecStart runs {argv[0]}, not one of {list(binaries)}")
        return [binaries[argv[0]]] + argv[1:]

    def start(name, argv):
        print(f"{name}: {' '.join(argv)}", flush=True)
        log = open(os.path.join(scratch, name + ".log"), "w")
        started.append(subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL))

    start("snow-scheduler", argv_of(scheduler_unit, "", {}))
    endpoint = os.path.join(state, "scheduler.json")
    wait_for(lambda: os.path.exists(endpoint), "the scheduler wrote no scheduler.json")
    with open(endpoint) as f:
        written = json.load(f)
    if written["listen"] != net.gateway or str(written["port"]) != port:
        raise Failure(f"the scheduler listens at {written}, not at {net.gateway}:{port}")
    for host in HOSTS:
        host_env = dict(example_host, SNOW_ADDRESS=net.addresses[host])
        start(f"snowd@{host}",
              ["ip", "netns", "exec", net.namespaces[host]] + argv_of(snowd_unit, host, host_env))

    snow = [a.snow, "--state-dir", state]
    wait_for(lambda: sorted(h["name"] for h in json.loads(sh(*snow, "--json", "hosts").stdout)) == HOSTS,
             "the two hosts did not register")

    plain = sh(a.linpack, *LINPACK_ARGS).stdout
    id_file = os.path.join(scratch, "id")
    runner = subprocess.Popen(snow + ["run", "linpack", "--on", "alpha", "--id-file", id_file, "--"]
                              + LINPACK_ARGS, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, text=True)
    wait_for(lambda: os.path.exists(id_file) and os.path.getsize(id_file) > 0, "snow run wrote no process id")
    with open(id_file) as f:
        process = f.read().strip()
    migrated = sh(*snow, "migrate", process, "beta", check=False)
    if migrated.returncode != 0:
        runner.kill()
        raise Failure("snow migrate failed:\n" + migrated.stdout + migrated.stderr)
    out, err = runner.communicate(timeout=240)
    if runner.returncode != 0:
        raise Failure(f"snow run exited with {runner.returncode}:\n{err}")
    ps = [p for p in json.loads(sh(*snow, "--json", "ps").stdout) if str(p["id"]) == process]
    if not ps or ps[0]["host"] != "beta" or ps[0]["migrations"] != 1:
        raise Failure(f"the process did not end on beta after one migration: {ps}")
    if out != plain:
        with open(os.path.join(scratch, "plain.txt"), "w") as f:
            f.write(plain)
        with open(os.path.join(scratch, "migrated.txt"), "w") as f:
            f.write(out)
        raise Failure("the migrated run's output differs from the plain run's (plain.txt, migrated.txt)")
    print(f"linpack {' '.join(LINPACK_ARGS)}: identical output after alpha → beta between namespaces, "
          "started with the units' command lines")


def main():
    ap = argparse.ArgumentParser()
    for name in ("units", "scheduler", "snowd", "snow", "linpack"):
        ap.add_argument("--" + name, required=True)
    a = ap.parse_args()
    for name in ("units", "scheduler", "snowd", "snow", "linpack"):
        setattr(a, name, os.path.abspath(getattr(a, name)))
    if os.geteuid() != 0:
        print("SKIP: needs root (network namespaces, veth)")
        return 77
    if shutil.which("ip") is None or sh("ip", "netns", "list", check=False).returncode != 0:
        print("SKIP: `ip netns` is not available")
        return 77

    scratch = tempfile.mkdtemp(prefix="snow-deploy.")
    started, net, failed = [], None, True
    try:
        net = Network()
        deploy_and_migrate(a, scratch, net, started)
        failed = False
        return 0
    except (Failure, subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
        detail = f"{' '.join(e.cmd)} exited with {e.returncode}: {e.stderr}" \
            if isinstance(e, subprocess.CalledProcessError) else str(e)
        print("FAIL: " + detail, file=sys.stderr)
        return 1
    finally:
        for p in reversed(started):
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if net:
            net.destroy()
        if failed:
            for name in sorted(os.listdir(scratch)):
                if name.endswith(".log"):
                    with open(os.path.join(scratch, name)) as f:
                        print(f"--- {name}\n" + "".join(f.readlines()[-20:]), file=sys.stderr)
            print("kept " + scratch, file=sys.stderr)
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
