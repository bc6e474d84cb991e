"""Timing the first page of a list query: the loop, p50/p99 and the Markdown table that
``bench.board`` and ``bench.lists`` print (one copy of each, for both)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa

from engine.store import open_database

TARGET_P99_MS = 50.0
# A case runs one query on the session and says (total, whether the total is exact).
Case = Callable[[Any], tuple[int, bool]]


def baseline(sql: str) -> Case:
    """A peer in the same run: one row by primary key, the machine's noise floor."""
    def run(session: Any) -> tuple[int, bool]:
        session.connection().execute(sa.text(sql)).all()
        return 1, True
    return run


def time_cases(url: str, cases: Mapping[str, Case], repeats: int
               ) -> dict[str, tuple[float, float, int, bool]]:
    """(p50 ms, p99 ms, total, exact) per case, each warmed once first."""
    db = open_database(url)
    out: dict[str, tuple[float, float, int, bool]] = {}
    try:
        with db.session(write=False) as session:
            for name, run in cases.items():
                run(session)  # warm the plan and the cache
                took: list[float] = []
                total, exact = 0, True
                for _ in range(repeats):
                    t0 = time.perf_counter()
                    total, exact = run(session)
                    took.append((time.perf_counter() - t0) * 1000)
                took.sort()
                p99 = took[min(len(took) - 1, int(len(took) * 0.99))]
                out[name] = (statistics.median(took), p99, total, exact)
    finally:
        db.dispose()
    return out


def print_table(heading: str, timed: Mapping[str, tuple[float, float, int, bool]]) -> None:
    """The Markdown table of docs/bench.md and the verdict against the p99 target."""
    print(f"| {heading} | p50 ms | p99 ms | total |")
    print("| --- | ---: | ---: | ---: |")
    worst = 0.0
    for name, (p50, p99, total, exact) in timed.items():
        worst = max(worst, p99)
        shown = f"{total:,}" if exact else f"~{total:,}"
        print(f"| {name} | {p50:.1f} | {p99:.1f} | {shown} |")
    verdict = "met" if worst < TARGET_P99_MS else "NOT met"
    print(f"worst p99 {worst:.1f} ms; target < {TARGET_P99_MS:.0f} ms: {verdict}")
