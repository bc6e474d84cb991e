"""A history as columns (numpy arrays), built once per history, so the per-visit
statistics are vectorised instead of looping over a million visits in Python.

Visits are laid out case after case, each case's visits in time order (the order of
``History.by_case``). Codes index ``steps``, ``resources`` and ``activities``; outcome
codes are ``OUTCOMES``' positions; unknown arrivals are NaN; ``commented`` is -1 when
not recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from engine.analytics.model import History, Visit

OUTCOMES = ("approve", "reject", "return", "other")
APPROVE, REJECT, RETURN, OTHER = range(4)
Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Columns:
    steps: list[str]
    resources: list[str]
    activities: list[str]
    step: Ints
    outcome: Ints
    arrived: Floats
    decided: Floats
    resource: Ints  # -1: no resource
    case: Ints  # 0..n_cases-1, non-decreasing
    case_ids: list[str]
    commented: Ints  # -1 unknown, 0, 1
    activity: Ints

    @property
    def wait(self) -> Floats:
        return self.decided - self.arrived  # NaN where the arrival is unknown

    @property
    def stop(self) -> npt.NDArray[np.bool_]:
        out: npt.NDArray[np.bool_] = (self.outcome == REJECT) | (self.outcome == RETURN)
        return out

    @property
    def case_starts(self) -> Ints:
        """Index of each case's first visit."""
        return np.flatnonzero(np.r_[True, self.case[1:] != self.case[:-1]])


def _codes(values: tuple[str, ...], table: dict[str, int]) -> Ints:
    get = table.setdefault
    return np.array([get(v, len(table)) for v in values], dtype=np.int64)


def columns_of(history: History) -> Columns:
    """The columns of a history (visits grouped per case, as ``by_case`` gives them)."""
    by_case = history.by_case()
    visits = [v for vs in by_case.values() for v in vs]
    n = len(visits)
    if n == 0:
        e = np.zeros(0, np.int64)
        return Columns([], [], [], e, e, e.astype(np.float64), e.astype(np.float64), e, e, [],
                       e, e)
    # Visits are tuples: transposing them is one C-level pass per column.
    _, steps_col, arrived, decided, outcomes, res_col, commented, acts_col = zip(
        *visits, strict=True)
    steps: dict[str, int] = {}
    acts: dict[str, int] = {}
    res: dict[str, int] = {"": -1}
    outcome_code = {o: i for i, o in enumerate(OUTCOMES)}
    labels = [a or s for a, s in zip(acts_col, steps_col, strict=True)]
    resource = np.array([res.setdefault(r or "", len(res) - 1) for r in res_col], np.int64)
    del res[""]
    com = np.array(commented, dtype=np.float64)  # None -> NaN
    step = _codes(steps_col, steps)
    activity = _codes(tuple(labels), acts)
    return Columns(
        steps=list(steps), resources=list(res), activities=list(acts),
        step=step, activity=activity, resource=resource,
        outcome=np.array([outcome_code[o] for o in outcomes], np.int64),
        arrived=np.array(arrived, dtype=np.float64), decided=np.array(decided, np.float64),
        case=np.repeat(np.arange(len(by_case), dtype=np.int64),
                       np.fromiter(map(len, by_case.values()), np.int64, len(by_case))),
        case_ids=list(by_case),
        commented=np.where(np.isnan(com), -1, com).astype(np.int64),
    )


def visits_of(c: Columns) -> tuple[Visit, ...]:
    """Visit records from columns (for the code that walks visits one by one)."""
    from engine.analytics.model import Visit

    n = len(c.step)
    steps, res, acts = c.steps, c.resources, c.activities
    arrived = [None if a != a else a for a in c.arrived.tolist()]  # NaN -> None
    commented = [None if x < 0 else bool(x) for x in c.commented.tolist()]
    new = tuple.__new__
    return tuple(new(Visit, (c.case_ids[ci], steps[si], arrived[i], decided, OUTCOMES[oi],
                             res[ri] if ri >= 0 else None, commented[i],
                             acts[ai] if acts[ai] != steps[si] else ""))
                 for i, ci, si, decided, oi, ri, ai in zip(
                     range(n), c.case.tolist(), c.step.tolist(), c.decided.tolist(),
                     c.outcome.tolist(), c.resource.tolist(), c.activity.tolist(), strict=True))


def group_sorted(keys: Ints, values: Floats, n_groups: int) -> tuple[Floats, Ints]:
    """``values`` sorted by (key, value) and the start offset of each key's run
    (length n_groups + 1)."""
    order = np.argsort(keys, kind="stable")
    vals = values[order]
    offsets = np.r_[0, np.cumsum(np.bincount(keys, minlength=n_groups))]
    for k in range(n_groups):
        vals[offsets[k]:offsets[k + 1]].sort()  # in place, one group at a time
    return vals, offsets


def per_case_max(values: Ints, starts: Ints) -> Ints:
    """The maximum of ``values`` within each case (``starts`` from ``case_starts``)."""
    if len(values) == 0:
        return np.zeros(0, np.int64)
    return np.maximum.reduceat(values, starts)


def overruled(c: Columns) -> Ints:
    """Per step: approvals after which a *different* step of the same case rejected or
    returned. The last stop of a case (L, by step sL) overrules an earlier approval of any
    other step; the last stop by a step other than sL (L2) overrules sL's approvals."""
    n = len(c.step)
    if n == 0:
        return np.zeros(len(c.steps), np.int64)
    idx = np.arange(n)
    stop = c.stop
    starts = c.case_starts
    last = per_case_max(np.where(stop, idx, -1), starts)
    s_last = np.where(last >= 0, c.step[np.maximum(last, 0)], -1)
    other = stop & (c.step != s_last[c.case])
    last2 = per_case_max(np.where(other, idx, -1), starts)
    lv, l2v, sv = last[c.case], last2[c.case], s_last[c.case]
    hit = (c.outcome == APPROVE) & np.where(c.step != sv, lv > idx, l2v > idx)
    return np.bincount(c.step[hit], minlength=len(c.steps))


def bursts(c: Columns, gap: float, min_run: int) -> Ints:
    """Per step: decisions in a run of at least ``min_run`` decisions by one approver,
    each within ``gap`` seconds of the previous one."""
    m = (c.resource >= 0) & (c.outcome != OTHER)
    res, t, st = c.resource[m], c.decided[m], c.step[m]
    if len(res) == 0:
        return np.zeros(len(c.steps), np.int64)
    order = np.lexsort((t, res))
    res, t, st = res[order], t[order], st[order]
    new = np.r_[True, (res[1:] != res[:-1]) | (np.diff(t) > gap)]
    run = np.cumsum(new) - 1
    length = np.bincount(run)
    return np.bincount(st[length[run] >= min_run], minlength=len(c.steps))


def max_open(c: Columns, n_resources: int) -> Ints:
    """Per resource: most of its requests open at once (arrivals +1, decisions -1; a
    decision at the same instant as an arrival closes first)."""
    m = (c.resource >= 0) & (c.outcome != OTHER) & ~np.isnan(c.arrived)
    res = c.resource[m]
    if len(res) == 0:
        return np.zeros(n_resources, np.int64)
    r2 = np.r_[res, res]
    t = np.r_[c.arrived[m], c.decided[m]]
    d = np.r_[np.ones(len(res), np.int64), -np.ones(len(res), np.int64)]
    order = np.lexsort((d, t, r2))
    r2, d = r2[order], d[order]
    run = np.cumsum(d)
    starts = np.flatnonzero(np.r_[True, r2[1:] != r2[:-1]])
    base = np.r_[0, run][starts]  # running total before each resource's first event
    best = np.maximum.reduceat(run - np.repeat(base, np.diff(np.r_[starts, len(run)])), starts)
    out = np.zeros(n_resources, np.int64)
    out[r2[starts]] = best
    return out
