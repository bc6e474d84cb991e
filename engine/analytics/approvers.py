"""Per-approver load and the bottlenecks: who and which steps hold the waiting time.

Queue length per approver: the mean is Little's law (total time requests waited for
the approver divided by the observed span); the maximum is a sweep over arrivals and
decisions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.analytics.columns import OTHER, distinct_pairs, max_open
from engine.analytics.model import History
from engine.analytics.stats import Summary
from engine.analytics.steps import StepStats, summaries


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
    c = history.columns()
    n = len(c.resources)
    m = (c.resource >= 0) & (c.outcome != OTHER)
    res = c.resource[m]
    decisions = np.bincount(res, minlength=n)
    waits = summaries(res, c.wait[m], n)
    step_sets: list[set[str]] = [set() for _ in range(n)]
    width = len(c.steps) or 1
    for pair in distinct_pairs(res, c.step[m], n, width).tolist():
        step_sets[pair // width].add(c.steps[pair % width])
    queues = max_open(c, n)
    starts, ends = history.case_times()
    span = max(float(ends.max() - starts.min()), 1.0) if len(starts) else 1.0
    all_wait = sum(w.total for w in waits) or 1.0
    out = [ApproverStats(name, int(decisions[r]), tuple(sorted(step_sets[r])), waits[r],
                         waits[r].total / all_wait, waits[r].total / span, int(queues[r]))
           for r, name in enumerate(c.resources) if decisions[r]]
    out.sort(key=lambda a: (-a.wait_share, -a.decisions, a.approver))
    return out


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
