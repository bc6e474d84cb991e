"""Date rules a process owner declares on a form's date fields, checked without a clock.

A date field (``type: string, format: date``) may say ``earliest:`` and ``latest:``, each
a bound written ``today``, ``today+30d``, ``today-2w`` or another date field of the form
with an optional offset (``start_date+1d``)::

    opening_date: {type: string, format: date, earliest: today+30d}

``today`` is the day the request is submitted (or resubmitted), given by the caller.
The browser evaluates the very same representation (``ui/src/lib/formRules.ts``), and
``tests/fixtures/date_rules.json`` feeds the same cases to both. JSON Schema has no
keyword for "relative to today", and ``formatMinimum`` compares with fixed dates only,
so these few lines are written here rather than taken from a validator.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Literal

Bound = Literal["earliest", "latest"]
BOUNDS: tuple[Bound, ...] = ("earliest", "latest")
# ASCII digits and whole-text matches, as the browser's regular expressions read them
_EXPR = re.compile(r"\s*(today|[a-z_][a-z0-9_]*)\s*(?:([+-])\s*([0-9]{1,4})\s*([dw]))?\s*")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True, slots=True)
class DateBound:
    """``base`` (``today`` or a field name) plus ``days`` (negative: before)."""

    base: str
    days: int

    @property
    def relative_to_today(self) -> bool:
        return self.base == "today"


@dataclass(frozen=True, slots=True)
class Violation:
    """``field`` breaks its ``rule`` bound: it must not be before (earliest) or after
    (latest) ``limit``, which is ``bound`` evaluated on this data and day."""

    field: str
    rule: Bound
    limit: date
    bound: DateBound


def parse_bound(text: Any) -> DateBound | None:
    """``"today+30d"`` -> DateBound("today", 30); None when it is not a bound."""
    return _parse_bound(text) if isinstance(text, str) else None


@lru_cache(maxsize=1024)  # the bounds of a form are parsed on every request
def _parse_bound(text: str) -> DateBound | None:
    m = _EXPR.fullmatch(text)
    if m is None:
        return None
    base, sign, n, unit = m.groups()
    days = int(n or 0) * (7 if unit == "w" else 1) * (-1 if sign == "-" else 1)
    return DateBound(base, days)


def parse_date(value: Any) -> date | None:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def declared(schema: Mapping[str, Any]) -> Iterator[tuple[str, Bound, Any]]:
    """(field, earliest | latest, the bound as written) of each top-level property."""
    props = schema.get("properties")
    if not isinstance(props, Mapping):
        return
    for name, spec in props.items():
        if isinstance(spec, Mapping):
            for rule in BOUNDS:
                if rule in spec:
                    yield str(name), rule, spec[rule]


def rule_problems(schema: Mapping[str, Any]) -> list[tuple[str, Bound, str]]:
    """Mistakes in the declared rules, as (field, rule, message), for the loader."""
    props = schema.get("properties") or {}
    out = []
    for name, rule, raw in declared(schema):
        spec = props[name]
        bound = parse_bound(raw)
        if spec.get("type") != "string" or spec.get("format") != "date":
            out.append((name, rule, f"{rule!r} is only allowed on a date field "
                                    "(type: string, format: date)"))
        elif bound is None:
            out.append((name, rule, f"{rule} {raw!r} must be today or a date field, with an "
                                    "optional offset such as today+30d or start_date-1w"))
        elif not bound.relative_to_today:
            other = props.get(bound.base)
            if not isinstance(other, Mapping) or other.get("format") != "date":
                out.append((name, rule, f"{rule} {raw!r} names {bound.base!r}, which is not "
                                        "a date field of the form"))
    return out


def violations(schema: Mapping[str, Any], data: Mapping[str, Any], today: date
               ) -> list[Violation]:
    """The date rules ``data`` breaks on ``today``. A field that is empty or not a date,
    or a bound naming an empty field, is left to the schema's own checks."""
    out = []
    for name, rule, raw in declared(schema):
        value, bound = parse_date(data.get(name)), parse_bound(raw)
        if value is None or bound is None:
            continue
        base = today if bound.relative_to_today else parse_date(data.get(bound.base))
        if base is None:
            continue
        try:
            limit = base + timedelta(days=bound.days)
        except OverflowError:  # beyond year 9999: no date can break it
            continue
        if (rule == "earliest" and value < limit) or (rule == "latest" and value > limit):
            out.append(Violation(name, rule, limit, bound))
    return out


__all__ = ["BOUNDS", "DateBound", "Violation", "declared", "parse_bound", "parse_date",
           "rule_problems", "violations"]
