"""Predictions recomputed per second for every running request of the demo company.

The demo's history is simulated in memory (the same simulation ``signoff demo`` writes);
the finished requests teach each process's step times, the requests still running at the
end are predicted. *cached*: the learned distributions are built once per process (what
``engine.analytics.live`` keeps for a few minutes) and each prediction reads the request's
own events and runs the Monte Carlo. *uncached*: the peer without the cache, learning the
process's distributions again for every prediction.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.harness import Results, eprint, rate
from engine.analytics.calendar import WorkingCalendar
from engine.analytics.live import forecast
from engine.analytics.predict import Learned, learn
from engine.analytics.traces import trace_of
from engine.core.directory import load_directory
from engine.core.loader import load_definition_file
from engine.demo.simulation import Simulation
from tests.conftest import ROOT

END = datetime(2026, 11, 26, 6, 30, tzinfo=UTC)


def _demo(n: int) -> tuple[dict[str, Any], list[Any], list[Any]]:
    folder = ROOT / "definitions"
    org = load_directory(folder / "org.yaml")
    defs = {d.key: d for d in (load_definition_file(p, org) for p in sorted(folder.glob("*.yaml"))
                               if p.stem != "org")}
    sim = Simulation(defs.values(), org, END - timedelta(days=182), END, seed=20260601)
    finished, running = [], []
    for events, state in sim.run(n):
        (running if not state.finished else finished).append((events, state))
    return defs, finished, running


def run(res: Results, instances: int, repeats: int) -> None:
    eprint(f"  simulating {instances} demo requests")
    defs, finished, running = _demo(instances)
    cal = WorkingCalendar()
    traces: dict[str, list[Any]] = {}
    for events, state in finished:
        traces.setdefault(state.definition_key, []).append(trace_of(events))
    now = END
    res.findings.append(f"prediction: {len(running)} running requests, {len(finished)} "
                        "finished ones to learn from")

    def learned_for(key: str) -> Learned:
        return learn(defs[key], traces.get(key, []), cal)

    for events, state in running[:3]:  # warm: routes, conditions, calendar tables
        forecast(defs[state.definition_key], learned_for(state.definition_key), state,
                 events, now)
    for _ in range(repeats):
        cache = {k: learned_for(k) for k in defs}
        t0 = time.perf_counter()
        for events, state in running:
            forecast(defs[state.definition_key], cache[state.definition_key], state, events,
                     now)
        res.add("prediction.cached", "predictions/s", rate(len(running),
                                                           time.perf_counter() - t0))
        few = running[: max(5, len(running) // 20)]
        t0 = time.perf_counter()
        for events, state in few:
            forecast(defs[state.definition_key], learned_for(state.definition_key), state,
                     events, now)
        res.add("prediction.uncached", "predictions/s", rate(len(few),
                                                             time.perf_counter() - t0))
    res.ratio("prediction.cached", "prediction.uncached")
    per_second = res.figures["prediction.cached"].median
    res.target(f"prediction: all {len(running)} running demo requests recomputed in < 1 s",
               len(running) / per_second, 1.0, higher_is_better=False, unit="s")
