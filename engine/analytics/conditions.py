"""Skip conditions learned from case attributes: "every request under 20,000 was approved".

For one step, each case that passed through it is *stopped* (the step rejected or
returned it at least once) or *clean*. A condition qualifies when every case it covers
is clean and it covers enough cases. Numeric attributes get a threshold search (the
longest clean run from the low end, or from the high end, cut at a round number);
string attributes get equality with one value.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from engine.analytics.leakage import usable
from engine.analytics.model import AttrValue, History, Visit
from engine.analytics.stats import Share, wilson


@dataclass(frozen=True)
class SkipCondition:
    attribute: str
    op: str  # "<", ">", "=="
    value: AttrValue
    covered: int  # cases the condition holds for (all clean)
    cases: int  # cases that passed through the step
    evidence: Share  # stopped among covered (always 0) with its interval
    out_of_time: dict[str, Any] | None = None  # holdout.check_skip, once checked

    @property
    def expression(self) -> str:
        v = repr(self.value) if isinstance(self.value, str) else _fmt(self.value)
        return f"{self.attribute} {self.op} {v}"

    @property
    def coverage(self) -> float:
        return self.covered / self.cases if self.cases else 0.0


def learn_skip_condition(history: History, step: str, min_cases: int = 20,
                         min_coverage: float = 0.1,
                         by_case: Mapping[str, Sequence[Visit]] | None = None,  # unused
                         *, among: npt.NDArray[np.bool_] | None = None,
                         exclude: Collection[str] = ()) -> SkipCondition | None:
    """The condition covering most clean cases of ``step``, or None.

    ``among`` (a flag per case, in ``history.columns().case_ids`` order) restricts the
    learning to some cases (the earlier part of the history); ``exclude`` names
    attributes a condition must not use (``leakage.unusable_attributes``)."""
    c = history.columns()
    if step not in c.steps:
        return None
    here = c.step == c.steps.index(step)
    through = np.zeros(len(c.case_ids), np.bool_)
    through[c.case[here]] = True
    if among is not None:
        through &= among
    bad = np.zeros(len(c.case_ids), np.bool_)
    bad[c.case[here & c.stop]] = True
    bad &= through
    n = int(through.sum())
    if n == 0 or not bad.any():
        return None  # nothing to learn: the step never stopped a request
    ids = c.case_ids
    stopped = {ids[i]: flag for i, flag in zip(np.flatnonzero(through).tolist(),
                                               bad[through].tolist(), strict=True)}
    attrs: dict[str, list[tuple[AttrValue, bool]]] = {}
    for cid, was_bad in stopped.items():
        for k, val in history.cases[cid].attributes.items():
            if k not in exclude and usable(val):
                attrs.setdefault(k, []).append((val, was_bad))
    floor = max(min_cases, math.ceil(min_coverage * n))
    best: SkipCondition | None = None
    for k, pairs in sorted(attrs.items()):
        for cond in (*_numeric(k, pairs), _categorical(k, pairs)):
            if cond is not None and cond[2] >= floor and (best is None or cond[2] > best.covered):
                best = SkipCondition(k, cond[0], cond[1], cond[2], n, wilson(0, cond[2]))
    return best


def holds(cond: SkipCondition, value: AttrValue | None) -> bool:
    """Whether a case with this attribute value satisfies the condition (a missing
    value, or one of another type, does not)."""
    if value is None or not usable(value):
        return False
    if cond.op == "==":
        return value == cond.value
    if not isinstance(value, float) or not isinstance(cond.value, float):
        return False
    return value < cond.value if cond.op == "<" else value > cond.value


Found = tuple[str, AttrValue, int]


def _numeric(key: str, pairs: list[tuple[AttrValue, bool]]) -> tuple[Found | None, Found | None]:
    nums = sorted((v, bad) for v, bad in pairs if isinstance(v, float))
    if len(nums) < len(pairs) or not nums:
        return None, None
    bad_vals = [v for v, bad in nums if bad]
    if not bad_vals:
        # no stopped request carries this attribute: a threshold on it would only say
        # "has the attribute", which is no rule on its value
        return None, None
    lo_bad, hi_bad = bad_vals[0], bad_vals[-1]
    below = [v for v, _ in nums if v < lo_bad]
    above = [v for v, _ in nums if v > hi_bad]
    low = ("<", _round_between(below[-1], lo_bad), len(below)) if below else None
    high = (">", _round_between_up(hi_bad, above[0]), len(above)) if above else None
    return low, high


def _categorical(key: str, pairs: list[tuple[AttrValue, bool]]) -> Found | None:
    counts: dict[str, list[int]] = {}
    for v, bad in pairs:
        if isinstance(v, str):
            c = counts.setdefault(v, [0, 0])
            c[0] += 1
            c[1] += bad
    clean = [(n, v) for v, (n, b) in counts.items() if b == 0]
    if not clean:
        return None
    n, v = max(clean)
    return "==", v, n


def _round_between(lo: float, hi: float) -> float:
    """The roundest number r with lo < r <= hi (for "value < r")."""
    for exp in range(15, -4, -1):
        step = 10.0 ** exp
        r = math.floor(hi / step) * step
        if lo < r <= hi:
            return r
    return hi


def _round_between_up(lo: float, hi: float) -> float:
    """The roundest number r with lo <= r < hi (for "value > r")."""
    for exp in range(15, -4, -1):
        step = 10.0 ** exp
        r = math.ceil(lo / step) * step
        if lo <= r < hi:
            return r
    return lo


def _fmt(x: float) -> str:
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    short = f"{x:.2f}"
    return short if float(short) == x else repr(float(x))  # never round the rule itself
