"""Analytics over a large event log: Signoff's analyser next to PM4Py, each in a child process.

Each analyser runs as ``python -m bench.mining KIND PATH`` in its own process, so that its
peak memory is its own: the child reports its ``VmHWM`` from ``/proc/self/status`` (the
peak RSS of its own image; ``ru_maxrss`` from ``wait4`` is not used because Linux carries
the pre-exec image's peak, i.e. the parent's size at fork, into it). The child times the
analysis itself (read + per-step statistics + judgments), after its imports, and prints
JSON with that time and the per-activity numbers, which the parent compares: the same
counts, durations within a second.

PM4Py's side follows ``../shared/data/pm4py_reference.py`` (the conventions the reference
numbers were made with), vectorised with pandas group-bys: the fastest honest way a PM4Py
user computes per-activity counts and waiting times.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.harness import ROOT

CASE, ACT, TS = "case:concept:name", "concept:name", "time:timestamp"
Stats = dict[str, dict[str, float]]


def pm4py_stats(path: Path) -> Stats:
    import pandas as pd
    import pm4py

    if path.suffix == ".csv":
        df = pm4py.format_dataframe(pd.read_csv(path), case_id=CASE, activity_key=ACT,
                                    timestamp_key=TS)
    else:
        df = pm4py.read_xes(str(path))
    df[TS] = pd.to_datetime(df[TS], utc=True, format="ISO8601")
    df["@@file_pos"] = range(len(df))
    df = df.sort_values([CASE, TS, "@@file_pos"], kind="mergesort").reset_index(drop=True)
    ev_counts = pm4py.get_event_attribute_values(df, ACT)
    case_counts = pm4py.get_event_attribute_values(df, ACT, count_once_per_case=True)
    pm4py.discover_performance_dfg(df)  # PM4Py's own duration view, as a user would ask
    wait = (df[TS] - df.groupby(CASE, sort=False)[TS].shift(1)).dt.total_seconds()
    g = wait.groupby(df[ACT])
    agg = pd.DataFrame({"n": g.count(), "median_s": g.median(), "p90_s": g.quantile(0.9),
                        "mean_s": g.mean()})
    return {str(act): {"events": float(ev_counts[act]), "cases": float(case_counts[act]),
                       **{k: float(v) for k, v in agg.loc[act].items()}}
            for act in ev_counts}


def signoff_stats(path: Path) -> Stats:
    from bench import signoff_mining

    return signoff_mining.stats(path)


ANALYSERS = {"pm4py": pm4py_stats, "signoff": signoff_stats}


@dataclass
class ChildRun:
    kind: str
    seconds: float  # the analysis, timed inside the child after its imports
    wall: float  # the whole child process, interpreter start and imports included
    peak_rss_mib: float
    stats: Stats


def measure(kind: str, path: Path, timeout: float = 900) -> ChildRun:
    """Run one analyser in a child process; its time, wall time and peak RSS."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-m", "bench.mining", kind, str(path)],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=err)
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        try:
            out, _ = proc.communicate()
        finally:
            killer.cancel()
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{kind} analyser exited {proc.returncode}: "
                               f"{err.read().decode(errors='replace')[-2000:]}")
    data = json.loads(out)
    return ChildRun(kind, data["seconds"], wall, data["peak_rss_kib"] / 1024, data["stats"])


def compare(ours: Stats, theirs: Stats) -> list[str]:
    """Differences beyond the contract: counts exactly, durations within a second."""
    problems = []
    for act in sorted(set(ours) | set(theirs)):
        a, b = ours.get(act), theirs.get(act)
        if a is None or b is None:
            problems.append(f"{act}: only in {'PM4Py' if a is None else 'Signoff'}")
            continue
        for key in ("events", "cases", "n"):
            if key in a and key in b and a[key] != b[key]:
                problems.append(f"{act}: {key} {a[key]:.0f} vs {b[key]:.0f}")
        for key in ("median_s", "p90_s", "mean_s"):
            if key in a and key in b and not abs(a[key] - b[key]) <= 1.0 and a[key] == a[key]:
                problems.append(f"{act}: {key} {a[key]:.1f} vs {b[key]:.1f}")
    return problems


def _child(kind: str, path: str) -> None:
    fn = ANALYSERS[kind]
    t0 = time.perf_counter()
    stats = fn(Path(path))
    seconds = time.perf_counter() - t0
    json.dump({"seconds": seconds, "stats": stats, "peak_rss_kib": _vm_hwm_kib()}, sys.stdout)


def _vm_hwm_kib() -> float:
    """This process's peak resident set size (Linux ``VmHWM``), in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return float(line.split()[1])
    import resource

    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2])
