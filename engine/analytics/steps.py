"""Per-step and per-activity statistics, vectorised over the history's columns.

Rates are shares of *decisions* (approve + reject + return) with Wilson intervals.
"Overruled" counts this step's approvals after which a *different* step of the same
case rejected or returned the request.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.analytics.calendar import WorkingCalendar
from engine.analytics.columns import (
    OTHER,
    Columns,
    Floats,
    Ints,
    distinct_pairs,
    group_sorted,
)
from engine.analytics.columns import bursts as burst_counts
from engine.analytics.columns import overruled as overruled_counts
from engine.analytics.model import History
from engine.analytics.stats import Share, Summary, percentile, wilson


@dataclass(frozen=True)
class StepStats:
    step: str
    visits: int
    cases: int
    approve: int
    reject: int
    returned: int
    other: int
    wait: Summary
    wait_business: Summary | None
    approve_rate: Share
    reject_rate: Share
    return_rate: Share
    reject_or_return: Share
    comment_rate: Share | None  # None: comments are not recorded in this history
    overruled: Share  # of approvals
    burst_decisions: int
    wait_share: float  # of all waiting time in the history
    cycle_share: float  # of the summed cycle time of all cases
    approvers: int

    @property
    def decisions(self) -> int:
        return self.approve + self.reject + self.returned

    @property
    def is_approval(self) -> bool:
        return self.decisions > 0


@dataclass(frozen=True)
class ActivityStats:
    activity: str
    events: int
    cases: int
    wait: Summary


def summaries(keys: Ints, values: Floats, n: int) -> list[Summary]:
    """Count, median, p90, mean and total of ``values`` per key 0..n-1 (NaN left out)."""
    known = ~np.isnan(values)
    vals, offsets = group_sorted(keys[known], values[known], n)
    out = []
    for k in range(n):
        seg = vals[offsets[k]:offsets[k + 1]]
        if len(seg) == 0:
            out.append(Summary(0, None, None, None, 0.0))
            continue
        total = float(seg.sum())
        out.append(Summary(len(seg), percentile(seg, 50), percentile(seg, 90),
                           total / len(seg), total))
    return out


def attributed_wait(c: Columns) -> Floats:
    """Each visit's wait, with the time during which several visits of one case waited
    at once (the steps of a fork's parallel branches) split evenly among them, so the
    waits of a case add up to at most its cycle time. Visits one after another, the only
    kind external logs and processes without forks have, keep their whole wait."""
    out = c.wait.copy()
    known = np.flatnonzero(~np.isnan(out))
    if len(known) < 2:
        return out
    kc, ka = c.case[known], c.arrived[known]
    if ((kc[1:] > kc[:-1]) | ((kc[1:] == kc[:-1]) & (ka[1:] >= ka[:-1]))).all():
        order = known  # already by (case, arrival): visits one after another
    else:
        order = known[np.lexsort((ka, kc))]
    # sorted by arrival, a visit overlapping any later one of its case overlaps the next
    overlap = (c.case[order[1:]] == c.case[order[:-1]]) & \
        (c.arrived[order[1:]] < c.decided[order[:-1]])
    for case in np.unique(c.case[order[:-1][overlap]]).tolist():
        rows = order[c.case[order] == case]
        # a sweep over the case's few visits: between two consecutive arrival/decision
        # instants, each visit waiting shares the span with the others waiting then
        starts, ends = c.arrived[rows], c.decided[rows]
        cuts = np.unique(np.concatenate([starts, ends]))
        share = np.zeros(len(rows))
        for a, b in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
            waiting = (starts <= a) & (ends >= b)
            if waiting.any():
                share[waiting] += (b - a) / int(waiting.sum())
        out[rows] = share
    return out


def distinct_per(keys: Ints, other: Ints, n: int) -> Ints:
    """How many distinct ``other`` values each key 0..n-1 has."""
    if len(keys) == 0:
        return np.zeros(n, np.int64)
    width = int(other.max()) + 1
    return np.bincount(distinct_pairs(keys, other, n, width) // width, minlength=n)


def step_table(history: History, calendar: WorkingCalendar | None = None,
               bursts: dict[str, int] | None = None) -> list[StepStats]:
    """Statistics of every step, most visited first."""
    c = history.columns()
    n = len(c.steps)
    counts = np.bincount(c.step * 4 + c.outcome, minlength=4 * n).reshape(n, 4)
    wait = c.wait
    waits = summaries(c.step, wait, n)
    business = (summaries(c.step, calendar.business_seconds_array(c.arrived, c.decided), n)
                if calendar is not None else None)
    known = (c.commented >= 0) & (c.outcome != OTHER)
    com_n = np.bincount(c.step[known], minlength=n)
    com_k = np.bincount(c.step[known], weights=c.commented[known], minlength=n)
    over = overruled_counts(c)
    cases = distinct_per(c.step, c.case, n)
    has_res = c.resource >= 0
    approvers = distinct_per(c.step[has_res], c.resource[has_res], n)
    # the shares count a case's time once: parallel branches' overlapping waits are split
    shared = np.bincount(c.step, weights=np.nan_to_num(attributed_wait(c)), minlength=n)
    all_wait = float(shared.sum()) or 1.0
    starts, ends = history.case_times()
    all_cycle = sum((ends - starts).tolist()) or 1.0
    out = []
    for k, step in enumerate(c.steps):
        a, r, t, o = (int(x) for x in counts[k])
        dec = a + r + t
        out.append(StepStats(
            step=step, visits=a + r + t + o, cases=int(cases[k]), approve=a, reject=r,
            returned=t, other=o, wait=waits[k],
            wait_business=None if business is None else business[k],
            approve_rate=wilson(a, dec), reject_rate=wilson(r, dec), return_rate=wilson(t, dec),
            reject_or_return=wilson(r + t, dec),
            comment_rate=wilson(int(com_k[k]), int(com_n[k])) if com_n[k] else None,
            overruled=wilson(int(over[k]), a), burst_decisions=(bursts or {}).get(step, 0),
            wait_share=float(shared[k]) / all_wait, cycle_share=float(shared[k]) / all_cycle,
            approvers=int(approvers[k])))
    out.sort(key=lambda s: (-s.visits, s.step))
    return out


def activity_table(history: History) -> list[ActivityStats]:
    """Per raw activity label: events, cases and the wait before (PM4Py's convention)."""
    c = history.columns()
    n = len(c.activities)
    events = np.bincount(c.activity, minlength=n)
    cases = distinct_per(c.activity, c.case, n)
    waits = summaries(c.activity, c.wait, n)
    out = [ActivityStats(a, int(events[k]), int(cases[k]), waits[k])
           for k, a in enumerate(c.activities)]
    out.sort(key=lambda s: (-s.events, s.activity))
    return out


def burst_decisions(history: History, gap: float = 10.0, min_run: int = 5) -> dict[str, int]:
    """Decisions per step that belong to a burst: at least ``min_run`` decisions by one
    approver, each within ``gap`` seconds of the one before."""
    c = history.columns()
    counts = burst_counts(c, gap, min_run)
    return {s: int(counts[k]) for k, s in enumerate(c.steps) if counts[k]}


__all__ = ["ActivityStats", "StepStats", "activity_table",
           "burst_decisions", "step_table", "summaries"]
