"""Judgments: rubber-stamp candidates, low-value gates, and why other steps are not.

A step is judged on its *decisions* (approve, reject, return):

- **rubber stamp**: enough decisions that the Wilson upper bound of its reject+return
  rate is below ``max_stop_rate``; it is fast: its median wait is at most ``fast_share``
  of the process's median cycle time, or at most ``fast_ratio`` of the median of the
  other judged approval steps' median waits; its approvals carry (almost) no comments.
- **low-value gate**: the same bound holds but the step is not fast: it rarely stops a
  request and requests wait for it.
- otherwise it is not flagged, with the reason (a fast step that does reject is a
  careful first check, not a stamp).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.analytics.conditions import SkipCondition
from engine.analytics.stats import Z95, wilson
from engine.analytics.steps import StepStats

YEAR = 365.25 * 86400


@dataclass(frozen=True)
class Thresholds:
    max_stop_rate: float = 0.05  # upper bound of reject+return share of decisions
    fast_share: float = 0.02  # fast: median wait <= this share of the median cycle time
    fast_ratio: float = 0.25  # or <= this x the median of the other steps' medians
    max_comment_rate: float = 0.10  # upper bound of the share of commented decisions
    min_decisions: int = 30
    handling_s: float = 300.0  # assumed approver work per decision (logs show waiting)
    stamp_ceiling_s: float = 900.0  # a rubber stamp is decided within this (working time)
    learn_share: float = 2 / 3  # out of time: rules are learned on this earlier share
    z: float = Z95

    def as_dict(self) -> dict[str, float | int]:
        return {"max_stop_rate": self.max_stop_rate, "fast_share": self.fast_share,
                "fast_ratio": self.fast_ratio,
                "max_comment_rate": self.max_comment_rate, "min_decisions": self.min_decisions,
                "handling_s": self.handling_s, "stamp_ceiling_s": self.stamp_ceiling_s,
                "learn_share": round(self.learn_share, 4), "confidence_level": 0.95 if self.z == Z95
                else round(math.erf(self.z / math.sqrt(2)), 4)}


def judge(steps: Sequence[StepStats], span_s: float, median_cycle_s: float | None,
          th: Thresholds, conditions: Mapping[str, SkipCondition | None],
          lone_stops: Mapping[str, int], savings: Mapping[str, Mapping[str, float]]
          ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(flags, not_flagged) for every approval step."""
    judged = [s for s in steps if s.is_approval and s.decisions >= th.min_decisions
              and s.wait.median is not None]
    flags: list[dict[str, Any]] = []
    others: list[dict[str, Any]] = []
    for s in steps:
        if not s.is_approval:
            continue
        pace = fast_limit(s, judged, median_cycle_s, th)
        stop = wilson(s.reject + s.returned, s.decisions, th.z)
        med = s.wait.median
        working = _working_median(s)
        quick = working is not None and working <= th.stamp_ceiling_s
        fast = pace is not None and med is not None and med <= pace and quick
        comments = wilson(s.comment_rate.k, s.comment_rate.n, th.z) if s.comment_rate else None
        quiet = comments is None or (comments.high or 0) < th.max_comment_rate
        ev = _evidence(s, stop.high, pace, fast, comments, working, th)
        if s.decisions < th.min_decisions or (stop.high or 1) >= th.max_stop_rate:
            code, why = _why_not(s, stop.high, fast, th)
            others.append({"step": s.step, "fast": fast, "reason": why, "reason_code": code,
                           "evidence": ev, "skip_if": _skip(conditions.get(s.step))})
        elif fast and comments is not None and not quiet:
            others.append({"step": s.step, "fast": fast, "evidence": ev, "reason":
                           f"fast and rarely stops a request, but {_pct(comments.rate)} "
                           "of its decisions carry comments: approvers engage with it",
                           "reason_code": "comments", "skip_if": _skip(conditions.get(s.step))})
        else:
            kind = "rubber_stamp" if fast else "low_value_gate"
            flags.append({"step": s.step, "kind": kind, "evidence": ev,
                          "confidence": _confidence(stop.high or 0, th),
                          "saving": _saving(s, span_s, th, savings.get(s.step, {})),
                          "remedies": _remedies(s, kind, conditions.get(s.step),
                                                lone_stops.get(s.step, 0)),
                          "summary": _summary(s, kind, stop.high or 0, pace, working, th)})
    flags.sort(key=lambda f: -f["saving"]["cycle_time_removed_per_year_h"])
    return flags, others


def fast_limit(s: StepStats, judged: Sequence[StepStats], median_cycle_s: float | None,
               th: Thresholds) -> float | None:
    """The median wait under which step ``s`` counts as fast (the larger of the two
    limits: a share of the cycle time, a fraction of the other steps' typical wait)."""
    limits = []
    if median_cycle_s is not None:
        limits.append(th.fast_share * median_cycle_s)
    meds = sorted(o.wait.median for o in judged if o.step != s.step and o.wait.median is not None)
    if meds:
        mid = len(meds) // 2
        typical = meds[mid] if len(meds) % 2 else (meds[mid - 1] + meds[mid]) / 2
        limits.append(th.fast_ratio * typical)
    return max(limits) if limits else None


def _working_median(s: StepStats) -> float | None:
    """The median wait in working time (wall clock when there is no calendar)."""
    w = s.wait_business if s.wait_business is not None else s.wait
    return w.median


def _evidence(s: StepStats, stop_high: float | None, pace: float | None, fast: bool,
              comments: Any, working: float | None, th: Thresholds) -> dict[str, Any]:
    return {"decisions": s.decisions, "approve": s.approve, "reject": s.reject,
            "return": s.returned, "stop_rate": _r(s.reject_or_return.rate, 4),
            "stop_rate_ci_high": _r(stop_high, 4), "median_wait_s": _r(s.wait.median, 1),
            "median_wait_working_s": _r(working, 1),
            "fast_below_s": _r(pace, 1), "stamp_ceiling_s": th.stamp_ceiling_s,
            "fast": fast,
            "comment_rate": None if comments is None else _r(comments.rate, 4),
            "comments_recorded": comments is not None,
            "overruled_rate": _r(s.overruled.rate, 4), "burst_decisions": s.burst_decisions}


def _why_not(s: StepStats, stop_high: float | None, fast: bool, th: Thresholds
             ) -> tuple[str, str]:
    """(reason_code, reason): the code lets a UI word the reason in its own language."""
    if s.decisions < th.min_decisions:
        return "too_few", (f"only {s.decisions} decisions: too few to be confident "
                           f"(needs {th.min_decisions})")
    rr = s.reject_or_return
    band = f"95% CI {_pct(rr.low)}-{_pct(rr.high)}"
    if rr.k == 0:
        return "unproven", (f"never rejected, but {s.decisions} decisions cannot show a rate "
                            f"below {_pct(th.max_stop_rate)} (upper bound {_pct(stop_high)})")
    if fast and (rr.low or 0) >= th.max_stop_rate:
        return "careful_check", (f"fast (median {_dur(s.wait.median)}) but it rejects or "
                                 f"returns {_pct(rr.rate)} of requests ({band}): a careful "
                                 "check, not a stamp")
    if fast:
        return "uncertain", (f"fast (median {_dur(s.wait.median)}); it rejects or returns "
                             f"{_pct(rr.rate)} of requests ({band}): too uncertain to call "
                             "it a stamp")
    return "stops", f"rejects or returns {_pct(rr.rate)} of requests ({band})"


def _confidence(stop_high: float, th: Thresholds) -> str:
    return "high" if stop_high < th.max_stop_rate / 2 else "medium"


def _saving(s: StepStats, span_s: float, th: Thresholds, removal: Mapping[str, float]
            ) -> dict[str, Any]:
    """Approver time and cycle time saved by removing the step. The cycle-time saving
    has one definition, shared with the what-if (``whatif.removal_savings``): the mean
    cycle time of all requests in the period, before minus after."""
    years = max(span_s, 86400.0) / YEAR
    effort = min(th.handling_s, s.wait.median or 0.0)
    before = removal.get("before", 0.0)
    after = removal.get("after", 0.0)
    saved_total = removal.get("saved_total", 0.0)
    return {"statistic": "mean",
            "decisions_per_year": round(s.decisions / years, 1),
            "approver_hours_per_year": round(s.decisions / years * effort / 3600, 1),
            "handling_s_assumed": round(effort, 1),
            "mean_cycle_before_s": round(before, 3), "mean_cycle_after_s": round(after, 3),
            "cycle_time_removed_per_request_s": round(before - after, 3),
            "cycle_time_removed_per_year_h": round(saved_total / years / 3600, 1),
            "share_of_total_cycle_time": round(s.cycle_share, 4)}


def _skip(cond: SkipCondition | None) -> dict[str, Any] | None:
    """A learned skip condition offered for a step that is not flagged."""
    if cond is None:
        return None
    return {"condition": cond.expression, "covered": cond.covered, "cases": cond.cases,
            "detail": f"all {cond.covered} of {cond.cases} earlier requests with "
                      f"{cond.expression} were approved here: they could skip it",
            "out_of_time": cond.out_of_time}


def _remedies(s: StepStats, kind: str, cond: SkipCondition | None, lone: int
              ) -> list[dict[str, Any]]:
    lost = (f"; {lone} request(s) were stopped by this step alone" if lone else
            "; no request was stopped by this step alone")
    out: list[dict[str, Any]] = []
    if cond is not None:
        out.append({"action": "skip_if", "condition": cond.expression,
                    "detail": f"all {cond.covered} of {cond.cases} earlier requests with "
                              f"{cond.expression} were approved here "
                              f"({_pct(cond.coverage)} of its requests)",
                    "out_of_time": cond.out_of_time})
    notify = {"action": "notify", "condition": None,
              "detail": "turn the approval into a notification: the record stays, "
                        "nobody waits" + lost, "out_of_time": None}
    remove = {"action": "remove", "condition": None, "detail": "remove the step" + lost,
              "out_of_time": None}
    out.extend([remove, notify] if kind == "rubber_stamp" and not lone else [notify, remove])
    return out


def _summary(s: StepStats, kind: str, stop_high: float, pace: float | None,
             working: float | None, th: Thresholds) -> str:
    stops = (f"{s.approve} of {s.decisions} decisions approved; with 95% confidence it "
             f"stops fewer than {_pct(stop_high)} of requests")
    if kind == "rubber_stamp":
        return (f"Rubber stamp: decided within minutes (median {_dur(working)} of working "
                f"time, under {_dur(th.stamp_ceiling_s)}, and fast for this process: under "
                f"{_dur(pace)}) and it almost never says no: {stops}.")
    return (f"Low-value gate: requests wait for it (median {_dur(s.wait.median)}) and it "
            f"almost never stops one: {stops}.")


def _r(x: float | None, nd: int) -> float | None:
    return None if x is None else round(x, nd)


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def _dur(x: float | None) -> str:
    if x is None:
        return "n/a"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if x >= size:
            return f"{x / size:.1f} {unit}"
    return f"{x:.0f} s"
