"""Working time for timers: adding and subtracting durations on an org calendar (adding
working time itself is the calendar's one ``add_business``; this module converts units
and subtracts).

The core never builds a calendar (that needs holiday tables); the caller passes one that
answers ``is_working_day(date)`` and has ``tzinfo``, ``start`` and ``end`` (local working
hours), such as ``engine.core.calendar.WorkingCalendar``. ``clock`` is ``wall``
(plain elapsed time) or ``working`` (only working hours count; one ``d`` is one working
day of ``end - start`` hours, one ``w`` five working days).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, Protocol

Clock = Literal["wall", "working"]
_MAX_DAYS = 3660  # a search for working time gives up after ten years of closed days


class WorkingHours(Protocol):
    @property
    def tzinfo(self) -> dt.tzinfo: ...

    @property
    def start(self) -> dt.time: ...

    @property
    def end(self) -> dt.time: ...

    def is_working_day(self, day: dt.date) -> bool: ...

    def add_business(self, t: dt.datetime, seconds: float) -> dt.datetime:
        """``seconds`` of working time after ``t`` (the one implementation of adding
        working time: ``WorkingCalendar.add_business``)."""
        ...


def working_length(cal: WorkingHours, span: dt.timedelta) -> dt.timedelta:
    """A duration written in days/weeks, as working time: ``1d`` = one working day."""
    day = _day(cal)
    days, rest = divmod(span, dt.timedelta(days=1))
    return days * day + rest


def _day(cal: WorkingHours) -> dt.timedelta:
    today = dt.date(2000, 1, 1)
    return (dt.datetime.combine(today, cal.end) - dt.datetime.combine(today, cal.start))


def _bounds(cal: WorkingHours, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (dt.datetime.combine(day, cal.start, cal.tzinfo),
            dt.datetime.combine(day, cal.end, cal.tzinfo))


def add(cal: WorkingHours | None, clock: Clock, t: dt.datetime,
        span: dt.timedelta) -> dt.datetime:
    """``t + span`` on ``clock`` (span may be negative); wall time without a calendar."""
    if clock == "wall" or cal is None:
        return t + span
    if span < dt.timedelta(0):
        return _back(cal, t, working_length(cal, -span)).astimezone(t.tzinfo)
    if not span:  # ``{at: due}``: the due time itself
        return t
    return cal.add_business(t, working_length(cal, span).total_seconds()).astimezone(t.tzinfo)


def _back(cal: WorkingHours, t: dt.datetime, left: dt.timedelta) -> dt.datetime:
    local = t.astimezone(cal.tzinfo)
    day = local.date()
    for _ in range(_MAX_DAYS):
        if cal.is_working_day(day):
            opens, closes = _bounds(cal, day)
            current = min(local, closes)
            if current > opens:
                room = current - opens
                if left <= room:
                    return current - left
                left -= room
        day -= dt.timedelta(days=1)
        local = dt.datetime.combine(day, dt.time(23, 59, 59, 999999), cal.tzinfo)
    raise ValueError("no working time within ten years: check the calendar")


__all__ = ["Clock", "WorkingHours", "add", "working_length"]
