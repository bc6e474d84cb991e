"""Which case attributes a learned condition may use: only what is known when the
request is submitted.

A skip rule such as ``variant-index < 9`` is circular: a mining tool numbers the
*path* each case took, and the path includes whether this step stopped it. An attribute
is left out (with the reason, shown in the report) when it is

- **named as path or identity data**: ``variant``, ``variant-index``, ``trace id``,
  ``case id``, ``concept:name``... (``_PATH_NAMES``, compared without case, spaces or
  punctuation);
- **not known at submission**: the log gives it a value only after the case's first
  event, or changes it during the case (the readers record these in
  ``History.late_attributes``);
- **not a name**: a condition refers to attributes by name (``amount < 1000``);
- **unique per case**: a text value no two requests share, or whole numbers no two
  requests share that run densely like a counter (an identifier, not a property);
- **determined by the path**: among the requests that share their path (sequence of
  activities) with another one, every path carries a single value of the attribute,
  and there are several values: the attribute names the path, whatever it is called.
"""

from __future__ import annotations

import keyword
import math
import re

from engine.analytics.model import AttrValue, History

_PATH_NAMES = frozenset({"variant", "variantindex", "variantid", "variantno", "variantnumber",
                         "traceid", "tracename", "caseid", "casename", "conceptname", "id",
                         "instanceid", "requestid", "pathid", "path"})
_MIN_CASES = 10  # the data-based tests say nothing about fewer requests


def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


def usable(value: AttrValue) -> bool:
    """A value a condition can use: text, or a finite number (NaN is a missing value)."""
    return isinstance(value, str) or math.isfinite(value)


def unusable_attributes(history: History) -> dict[str, str]:
    """Attributes a learned condition must not use, each with the reason."""
    values: dict[str, dict[str, AttrValue]] = {}
    for cid, case in history.cases.items():
        for k, v in case.attributes.items():
            if usable(v):
                values.setdefault(k, {})[cid] = v
    out: dict[str, str] = {}
    paths: dict[str, int] | None = None
    for key in sorted(values.keys() | history.late_attributes):
        vals = values.get(key, {})
        norm = _norm(key)
        if norm in _PATH_NAMES or norm.startswith("variant") or norm.endswith("variantindex"):
            out[key] = "path or identity data (by its name)"
        elif not key.isidentifier() or keyword.iskeyword(key):
            out[key] = "not a name a condition can refer to"
        elif key in history.late_attributes:
            out[key] = "not known at submission (set or changed after the first event)"
        elif _identifier(list(vals.values())):
            out[key] = "unique per request (an identifier)"
        else:
            if paths is None:
                paths = _paths(history)
            if _path_function(vals, paths):
                out[key] = "determined by the path each request took"
    return out


def _identifier(vals: list[AttrValue]) -> bool:
    n = len(vals)
    if n < _MIN_CASES or len(set(vals)) != n:
        return False
    if all(isinstance(v, str) for v in vals):
        return True
    nums = [v for v in vals if isinstance(v, float)]
    if len(nums) != n or not all(v.is_integer() for v in nums):
        return False
    return max(nums) - min(nums) + 1 <= 2 * n  # dense distinct integers: a counter


def _paths(history: History) -> dict[str, int]:
    """Each case's path (its sequence of activities) as a number."""
    c = history.columns()
    starts = c.case_starts.tolist()
    ends = [*starts[1:], len(c.activity)]
    acts = c.activity.tolist()
    codes: dict[tuple[int, ...], int] = {}
    out: dict[str, int] = {}
    for s, e in zip(starts, ends, strict=True):
        if s < e:
            path = tuple(acts[s:e])
            out[c.case_ids[c.case[s]]] = codes.setdefault(path, len(codes))
    return out


def _path_function(vals: dict[str, AttrValue], paths: dict[str, int]) -> bool:
    per_path: dict[int, set[AttrValue]] = {}
    count: dict[int, int] = {}
    for cid, v in vals.items():
        p = paths.get(cid)
        if p is not None:
            per_path.setdefault(p, set()).add(v)
            count[p] = count.get(p, 0) + 1
    shared = [p for p, k in count.items() if k >= 2]
    covered = sum(count[p] for p in shared)
    if covered < _MIN_CASES or 2 * covered < len(vals):
        return False
    if any(len(per_path[p]) > 1 for p in shared):
        return False
    distinct = {next(iter(per_path[p])) for p in shared}
    return len(distinct) > 1
