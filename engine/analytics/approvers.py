"""Per-approver load and the bottlenecks: who and which steps hold the waiting time.

Queue length per approver: the mean is Little's law (total time requests waited for
the approver divided by the observed span); the maximum is a sweep over arrivals and
decisions.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from engine.analytics.model import History
from engine.analytics.stats import Summary, summarize
from engine.analytics.steps import StepStats


@dataclass(frozen=True)
class ApproverStats:
    approver: str
    decisions: int
    steps: tuple[str, ...]
    wait: Summary
    wait_share: float
    mean_queue: float
    max_queue: int


def approver_table(history: History) -> list[ApproverStats]:
    """Every resource that decided something, largest share of waiting first."""
    waits: dict[str, list[float]] = {}
    spans: dict[str, tuple[list[float], list[float]]] = {}
    steps: dict[str, set[str]] = {}
    decisions: dict[str, int] = {}
    for v in history.visits:
        r = v.resource
        if not r or v.outcome == "other":
            continue
        decisions[r] = decisions.get(r, 0) + 1
        steps.setdefault(r, set()).add(v.step)
        if v.arrived_at is not None:
            waits.setdefault(r, []).append(v.decided_at - v.arrived_at)
            arr, dec = spans.setdefault(r, ([], []))
            arr.append(v.arrived_at)
            dec.append(v.decided_at)
    cases = history.cases.values()
    span = max(max(c.end for c in cases) - min(c.start for c in cases), 1.0) if cases else 1.0
    all_wait = math.fsum(math.fsum(w) for w in waits.values()) or 1.0
    out = []
    for r, n in decisions.items():
        w = waits.get(r, [])
        total = math.fsum(w)
        out.append(ApproverStats(r, n, tuple(sorted(steps[r])), summarize(w), total / all_wait,
                                 total / span, _max_open(*spans.get(r, ([], [])))))
    out.sort(key=lambda a: (-a.wait_share, -a.decisions, a.approver))
    return out


def _max_open(arrivals: list[float], decisions: list[float]) -> int:
    """Most requests open at once. Just after the i-th arrival (0-based, in time order)
    i + 1 requests have arrived and those decided at or before it have left (a decision
    at the same instant as an arrival closes first)."""
    if not arrivals:
        return 0
    arrivals.sort()
    decisions.sort()
    return max(i + 1 - bisect_right(decisions, a) for i, a in enumerate(arrivals))


def bottlenecks(steps: Sequence[StepStats], approvers: Sequence[ApproverStats],
                top: int = 5, min_share: float = 0.05) -> dict[str, list[dict[str, object]]]:
    """The approval steps and the approvers holding the most waiting time.

    ``approval_wait_share`` is a step's share of the time requests waited for approvers;
    ``wait_share`` its share of all waiting, the requester's and other activities' too."""
    st = sorted((s for s in steps if s.is_approval), key=lambda s: -s.wait_share)
    approval_wait = sum(s.wait.total for s in st) or 1.0
    return {
        "steps": [{"step": s.step, "approval_wait_share": round(s.wait.total / approval_wait, 4),
                   "wait_share": round(s.wait_share, 4),
                   "cycle_share": round(s.cycle_share, 4),
                   "total_wait_s": round(s.wait.total, 3), "median_wait_s": _r(s.wait.median),
                   "visits": s.visits}
                  for s in st[:top] if s.wait.total / approval_wait >= min_share],
        "approvers": [{"approver": a.approver, "wait_share": round(a.wait_share, 4),
                       "total_wait_s": round(a.wait.total, 3),
                       "median_wait_s": _r(a.wait.median), "decisions": a.decisions,
                       "mean_queue": round(a.mean_queue, 3), "max_queue": a.max_queue,
                       "steps": list(a.steps)}
                      for a in approvers[:top] if a.wait_share >= min_share],
    }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 3)
