"""What-if: replay the history against an edited definition.

A step is removed, or skipped when a condition on the case attributes holds. Replaying
a case drops those visits: the time requests waited there comes off the cycle time
(never more than the whole case), and every other step keeps its recorded wait. The
requests that a dropped visit alone rejected or returned (no kept visit did) are
listed: in the edited process nobody would have stopped them.
"""

from __future__ import annotations

import ast
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from simpleeval import EvalWithCompoundTypes, InvalidExpression, NameNotDefined

from engine.analytics.model import AttrValue, History, Visit
from engine.analytics.stats import Summary, summarize
from engine.core import expressions as ex
from engine.core.errors import AnalysisInvalid

_FUNCTIONS: dict[str, Any] = {"int": int, "float": float, "str": str, "len": len}


class WhatIfInvalid(AnalysisInvalid):
    """An edit that cannot be replayed (unknown step, bad condition)."""


@dataclass(frozen=True)
class Skip:
    step: str
    condition: str  # e.g. "RequestedAmount < 20000", names are case attributes


def what_if(history: History, remove: Sequence[str] = (), skip: Sequence[Skip] = (),
            by_case: Mapping[str, Sequence[Visit]] | None = None) -> dict[str, Any]:
    steps = {v.step for v in history.visits}
    for name in [*remove, *(k.step for k in skip)]:
        if name not in steps:
            raise WhatIfInvalid(f"unknown step {name!r}; steps are {sorted(steps)}")
    if not remove and not skip:
        raise WhatIfInvalid("nothing to replay: name a step to remove or a skip condition")
    trees = {k.condition: check_condition(k.condition) for k in skip}
    ev = ex.evaluator(_FUNCTIONS)
    removed = set(remove)
    base: list[float] = []
    scen: list[float] = []
    lost: list[dict[str, Any]] = []
    affected = dropped = 0
    for cid, visits in (by_case or history.by_case()).items():
        case = history.cases[cid]
        drop = [v for v in visits
                if v.step in removed or _skipped(v, skip, case.attributes, ev, trees)]
        saved = math.fsum(v.wait or 0.0 for v in drop)
        base.append(case.duration)
        scen.append(case.duration - min(saved, case.duration))
        if drop:
            affected += 1
            dropped += len(drop)
            lost.extend(_lost(visits, drop))
    b, s = summarize(base), summarize(scen)
    saved_total = b.total - s.total
    return {
        "edit": {"remove": list(remove),
                 "skip": [{"node": k.step, "if": k.condition} for k in skip]},
        "statistic": "mean",
        "baseline": _cycle(b),
        "scenario": _cycle(s),
        "cycle_time_saved_seconds": round((b.mean or 0.0) - (s.mean or 0.0), 3),
        "cycle_time_saved_total_seconds": round(saved_total, 3),
        "affected_cases": affected,
        "cycle_time_saved_per_affected_case_seconds":
            round(saved_total / affected, 3) if affected else 0.0,
        "visits_removed": dropped,
        "lost_rejections": lost,
    }


def removal_savings(history: History, edits: Sequence[Sequence[str]]
                    ) -> list[dict[str, float]]:
    """The one definition of the cycle time saved by removing a set of steps, per edit
    of ``edits`` (the report's candidates: each approval step alone): each request's
    cycle time loses the time it waited at those steps (never below zero); ``before``
    and ``after`` are the mean cycle time over all requests, ``saved_total`` their summed
    difference. Vectorised over the history's columns (a candidate per step, a million
    visits), the per-request figures the edits share computed once."""
    c = history.columns()
    n = len(c.case_ids)
    if n == 0:
        return [{"before": 0.0, "after": 0.0, "saved_total": 0.0, "affected": 0.0}
                for _ in edits]
    wait = np.nan_to_num(c.wait, nan=0.0)
    starts, ends = history.case_times()
    durations = ends - starts
    before = math.fsum(durations.tolist())
    width = len(c.steps)
    if all(len(e) == 1 for e in edits) and n * width <= 8 * len(c.step) + 4096:
        # one step each: every (request, step) sum in one pass over the visits
        pair = c.case * width + c.step
        waited = np.bincount(pair, weights=wait, minlength=n * width).reshape(n, width)
        visits = np.bincount(pair, minlength=n * width).reshape(n, width)
        def at_step(steps: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
            k = c.steps.index(steps[0]) if steps[0] in c.steps else None
            if k is None:
                return np.zeros(n), np.zeros(n, np.int64)
            return waited[:, k], visits[:, k]
    else:
        def at_step(steps: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
            here = np.isin(c.step, [c.steps.index(s) for s in steps if s in c.steps])
            rows = c.case[here]
            return (np.bincount(rows, weights=wait[here], minlength=n),
                    np.bincount(rows, minlength=n))
    out = []
    for steps in edits:
        per_case, count = at_step(steps)
        saved = np.minimum(per_case, durations)
        total = math.fsum(saved[saved != 0].tolist())  # exact: the zeros add nothing
        out.append({"before": before / n, "after": (before - total) / n,
                    "saved_total": total, "affected": float(np.count_nonzero(count))})
    return out


def _cycle(s: Summary) -> dict[str, Any]:
    return {"cases": s.n, "median_cycle_s": _r(s.median), "p90_cycle_s": _r(s.p90),
            "mean_cycle_s": _r(s.mean), "total_cycle_s": _r(s.total)}


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def _skipped(v: Visit, skip: Sequence[Skip], attrs: Mapping[str, AttrValue],
             ev: EvalWithCompoundTypes, trees: Mapping[str, ast.Expression]) -> bool:
    return any(k.step == v.step and _holds(k.condition, attrs, ev, trees[k.condition])
               for k in skip)


def _holds(condition: str, attrs: Mapping[str, AttrValue], ev: EvalWithCompoundTypes,
           tree: ast.Expression) -> bool:
    """Evaluate a checked condition within its budget. A case lacking an attribute it
    names, or holding a value of another type (text compared with a number), is not
    skipped; any other failure names the condition."""
    ev.names = dict(attrs)
    try:
        return bool(ev.eval(condition, previously_parsed=tree.body))
    except NameNotDefined:
        return False
    except TypeError:
        return False  # e.g. comparing a text attribute with a number: does not hold
    except ex.BudgetExceeded as exc:
        raise WhatIfInvalid(f"condition {condition!r} would compute {exc}") from None
    except ZeroDivisionError:
        raise WhatIfInvalid(f"condition {condition!r} divides by zero") from None
    except (InvalidExpression, ArithmeticError, ValueError, AttributeError, KeyError,
            IndexError, RecursionError, MemoryError) as exc:
        raise WhatIfInvalid(f"condition {condition!r}: {type(exc).__name__}: {exc}"
                            ) from None


def check_condition(condition: str) -> ast.Expression:
    """The checked tree of a condition; raise WhatIfInvalid when it does not parse, is
    beyond the limits, or cannot be true/false."""
    try:
        tree = ex.parse(condition, _FUNCTIONS)
    except ex.ExpressionInvalid as exc:
        raise WhatIfInvalid(f"condition {ex.shown(condition)} {exc}") from None
    if (why := ex.not_boolean(tree, {})) is not None:
        raise WhatIfInvalid(f"condition {ex.shown(condition)} {why}")
    return tree


def _lost(visits: Sequence[Visit], drop: Sequence[Visit]) -> list[dict[str, Any]]:
    stops = [v for v in drop if v.outcome in ("reject", "return")]
    if not stops:
        return []
    dropped = set(map(id, drop))
    if any(v.outcome in ("reject", "return") and id(v) not in dropped for v in visits):
        return []
    return [{"case_id": v.case_id, "step": v.step, "outcome": v.outcome,
             "at": dt.datetime.fromtimestamp(v.decided_at, dt.UTC).isoformat()} for v in stops]
