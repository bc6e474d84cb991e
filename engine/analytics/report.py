"""The report: every statistic and judgment of one history, as JSON-ready data.

``analyse(history, settings)`` is the one entry point; the keys of the dictionary it
returns are documented in docs/analytics.md and kept stable (``schema`` names the
version).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from engine.analytics.approvers import ApproverStats, approver_table, bottlenecks
from engine.analytics.calendar import WorkingCalendar
from engine.analytics.columns import Floats, distinct_pairs, first_rows
from engine.analytics.conditions import SkipCondition, learn_skip_condition
from engine.analytics.holdout import check_removal, check_skip, earlier_part, sentence
from engine.analytics.judge import Thresholds, judge
from engine.analytics.leakage import unusable_attributes
from engine.analytics.logs import paused_gc
from engine.analytics.model import History
from engine.analytics.stats import summarize
from engine.analytics.steps import (
    StepStats,
    activity_table,
    burst_decisions,
    step_table,
    summaries,
)
from engine.analytics.whatif import removal_savings
from engine.core.errors import NothingToAnalyse

SCHEMA = "signoff.analytics/1"


@dataclass(frozen=True)
class Settings:
    thresholds: Thresholds = field(default_factory=Thresholds)
    calendar: WorkingCalendar | None = field(default_factory=WorkingCalendar)
    burst_gap_s: float = 10.0
    burst_min: int = 5
    top: int = 5


def analyse(history: History, settings: Settings | None = None) -> dict[str, Any]:
    with paused_gc():
        return _analyse(history, settings or Settings())


def _analyse(history: History, st: Settings) -> dict[str, Any]:
    if not history.visit_count():
        raise NothingToAnalyse("nothing to analyse: the history has no visits")
    bursts = burst_decisions(history, st.burst_gap_s, st.burst_min)
    steps = step_table(history, st.calendar, bursts)
    approvers = approver_table(history)
    starts, ends = history.case_times()
    first, last = float(starts.min()), float(ends.max())
    th = st.thresholds
    has_attributes = history.has_attributes()
    excluded = unusable_attributes(history) if has_attributes else {}
    earlier = earlier_part(history, th.learn_share)
    conds: dict[str, SkipCondition | None] = {}
    for s in steps:
        if has_attributes and s.is_approval and s.reject + s.returned > 0:
            cond = learn_skip_condition(history, s.step, among=earlier, exclude=excluded)
            if cond is not None:
                check = check_skip(history, s.step, cond, earlier, th.max_stop_rate, th.z)
                # a rule that did not hold on the later part is not proposed
                cond = None if check["status"] == "did_not_hold" else replace(
                    cond, out_of_time=check)
            conds[s.step] = cond
    cycle = summarize(ends - starts)
    approval = [s.step for s in steps if s.is_approval]
    savings = dict(zip(approval, removal_savings(history, [[s] for s in approval]),
                       strict=True))
    flags, others = judge(steps, last - first, cycle.median, th, conds,
                          lone_stops(history), savings)
    flags, others = _validate(history, flags, others, earlier, th)
    report: dict[str, Any] = {
        "schema": SCHEMA,
        "source": history.source,
        "period": {"first": _iso(first), "last": _iso(last),
                   "days": round((last - first) / 86400, 2)},
        "settings": _settings(st),
        "summary": {"cases": len(history.cases), "visits": history.visit_count(),
                    "steps": len(steps), "approval_steps": sum(s.is_approval for s in steps),
                    "approvers": len(approvers), "cycle_time": cycle.as_dict(),
                    "outcomes": _count(history.case_outcomes())},
        "steps": [step_dict(s) for s in steps],
        "approvers": [approver_dict(a) for a in approvers],
        "candidates": flags,
        "not_flagged": others,
        "excluded_attributes": [{"attribute": k, "reason": v} for k, v in excluded.items()],
        "bottlenecks": bottlenecks(steps, approvers, st.top),
        "trend": trend(history, st.calendar),
        "per_approver": True,  # False once step_figures_only has removed them
    }
    c = history.columns()
    rows = first_rows(c.activity, len(c.activities))
    if any(c.activities[c.activity[i]] != c.steps[c.step[i]]
           for i in rows[rows < len(c.activity)].tolist()):
        report["activities"] = [
            {"activity": a.activity, "events": a.events, "cases": a.cases, "wait": a.wait.as_dict()}
            for a in activity_table(history)]
    return report


def _validate(history: History, flags: list[dict[str, Any]], others: list[dict[str, Any]],
              earlier: Any, th: Thresholds) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Check each removal out of time; one that did not hold is not proposed: the step
    goes to ``not_flagged`` with the check as its reason."""
    kept = []
    for f in flags:
        check = check_removal(history, f["step"], earlier, th.max_stop_rate,
                              th.min_decisions, th.z)
        f["out_of_time"] = check
        f["summary"] = f"{f['summary']} {sentence(check)}"
        if check["status"] == "did_not_hold":
            others.append({"step": f["step"], "fast": f["evidence"]["fast"],
                           "evidence": f["evidence"], "reason": sentence(check),
                           "reason_code": "did_not_hold", "skip_if": None})
        else:
            kept.append(f)
    return kept, others


def step_figures_only(report: dict[str, Any]) -> dict[str, Any]:
    """The report without its per-approver sections (for readers who may see how steps
    perform but not how each person does): ``approvers`` and ``bottlenecks.approvers``
    are emptied and ``per_approver`` says so. Step figures, judgments and the count of
    approvers stay."""
    out = dict(report, approvers=[], per_approver=False)
    out["bottlenecks"] = dict(report.get("bottlenecks", {}), approvers=[])
    return out


def step_dict(s: StepStats) -> dict[str, Any]:
    return {
        "step": s.step, "approval": s.is_approval, "visits": s.visits, "cases": s.cases,
        "decisions": s.decisions,
        "outcomes": {"approve": s.approve, "reject": s.reject, "return": s.returned,
                     "other": s.other},
        "wait": s.wait.as_dict(),
        "wait_business": None if s.wait_business is None else s.wait_business.as_dict(),
        "rates": {"approve": s.approve_rate.as_dict(), "reject": s.reject_rate.as_dict(),
                  "return": s.return_rate.as_dict(),
                  "reject_or_return": s.reject_or_return.as_dict()},
        "comment_rate": None if s.comment_rate is None else s.comment_rate.as_dict(),
        "overruled": s.overruled.as_dict(),
        "burst_decisions": s.burst_decisions,
        "burst_share": round(s.burst_decisions / s.decisions, 4) if s.decisions else None,
        "wait_share": round(s.wait_share, 4), "cycle_share": round(s.cycle_share, 4),
        "approvers": s.approvers,
    }


def approver_dict(a: ApproverStats) -> dict[str, Any]:
    return {"approver": a.approver, "decisions": a.decisions, "steps": list(a.steps),
            "wait": a.wait.as_dict(), "wait_share": round(a.wait_share, 4),
            "mean_queue": round(a.mean_queue, 3), "max_queue": a.max_queue}


def lone_stops(history: History) -> dict[str, int]:
    """Per step: requests that this step, and no other, rejected or returned."""
    c = history.columns()
    stops = c.stop
    if not stops.any():
        return {}
    width = len(c.steps) or 1
    pairs = distinct_pairs(c.case[stops], c.step[stops], len(c.case_ids), width)  # (case, step)
    per_case = np.bincount(pairs // width, minlength=len(c.case_ids))
    lone = pairs[per_case[pairs // width] == 1] % width
    counts = np.bincount(lone, minlength=len(c.steps))
    return {step: int(counts[k]) for k, step in enumerate(c.steps) if counts[k]}


def trend(history: History, calendar: WorkingCalendar | None) -> list[dict[str, Any]]:
    """Per month in which requests started: how many, how long they took, how they ended."""
    starts, ends = history.case_times()
    if not len(starts):
        return []
    durations = ends - starts
    rejected = np.array([o == "rejected" for o in history.case_outcomes()], np.bool_)
    labels, key = _months(starts, calendar)
    sums = summaries(key, durations, len(labels))
    hits = np.bincount(key, weights=rejected, minlength=len(labels))
    return [{"month": str(m), "cases": s.n, "median_cycle_s": round(s.median or 0, 3),
             "p90_cycle_s": round(s.p90 or 0, 3), "mean_cycle_s": round(s.mean or 0, 3),
             "rejected": int(hits[k])} for k, (m, s) in enumerate(zip(labels, sums, strict=True))]


def _months(starts: Floats, calendar: WorkingCalendar | None
            ) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.int64]]:
    """The months ("YYYY-MM", in the calendar's zone, UTC without a calendar) in which
    requests started, in order, and each start's month as an index into them."""
    offset = 0.0 if calendar is None else calendar.fixed_offset()
    if offset is not None:
        local = (starts + offset).astype("datetime64[s]").astype("datetime64[M]")
        months, key = np.unique(local.astype(np.int64), return_inverse=True)
        return (np.datetime_as_string(months.astype("datetime64[M]"), unit="M"),
                key.astype(np.int64))
    assert calendar is not None
    tz = calendar.tzinfo
    by_slot: dict[int, str] = {}  # month per quarter hour (zone offsets are whole quarters)
    out = []
    for t in starts.tolist():
        slot = int(t // 900)
        month = by_slot.get(slot)
        if month is None:
            month = by_slot[slot] = dt.datetime.fromtimestamp(slot * 900, tz).strftime("%Y-%m")
        out.append(month)
    labels, index = np.unique(np.array(out), return_inverse=True)
    return labels, index.astype(np.int64)


def _settings(st: Settings) -> dict[str, Any]:
    cal = st.calendar
    return {"thresholds": st.thresholds.as_dict(), "burst_gap_s": st.burst_gap_s,
            "burst_min": st.burst_min,
            "calendar": None if cal is None else {
                "country": cal.country, "timezone": cal.timezone,
                "hours": f"{cal.start:%H:%M}-{cal.end:%H:%M}",
                "weekdays": sorted(cal.weekdays)}}


def _count(items: Any) -> dict[str, int]:
    return dict(sorted(Counter(items).items()))


def _iso(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.UTC).isoformat()
