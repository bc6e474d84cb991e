"""Out-of-time validation: a removal or a skip rule is learned on the earlier part of
the history and checked on the later part.

Requests are ordered by start (ties in the history's order); the first
``learn_share`` of them are the *earlier* part. A removal is learned when the step,
on the earlier part alone, has enough decisions and the upper bound of its stop rate is
below ``max_stop_rate``; a skip rule is learned on the earlier part only. On the later
part the rule *would have let through* the requests it covers (every request through
the step for a removal, those satisfying the condition for a skip); the step actually
*stopped* some of them. The rule *held* when the share stopped is at most
``max_stop_rate``; it *did not hold* otherwise, and is then not proposed. Without a
later request it covers, or when the earlier part alone does not support a removal, it
is *not checked* (and says why).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import numpy.typing as npt

from engine.analytics.columns import OTHER
from engine.analytics.conditions import SkipCondition, holds
from engine.analytics.model import History
from engine.analytics.stats import wilson

Mask = npt.NDArray[np.bool_]


def earlier_part(history: History, learn_share: float) -> Mask:
    """A flag per case (``columns().case_ids`` order): in the earlier part."""
    n = len(history.columns().case_ids)
    starts = history.case_times()[0]
    rank = np.empty(n, np.int64)
    rank[np.argsort(starts, kind="stable")] = np.arange(n)
    cut = min(n - 1, max(1, math.ceil(learn_share * n))) if n > 1 else n
    out: Mask = rank < cut
    return out


def _part(history: History, mask: Mask) -> dict[str, Any]:
    starts = history.case_times()[0][mask]
    if not len(starts):
        return {"requests": 0, "first": None, "last": None}
    return {"requests": len(starts), "first": _iso(float(starts.min())),
            "last": _iso(float(starts.max()))}


def check_removal(history: History, step: str, earlier: Mask, max_stop_rate: float,
                  min_decisions: int, z: float) -> dict[str, Any]:
    """How removing ``step``, learned on the earlier part, held on the later part."""
    c = history.columns()
    here = c.step == c.steps.index(step)
    decided = here & (c.outcome != OTHER)
    early_visit = earlier[c.case]
    n_early = int((decided & early_visit).sum())
    k_early = int((decided & early_visit & c.stop).sum())
    bound = wilson(k_early, n_early, z).high
    learned = n_early >= min_decisions and bound is not None and bound < max_stop_rate
    late = ~earlier
    through = np.zeros(len(c.case_ids), np.bool_)
    through[c.case[decided]] = True
    stopped = np.zeros(len(c.case_ids), np.bool_)
    stopped[c.case[here & c.stop]] = True
    let = int((through & late).sum())
    k = int((stopped & late & through).sum())
    why = None
    if not learned:
        why = (f"the earlier part alone ({n_early} decisions, {k_early} stops) does not "
               "support removing it")
    return _result(history, earlier, let, k, max_stop_rate, learned, why, z)


def check_skip(history: History, step: str, cond: SkipCondition, earlier: Mask,
               max_stop_rate: float, z: float) -> dict[str, Any]:
    """How a skip rule learned on the earlier part held on the later part."""
    c = history.columns()
    here = c.step == c.steps.index(step)
    through = np.zeros(len(c.case_ids), np.bool_)
    through[c.case[here]] = True
    stopped = np.zeros(len(c.case_ids), np.bool_)
    stopped[c.case[here & c.stop]] = True
    covered = np.fromiter((holds(cond, history.cases[cid].attributes.get(cond.attribute))
                           for cid in c.case_ids), np.bool_, len(c.case_ids))
    rows = through & covered & ~earlier
    return _result(history, earlier, int(rows.sum()), int((rows & stopped).sum()),
                   max_stop_rate, True, None, z)


def _result(history: History, earlier: Mask, let: int, k: int, max_stop_rate: float,
            learned: bool, why: str | None, z: float) -> dict[str, Any]:
    share = wilson(k, let, z)
    if why is None and let == 0:
        why = "no later request it would have let through"
    held = None if why is not None else k <= max_stop_rate * let
    status = "not_checked" if held is None else "held" if held else "did_not_hold"
    return {"status": status, "learned": learned,
            "learned_on": _part(history, earlier), "checked_on": _part(history, ~earlier),
            "let_through": let, "stopped": k, "stopped_share": share.as_dict(),
            "note": why}


def sentence(v: dict[str, Any]) -> str:
    """The check in one sentence (English; the UI words it in each language)."""
    let, k = v["let_through"], v["stopped"]
    later = v["checked_on"]["requests"]
    if v["status"] == "not_checked":
        return f"Not checked out of time: {v['note']}."
    word = "held" if v["status"] == "held" else "did not hold"
    return (f"Out of time it {word}: learned on the earlier {v['learned_on']['requests']} "
            f"requests; of the later {later}, it would have let {let} through, and this "
            f"step stopped {k} of those.")


def _iso(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.UTC).isoformat()
