"""The working calendar of the simulated company: China office hours, Mon-Fri, public
holidays off and the official make-up working Saturdays/Sundays on.

Holidays come from the ``holidays`` package (``is_working_day`` already knows China's
swapped weekend workdays); everything else is a small amount of date arithmetic.
Simulated times are computed in China Standard Time (UTC+8, no daylight saving, so a
fixed offset is exact) and handed to the engine in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

import holidays

CHINA_TZ = timezone(timedelta(hours=8), "CST")


@dataclass
class WorkingCalendar:
    """Office hours ``opens``..``closes`` local time on working days of ``country``."""

    opens: time = time(9, 0)
    closes: time = time(18, 0)
    country: str = "CN"
    tz: timezone = CHINA_TZ
    _days: dict[date, bool] = field(default_factory=dict, repr=False)
    _holidays: holidays.HolidayBase | None = field(default=None, repr=False)

    def is_working_day(self, day: date) -> bool:
        known = self._days.get(day)
        if known is None:
            if self._holidays is None:
                self._holidays = holidays.country_holidays(self.country)
            known = bool(self._holidays.is_working_day(day))
            self._days[day] = known
        return known

    def _bounds(self, day: date) -> tuple[datetime, datetime]:
        return (datetime.combine(day, self.opens, self.tz),
                datetime.combine(day, self.closes, self.tz))

    def is_open(self, t: datetime) -> bool:
        local = t.astimezone(self.tz)
        if not self.is_working_day(local.date()):
            return False
        opens, closes = self._bounds(local.date())
        return opens <= local < closes

    def next_open(self, t: datetime) -> datetime:
        """``t`` itself when the office is open, else the next opening time (local tz)."""
        local = t.astimezone(self.tz)
        day = local.date()
        while True:
            if self.is_working_day(day):
                opens, closes = self._bounds(day)
                if local < opens:
                    return opens
                if local < closes:
                    return local
            day += timedelta(days=1)
            local = datetime.combine(day, time(0), self.tz)

    def add_working(self, t: datetime, seconds: float) -> datetime:
        """The moment ``seconds`` of office time after ``t`` (which may be out of hours)."""
        current = self.next_open(t)
        left = timedelta(seconds=seconds)
        while True:
            _, closes = self._bounds(current.date())
            room = closes - current
            if left < room:
                return current + left
            left -= room
            current = self.next_open(closes)

    def working_days(self, start: datetime, end: datetime) -> list[date]:
        """Working days (local dates) from ``start`` to ``end`` inclusive."""
        day, last = start.astimezone(self.tz).date(), end.astimezone(self.tz).date()
        days = []
        while day <= last:
            if self.is_working_day(day):
                days.append(day)
            day += timedelta(days=1)
        return days

    def working_seconds_between(self, start: datetime, end: datetime) -> float:
        """Office time between two moments (0 when ``end`` is not after ``start``)."""
        total = 0.0
        current = self.next_open(start)
        while current < end:
            _, closes = self._bounds(current.date())
            total += (min(closes, end) - current).total_seconds()
            current = self.next_open(closes)
        return total


__all__ = ["CHINA_TZ", "WorkingCalendar"]
