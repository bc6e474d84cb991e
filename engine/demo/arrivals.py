"""When requests arrive: a non-homogeneous arrival process over the simulated window.

Requesters mostly submit on working days (more on Mondays, fewer on Fridays), with a
morning and an afternoon peak; a few submit in the evening or at the weekend. Volume
grows over the window (the business is expanding). Exactly ``n`` arrivals are drawn, so
the demo always has the instance count it was asked for.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta

from engine.core.calendar import WorkingCalendar

_WEEKDAY_FACTOR = (1.25, 1.1, 1.0, 1.0, 0.8, 0.0, 0.0)  # Mon..Sun (weekends: see below)
_OFF_DAY_FACTOR = 0.06


def _day_weights(cal: WorkingCalendar, days: Sequence[date]) -> list[float]:
    weights = []
    last = max(len(days) - 1, 1)
    for i, day in enumerate(days):
        trend = 0.7 + 0.6 * i / last
        if cal.is_working_day(day):
            factor = _WEEKDAY_FACTOR[day.weekday()] or 1.0  # a make-up working weekend day
        else:
            factor = _OFF_DAY_FACTOR
        weights.append(trend * factor)
    return weights


def _time_of_day(cal: WorkingCalendar, day: date, rng: random.Random) -> timedelta:
    if not cal.is_working_day(day):
        return timedelta(hours=rng.uniform(10, 22))
    if rng.random() < 0.05:  # after hours, from home
        return timedelta(hours=rng.uniform(18.5, 22.5))
    centre, spread = (10.5, 1.0) if rng.random() < 0.55 else (15.0, 1.3)
    hours = min(max(rng.gauss(centre, spread), 8.5), 18.5)
    return timedelta(hours=hours)


def arrival_times(cal: WorkingCalendar, start: datetime, end: datetime, n: int,
                  rng: random.Random) -> list[datetime]:
    """``n`` sorted arrival moments in ``[start, end)`` (timezone-aware)."""
    if n <= 0:
        return []
    if end <= start:
        raise ValueError(f"empty simulation window: start {start} is not before end {end}")
    first, last = start.astimezone(cal.tzinfo).date(), end.astimezone(cal.tzinfo).date()
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    weights = _day_weights(cal, days)
    picked = rng.choices(days, weights=weights, k=n)
    times = []
    for day in picked:
        t = datetime.combine(day, time(0), cal.tzinfo) + _time_of_day(cal, day, rng)
        # keep inside the window; an out-of-window pick lands at a random point inside it
        if not start <= t < end:
            t = start + (end - start) * rng.random()
        times.append(t)
    times.sort()
    return times


def pick_processes(keys: Sequence[str], mix: Mapping[str, float], n: int,
                   rng: random.Random) -> list[str]:
    """The process of each arrival: ``mix`` weights, 1.0 for a process it does not name."""
    weights = [mix.get(k, 1.0) for k in keys]
    return rng.choices(list(keys), weights=weights, k=n)


__all__ = ["arrival_times", "pick_processes"]
