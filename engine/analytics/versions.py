"""Versions close the loop: judgments per definition version, and the effect of a change.

Signoff knows which definition version each request ran on. When a later version
removed an approval step or changed it, the old advice about it is void; instead the
report shows what the change did: the cycle time (median with its 95 % interval, mean)
and the share of requests stopped (rejected or returned, Wilson interval), on the
requests of the version before and of the version after, and the changed steps' own stop
rates on each side.

Judgments use the requests of the current version once it has ``min_requests`` finished
ones; until then they use every version's requests, leaving out the steps the current
version removed or changed (their effect is shown instead).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from itertools import pairwise
from typing import Any

from engine.analytics.model import DECISIONS, History
from engine.analytics.report import Settings, analyse
from engine.analytics.stats import Z95, summarize, wilson

NodeConfigs = Mapping[str, Any]  # node id -> its YAML mapping, for approval nodes


def analyse_versions(history: History, versions: Mapping[int, NodeConfigs],
                     settings: Settings | None = None, min_requests: int = 200
                     ) -> dict[str, Any]:
    """The report of ``history`` with its ``versions`` section (see the module doc)."""
    seen = sorted(set(history.case_versions.values()))
    if len(seen) < 2:
        report = analyse(history, settings)
        report["versions"] = {"current": seen[-1] if seen else None, "judged": seen,
                              "changes": []}
        return report
    current = seen[-1]
    mine = [cid for cid, v in history.case_versions.items() if v == current]
    changes = effects(history, versions, seen)
    if len(mine) >= min_requests:
        judged = [current]
        report = analyse(subset(history, set(mine)), settings)
    else:
        judged = seen
        report = analyse(history, settings)
        void = {s for c in changes if c["to_version"] == current
                for s in (*c["removed"], *c["changed"])}
        report["candidates"] = [c for c in report["candidates"] if c["step"] not in void]
        report["not_flagged"] = [o for o in report["not_flagged"] if o["step"] not in void]
    report["versions"] = {"current": current, "judged": judged, "changes": changes}
    return report


def subset(history: History, cases: set[str]) -> History:
    """The history of some of its cases."""
    return History({k: c for k, c in history.cases.items() if k in cases},
                   tuple(v for v in history.visits if v.case_id in cases), history.source,
                   late_attributes=history.late_attributes,
                   case_versions={k: v for k, v in history.case_versions.items()
                                  if k in cases})


def effects(history: History, versions: Mapping[int, NodeConfigs], seen: list[int]
            ) -> list[dict[str, Any]]:
    """One entry per pair of consecutive versions (with requests) that removed or
    changed an approval step."""
    out = []
    for a, b in pairwise(seen):
        old, new = versions.get(a), versions.get(b)
        if old is None or new is None:
            continue
        removed = sorted(set(old) - set(new))
        # a step is changed when what it is changes (approvers, mode, timers...), not
        # when its routes were only rewired around a removed step
        changed = sorted(k for k in set(old) & set(new) if _what(old[k]) != _what(new[k]))
        if not removed and not changed:
            continue
        before = {k for k, v in history.case_versions.items() if v == a}
        after = {k for k, v in history.case_versions.items() if v == b}
        out.append({"from_version": a, "to_version": b, "removed": removed,
                    "changed": changed, "before": _side(history, before),
                    "after": _side(history, after),
                    "steps": [{"step": s, "title": str(old[s].get("title") or s),
                               "title_zh": str(old[s].get("title_zh") or ""),
                               "before": _stop_rate(history, before, s),
                               "after": _stop_rate(history, after, s) if s in new else None}
                              for s in (*removed, *changed)]})
    return out


def _what(node: Any) -> dict[str, Any]:
    return {k: v for k, v in dict(node).items() if k not in ("on", "next")}


def _side(history: History, cases: set[str]) -> dict[str, Any]:
    durations = [history.cases[k].duration for k in cases]
    s = summarize(durations)
    low, high = median_interval(sorted(durations))
    stopped = {v.case_id for v in history.visits
               if v.case_id in cases and v.outcome in ("reject", "return")}
    return {"requests": s.n, "median_cycle_s": _r(s.median), "median_ci_low_s": _r(low),
            "median_ci_high_s": _r(high), "mean_cycle_s": _r(s.mean),
            "stopped": wilson(len(stopped), len(cases)).as_dict()}


def _stop_rate(history: History, cases: set[str], step: str) -> dict[str, Any]:
    mine = [v for v in history.visits if v.case_id in cases and v.step == step
            and v.outcome in DECISIONS]
    k = sum(v.outcome in ("reject", "return") for v in mine)
    return wilson(k, len(mine)).as_dict()


def median_interval(values: list[float], z: float = Z95) -> tuple[float | None, float | None]:
    """A distribution-free 95 % interval for the median of sorted ``values``: the order
    statistics at n/2 -+ z*sqrt(n)/2 (the normal approximation of the binomial, as in
    textbooks; scipy is not a dependency for this one formula)."""
    n = len(values)
    if n == 0:
        return None, None
    half = z * math.sqrt(n) / 2
    lo = max(0, math.floor(n / 2 - half) - 1) if n > 1 else 0
    hi = min(n - 1, math.ceil(n / 2 + half)) if n > 1 else 0
    return values[lo], values[hi]


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 3)
