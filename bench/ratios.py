#!/usr/bin/env python3
"""Turns one run of snow-msr-bench (Google Benchmark JSON) and snow-peak-rss
into ratios against the baselines measured in the same run, with the goals.

    ratios.py BENCH_JSON [PEAK_RSS_JSONL] [--markdown]

Every ratio is computed from medians over the repetitions, so that a noisy
neighbour on a shared machine moves numerator and denominator alike. Ratios
are "how many times the baseline's speed": above 1 is faster than the baseline.
"""
import argparse
import json
import math
import statistics
import sys


def load_medians(path):
    """run name (without /manual_time) -> median seconds, and -> cv.

    Times are the benchmark thread's CPU time: Google Benchmark's cpu_time,
    or for manually timed runs (the tree) the thread CPU time the benchmark
    measured itself and reported as its iteration time."""
    with open(path) as f:
        data = json.load(f)
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    medians, cvs, errors = {}, {}, []
    for b in data["benchmarks"]:
        name = b["run_name"]
        field = "cpu_time"
        if name.endswith("/manual_time"):
            name, field = name[: -len("/manual_time")], "real_time"
        if b.get("error_occurred"):
            errors.append(f"{name}: {b.get('error_message')}")
            continue
        if b.get("run_type") != "aggregate":
            continue
        if b["aggregate_name"] == "median":
            medians[name] = b[field] * scale[b["time_unit"]]
        elif b["aggregate_name"] == "cv":
            cvs[name] = b[field]  # a fraction, reported in the time field
    return data.get("context", {}), medians, cvs, errors


class Table:
    def __init__(self, cvs):
        self.rows = []
        self.cvs = cvs

    def add(self, what, ratio, goal=None, at_least=True, note="", runs=()):
        """`runs`: the benchmarks behind the ratio; their worst coefficient of
        variation over the repetitions is shown as the row's noise."""
        cv = max((self.cvs[r] for r in runs if r in self.cvs), default=None)
        if cv is not None:
            note = f"cv {cv * 100:.0f}%" + (f"; {note}" if note else "")
        if ratio is None:
            verdict = "MISSING"
        elif goal is None:
            verdict = "info"
        else:
            verdict = "PASS" if (ratio >= goal if at_least else ratio <= goal) else "MISS"
        self.rows.append((what, ratio, goal, at_least, verdict, note))

    def print(self, markdown):
        def goal_text(goal, at_least):
            if goal is None:
                return "—"
            return ("≥ " if at_least else "≤ ") + f"{goal:g}"

        def ratio_text(r, unit):
            return "n/a" if r is None else (f"{r:.2f}×" if unit else f"{r:.2f}")

        if markdown:
            print("| measurement | ratio | goal | verdict | noise, note |")
            print("|---|---:|---:|---|---|")
        for what, ratio, goal, at_least, verdict, note in self.rows:
            unit = not what.startswith("peak RSS")
            if markdown:
                print(f"| {what} | {ratio_text(ratio, unit)} | {goal_text(goal, at_least)} | {verdict} | {note} |")
            else:
                print(f"{what:<72} {ratio_text(ratio, unit):>7} {goal_text(goal, at_least):>6}  {verdict:<7} {note}")


def speed_ratio(medians, candidate, baseline):
    """Candidate's speed in units of the baseline's (same work on both sides)."""
    if candidate not in medians or baseline not in medians:
        return None
    return medians[baseline] / medians[candidate]


def pair(candidate, baseline):
    return {"runs": (candidate, baseline)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bench_json")
    parser.add_argument("peak_rss_jsonl", nargs="?")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table (docs/performance.md)")
    args = parser.parse_args()

    context, med, cv, errors = load_medians(args.bench_json)
    t = Table(cv)

    for size in ("8MiB", "256MiB"):
        base = f"array/memcpy/{size}"
        for phase, label in (("collect", "collect+encode"), ("restore", "decode+restore, staged"),
                             ("restore-in-place", "decode+restore in place")):
            for order, goal in (("native", 0.5), ("swapped", 0.3)):
                run = f"array/{phase}/{size}/{order}"
                what = "same byte order" if order == "native" else "byte-swapped"
                t.add(f"{size} double array, {label}, {what} / memcpy",
                      speed_ratio(med, run, base), goal, **pair(run, base))

    for other, goal in (("boost", 3.0), ("cereal", 1.0)):
        for phase in ("serialize", "deserialize"):
            run, base = f"tree/snow/{phase}", f"tree/{other}/{phase}"
            t.add(f"1M-node tree, {phase}, snow vs {other}", speed_ratio(med, run, base), **pair(run, base))
        totals = {lib: sum(med.get(f"tree/{lib}/{p}", float("nan")) for p in ("serialize", "deserialize"))
                  for lib in ("snow", "snow-swapped", other)}
        ratio = {lib: None if math.isnan(totals[lib] + totals[other]) else totals[other] / totals[lib]
                 for lib in ("snow", "snow-swapped")}
        for lib in ("snow", "snow-swapped"):
            runs = [f"tree/{x}/{p}" for x in (lib, other) for p in ("serialize", "deserialize")]
            t.add(f"1M-node tree, serialize+deserialize, {lib} vs {other}", ratio[lib],
                  goal if lib == "snow" else None, runs=runs)

    for pattern in ("pairs", "churn", "fill-drain"):
        run, base = f"alloc/{pattern}/snow_malloc", f"alloc/{pattern}/malloc"
        t.add(f"snow_malloc+snow_free / malloc+free, {pattern}", speed_ratio(med, run, base), **pair(run, base))

    if args.peak_rss_jsonl:
        by_mode = {}
        with open(args.peak_rss_jsonl) as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    by_mode.setdefault(r["mode"], []).append(r["max_rss_kib"])
        rss = {mode: statistics.median(v) for mode, v in by_mode.items()}
        if "baseline" in rss:
            for mode, label in (("collect", "collect to a CountingSink"), ("collect-file", "collect to a file"),
                                ("restore", "restore from a file, staged"),
                                ("restore-in-place", "restore from a file in place")):
                if mode in rss:
                    extra = (rss[mode] - rss["baseline"]) / 1024
                    t.add(f"peak RSS, 256 MiB array, {label}: MiB added", extra, 4.0, at_least=False,
                          note=f"baseline {rss['baseline'] / 1024:.1f} MiB; a second copy would add 256 MiB")

    if not args.markdown:
        host = context.get("host_name", "?")
        print(f"snow-msr-bench on {host}: {context.get('num_cpus', '?')} CPUs at {context.get('mhz_per_cpu', '?')} MHz, "
              f"load {context.get('load_avg', '?')}, {context.get('date', '?')}")
        print("ratios of medians; above 1 is faster than the baseline\n")
    t.print(args.markdown)

    for e in errors:
        print(f"ERROR {e}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
