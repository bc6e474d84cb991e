"""Per-step and per-activity statistics: one pass over the visits, then summaries.

Rates are shares of *decisions* (approve + reject + return) with Wilson intervals.
"Overruled" counts this step's approvals after which a *different* step of the same
case rejected or returned the request.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from engine.analytics.calendar import WorkingCalendar
from engine.analytics.model import DECISIONS, History, Visit
from engine.analytics.stats import Share, Summary, summarize, wilson


@dataclass
class _Acc:
    visits: int = 0
    cases: set[str] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("approve", "reject", "return", "other"), 0))
    waits: list[float] = field(default_factory=list)
    business: list[float] = field(default_factory=list)
    commented: int = 0
    comment_known: int = 0
    overruled: int = 0
    resources: set[str] = field(default_factory=set)


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


def step_table(history: History, calendar: WorkingCalendar | None = None,
               bursts: dict[str, int] | None = None) -> list[StepStats]:
    """Statistics of every step, most visited first."""
    accs: dict[str, _Acc] = {}
    for visits in history.by_case().values():
        _overruled(visits, accs)
        for v in visits:
            _add(accs, v, calendar)
    all_wait = math.fsum(math.fsum(a.waits) for a in accs.values()) or 1.0
    all_cycle = math.fsum(c.duration for c in history.cases.values()) or 1.0
    out = [_finish(step, a, all_wait, all_cycle, calendar is not None, (bursts or {}).get(step, 0))
           for step, a in accs.items()]
    out.sort(key=lambda s: (-s.visits, s.step))
    return out


def _add(accs: dict[str, _Acc], v: Visit, calendar: WorkingCalendar | None) -> None:
    a = accs.get(v.step)
    if a is None:
        a = accs[v.step] = _Acc()
    a.visits += 1
    a.cases.add(v.case_id)
    a.counts[v.outcome] += 1
    arrived = v.arrived_at
    if arrived is not None:
        a.waits.append(v.decided_at - arrived)
        if calendar is not None:
            a.business.append(calendar.business_seconds(arrived, v.decided_at))
    if v.commented is not None and v.outcome != "other":
        a.comment_known += 1
        a.commented += v.commented
    if v.resource:
        a.resources.add(v.resource)


def _overruled(visits: Sequence[Visit], accs: dict[str, _Acc]) -> None:
    """Walk a case backwards, remembering which steps rejected or returned later."""
    later: set[str] = set()
    for v in reversed(visits):
        if v.outcome == "approve" and later and (len(later) > 1 or v.step not in later):
            a = accs.get(v.step)
            if a is None:
                a = accs[v.step] = _Acc()
            a.overruled += 1
        elif v.outcome in ("reject", "return"):
            later.add(v.step)


def _finish(step: str, a: _Acc, all_wait: float, all_cycle: float, business: bool,
            burst: int) -> StepStats:
    c = a.counts
    dec = c["approve"] + c["reject"] + c["return"]
    wait_total = math.fsum(a.waits)
    return StepStats(
        step=step, visits=a.visits, cases=len(a.cases), approve=c["approve"],
        reject=c["reject"], returned=c["return"], other=c["other"],
        wait=summarize(a.waits), wait_business=summarize(a.business) if business else None,
        approve_rate=wilson(c["approve"], dec), reject_rate=wilson(c["reject"], dec),
        return_rate=wilson(c["return"], dec),
        reject_or_return=wilson(c["reject"] + c["return"], dec),
        comment_rate=wilson(a.commented, a.comment_known) if a.comment_known else None,
        overruled=wilson(a.overruled, c["approve"]), burst_decisions=burst,
        wait_share=wait_total / all_wait, cycle_share=wait_total / all_cycle,
        approvers=len(a.resources))


def activity_table(history: History) -> list[ActivityStats]:
    """Per raw activity label: events, cases and the wait before (PM4Py's convention)."""
    events: dict[str, int] = {}
    cases: dict[str, set[str]] = {}
    waits: dict[str, list[float]] = {}
    for v in history.visits:
        act = v.activity or v.step
        events[act] = events.get(act, 0) + 1
        cases.setdefault(act, set()).add(v.case_id)
        w = waits.setdefault(act, [])
        if v.arrived_at is not None:
            w.append(v.decided_at - v.arrived_at)
    out = [ActivityStats(a, n, len(cases[a]), summarize(waits[a])) for a, n in events.items()]
    out.sort(key=lambda s: (-s.events, s.activity))
    return out


def burst_decisions(visits: Iterable[Visit], gap: float = 10.0, min_run: int = 5
                    ) -> dict[str, int]:
    """Decisions per step that belong to a burst: at least ``min_run`` decisions by one
    approver, each within ``gap`` seconds of the one before."""
    by_res: dict[str, list[tuple[float, str]]] = {}
    for v in visits:
        if v.resource and v.outcome in DECISIONS:
            by_res.setdefault(v.resource, []).append((v.decided_at, v.step))
    out: dict[str, int] = {}
    for items in by_res.values():
        items.sort()
        run = [items[0]]
        for prev, cur in itertools.pairwise(items):
            if cur[0] - prev[0] <= gap:
                run.append(cur)
                continue
            _count_run(run, min_run, out)
            run = [cur]
        _count_run(run, min_run, out)
    return out


def _count_run(run: list[tuple[float, str]], min_run: int, out: dict[str, int]) -> None:
    if len(run) >= min_run:
        for _, step in run:
            out[step] = out.get(step, 0) + 1
