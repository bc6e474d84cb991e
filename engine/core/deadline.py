"""A request's deadline, declared in the definition (``deadline:``) and computed from the
form and the start: a pure function of the rule, the form data, the start and a working
calendar passed in (``worktime.WorkingHours``; the core reads no clock and no holiday
table of its own).

Three shapes (see docs/definitions.md):

- ``{field: opening_date, before: 30d}``: by the end of the day 30 days before the date
  in the form field (``before`` optional; ``working: true`` counts working days);
- ``{field: needed_by}``: by the end of that day;
- ``{within: 10d, working: true}``: within 10 working days of the start (without
  ``working``, calendar time).

A date (``2026-03-01``) means the end of that day in the calendar's time zone; a date
and time (``2026-03-01T12:00:00+08:00``) means that moment. A field left empty or not
holding a date gives no deadline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from engine.core import worktime
from engine.core.worktime import WorkingHours as Calendar


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    """``field`` (a form field holding a date) with ``before``, or ``within`` of the
    start; ``working``: durations count working days (and working hours)."""

    field: str | None = None
    before: timedelta | None = None
    within: timedelta | None = None
    working: bool = False

    def __str__(self) -> str:
        from engine.core.definition import format_sla

        how = " working" if self.working else ""
        if self.field is not None:
            ahead = f"{format_sla(self.before)}{how} before " if self.before else ""
            return f"{ahead}{self.field}"
        assert self.within is not None
        return f"within {format_sla(self.within)}{how} of the start"


def _as_moment(value: Any, cal: Calendar) -> datetime | date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=cal.tzinfo)


def _days_back(day: date, n: int, cal: Calendar) -> date:
    """The working day ``n`` working days before ``day``."""
    while n > 0:
        day -= timedelta(days=1)
        if cal.is_working_day(day):
            n -= 1
    return day


def deadline_of(rule: DeadlineRule | None, data: Mapping[str, Any], started_at: datetime,
                cal: Calendar) -> datetime | None:
    """When the request must be finished by, or None (no rule, or the field gives no
    date)."""
    if rule is None:
        return None
    if rule.within is not None:
        return worktime.add(cal, "working" if rule.working else "wall", started_at,
                            rule.within)
    found = _as_moment(data.get(rule.field or ""), cal)
    if found is None:
        return None
    before = rule.before or timedelta(0)
    if isinstance(found, datetime):
        if rule.working and before:
            day = _days_back(found.astimezone(cal.tzinfo).date(), before.days, cal)
            return datetime.combine(day, found.astimezone(cal.tzinfo).timetz()) \
                - timedelta(seconds=before.seconds)
        return found - before
    day = _days_back(found, before.days, cal) if rule.working else found - before
    return datetime.combine(day + timedelta(days=1), time(0), cal.tzinfo)


__all__ = ["Calendar", "DeadlineRule", "deadline_of"]
