"""Measurement plumbing shared by every benchmark: repeated runs, medians, ratios, targets.

A *figure* is one measured quantity (``instances/s``, ``ms``, ``MiB``) with the samples of
several runs; it is reported as median, min and max. A *ratio* divides the medians of two
figures measured in the same run (absolute numbers vary between machines, ratios hold).
A *target* from issue 7 is checked against a figure or a ratio and reported as reached or
not: a missed target is printed like a reached one, never dropped.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"


@dataclass
class Figure:
    key: str
    unit: str
    samples: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.samples) if self.samples else float("nan")

    @property
    def low(self) -> float:
        return min(self.samples) if self.samples else float("nan")

    @property
    def high(self) -> float:
        return max(self.samples) if self.samples else float("nan")


@dataclass
class Ratio:
    key: str
    numerator: str
    denominator: str
    value: float


@dataclass
class Target:
    text: str
    measured: float
    goal: float
    higher_is_better: bool = True
    unit: str = ""

    @property
    def reached(self) -> bool:
        if self.measured != self.measured:  # NaN: nothing measured
            return False
        return self.measured >= self.goal if self.higher_is_better else self.measured <= self.goal


@dataclass
class Results:
    figures: dict[str, Figure] = field(default_factory=dict)
    ratios: list[Ratio] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def add(self, key: str, unit: str, value: float, note: str = "") -> Figure:
        fig = self.figures.setdefault(key, Figure(key, unit, note=note))
        fig.samples.append(value)
        return fig

    def ratio(self, numerator: str, denominator: str) -> float:
        """Median of ``numerator`` over median of ``denominator``; recorded for the report."""
        a, b = self.figures.get(numerator), self.figures.get(denominator)
        value = a.median / b.median if a and b and b.median else float("nan")
        self.ratios.append(Ratio(f"{numerator} / {denominator}", numerator, denominator, value))
        return value

    def target(self, text: str, measured: float, goal: float, *,
               higher_is_better: bool = True, unit: str = "") -> Target:
        t = Target(text, measured, goal, higher_is_better, unit)
        self.targets.append(t)
        return t

    def skip(self, what: str, why: str) -> None:
        self.skipped.append(f"{what}: {why}")

    def to_json(self) -> dict[str, Any]:
        return {
            "taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine_info(),
            "figures": {k: {**asdict(f), "median": f.median, "min": f.low, "max": f.high}
                        for k, f in self.figures.items()},
            "ratios": [asdict(r) for r in self.ratios],
            "targets": [{**asdict(t), "reached": t.reached} for t in self.targets],
            "findings": self.findings,
            "skipped": self.skipped,
        }


def machine_info() -> dict[str, Any]:
    load = os.getloadavg()
    return {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count(), "loadavg_at_end": [round(x, 2) for x in load],
            "commit": _git_commit()}


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                             capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("nan")


def interleave(results: Results, repeats: int,
               runs: Sequence[tuple[str, str, Callable[[], float]]]) -> None:
    """Run every ``(key, unit, fn)`` once per round, ``repeats`` rounds, alternating peers
    so that a slow moment on a shared machine hits all of them rather than one."""
    for _ in range(repeats):
        for key, unit, fn in runs:
            results.add(key, unit, fn())


def timed(fn: Callable[[], int]) -> tuple[int, float]:
    """``fn`` returns how many operations it did; returns ``(count, seconds)``."""
    t0 = time.perf_counter()
    n = fn()
    return n, time.perf_counter() - t0


def write_json(results: Results, name: str = "latest") -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    data = results.to_json()
    stamp = data["taken_at"].replace(":", "").replace("+0000", "Z")
    path = RESULTS_DIR / f"{name}-{stamp}.json"
    text = json.dumps(data, indent=1, default=str)
    path.write_text(text)
    (RESULTS_DIR / f"{name}.json").write_text(text)
    return path


def eprint(*args: object) -> None:
    print(*args, file=sys.stderr, flush=True)
