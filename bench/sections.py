"""The engine and analytics benchmarks (issue 7, parts 1, 2 and 5), each recording its
figures, ratios and targets into a ``Results``."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass

from bench import dbs
from bench.harness import RESULTS_DIR, Results, eprint, rate, timed


@dataclass(frozen=True)
class Size:
    repeats: int
    memory_instances: int
    persisted_instances: int
    log_events: int
    http_seconds: float
    http_requests: int
    inbox_tasks: int
    prediction_instances: int = 3000  # demo requests simulated for the prediction bench

    @staticmethod
    def quick() -> Size:
        return Size(repeats=2, memory_instances=20, persisted_instances=5, log_events=20_000,
                    http_seconds=1.0, http_requests=300, inbox_tasks=20_000,
                    prediction_instances=300)

    @staticmethod
    def full() -> Size:
        return Size(repeats=5, memory_instances=300, persisted_instances=100,
                    log_events=1_000_000, http_seconds=5.0, http_requests=2_500,
                    inbox_tasks=1_000_000)


def has_bench_extra() -> str | None:
    """Why the peers cannot run (the ``bench`` extra is missing), or None."""
    missing = [m for m in ("SpiffWorkflow", "pm4py") if importlib.util.find_spec(m) is None]
    return f"not installed: {', '.join(missing)} (pip install -e '.[bench]')" if missing else None


def memory(res: Results, size: Size) -> None:
    """Part 1: store_opening instances per second, pure core vs SpiffWorkflow in memory."""
    from bench import workload

    runs = [("memory.signoff", lambda: _rate(lambda: workload.run_in_memory(
        size.memory_instances)))]
    if (why := has_bench_extra()) is None:
        from bench import spiff

        runs.append(("memory.spiffworkflow", lambda: _rate(lambda: spiff.run_in_memory(
            size.memory_instances, workload.REQUEST))))
    else:
        res.skip("memory.spiffworkflow", why)
    workload.run_in_memory(2)  # warm caches (definition, machine, form validator)
    for _ in range(size.repeats):
        for key, fn in runs:
            res.add(key, "instances/s", fn())
    ratio = res.ratio("memory.signoff", "memory.spiffworkflow")
    res.target("in memory: >= 10x SpiffWorkflow's instances/s", ratio, 10, unit="x")


def _rate(fn: Callable[[], int]) -> float:
    n, seconds = timed(fn)
    return rate(n, seconds)


def persisted(res: Results, size: Size, kinds: tuple[str, ...]) -> None:
    """Part 2: decisions/s through the full command path, the raw-driver limit, SpiffWorkflow
    serialising after every step; on each database."""
    from bench import persisted as p

    n = size.persisted_instances
    spiff_ok = has_bench_extra() is None
    for kind in kinds:
        eprint(f"  persisted on {kind}: capturing the statements of {n * 6} decisions")
        prelude, decisions = p.capture(kind, n)
        shapes = {tuple(t.shape()) for t in decisions}
        res.findings.append(f"persisted.{kind}: a decision writes "
                            f"{min(len(s) for s in shapes)}-{max(len(s) for s in shapes)} "
                            f"statements: {sorted({x for s in shapes for x in s})}")
        for _ in range(size.repeats):
            res.add(f"persisted.{kind}.signoff", "decisions/s", rate(*p.signoff_run(kind, n)))
            res.add(f"persisted.{kind}.raw_driver", "decisions/s",
                    rate(*p.raw_run(kind, prelude, decisions)))
            res.add(f"persisted.{kind}.raw_driver_with_reads", "decisions/s",
                    rate(*p.raw_run(kind, prelude, decisions, with_reads=True)))
            if spiff_ok:
                res.add(f"persisted.{kind}.spiffworkflow", "decisions/s",
                        rate(*p.spiff_run(kind, n)))
            dbs.drop_all()
        limit = res.ratio(f"persisted.{kind}.signoff", f"persisted.{kind}.raw_driver")
        res.ratio(f"persisted.{kind}.signoff", f"persisted.{kind}.spiffworkflow")
        res.target(f"persisted on {kind}: >= 50% of the raw-driver limit", limit, 0.5,
                   unit="x")
        if kind == "sqlite":
            res.target("persisted on sqlite: >= 2,000 decisions/s",
                       res.figures["persisted.sqlite.signoff"].median, 2000,
                       unit="decisions/s")


def analytics(res: Results, size: Size) -> None:
    """Part 5: a large approval log analysed end to end, next to PM4Py on the same file."""
    from bench import eventlog, mining

    path = eventlog.ensure(RESULTS_DIR / "data", size.log_events)
    kinds = ["signoff"] + (["pm4py"] if has_bench_extra() is None else [])
    if "pm4py" not in kinds:
        res.skip("analytics.pm4py", has_bench_extra() or "")
    last: dict[str, mining.ChildRun] = {}
    for _ in range(size.repeats if size.log_events < 200_000 else min(size.repeats, 3)):
        for kind in kinds:
            run = last[kind] = mining.measure(kind, path)
            res.add(f"analytics.{kind}.seconds", "s", run.seconds)
            res.add(f"analytics.{kind}.events_per_s", "events/s", size.log_events / run.seconds)
            res.add(f"analytics.{kind}.peak_rss", "MiB", run.peak_rss_mib)
    events = f"{size.log_events:,}"
    res.target(f"analytics: {events} events in < 3 s",
               res.figures["analytics.signoff.seconds"].median, 3.0, higher_is_better=False,
               unit="s")
    if "pm4py" in last:
        speed = res.ratio("analytics.signoff.events_per_s", "analytics.pm4py.events_per_s")
        res.ratio("analytics.signoff.peak_rss", "analytics.pm4py.peak_rss")
        res.target("analytics: >= 5x faster than PM4Py", speed, 5, unit="x")
        diffs = mining.compare(last["signoff"].stats, last["pm4py"].stats)
        res.target("analytics: the same per-activity numbers as PM4Py (differences)",
                   float(len(diffs)), 0, higher_is_better=False)
        res.findings += [f"analytics differs from PM4Py: {d}" for d in diffs[:20]]

