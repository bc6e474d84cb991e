"""Business hours: the one working calendar (weekly hours, public holidays), pure.

Public holidays and adjusted working days (China's weekend make-up days included) come
from the ``holidays`` package. ``business_seconds(a, b)`` is O(1) after the first call
for a year: each working day's cumulative working seconds are tabulated once.

Analytics measures business hours with it (``business_seconds``, vectorised), the demo
simulates office hours with it and deadlines in working time use it
(``next_open``, ``add_working``, ``working_seconds_between``: aware datetimes in and out).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import numpy.typing as npt

from engine.core.errors import AnalysisInvalid

Floats = npt.NDArray[np.float64]


class CalendarInvalid(AnalysisInvalid):
    """A working calendar that cannot be built (unknown country, time zone or hours)."""


@dataclass
class WorkingCalendar:
    """Working hours ``start``..``end`` (local time) on ``weekdays`` (0 = Monday), minus
    the public holidays of ``country`` and plus its adjusted working days."""

    country: str | None = "CN"
    timezone: str = "Asia/Shanghai"
    start: dt.time = dt.time(9, 0)
    end: dt.time = dt.time(18, 0)
    weekdays: frozenset[int] = frozenset(range(5))
    _tz: dt.tzinfo = field(init=False, repr=False)
    _cum: dict[int, float] = field(init=False, repr=False, default_factory=dict)
    _fixed: float | None = field(init=False, repr=False, default=None)
    _start_s: float = field(init=False, repr=False, default=0.0)
    _years: set[int] = field(init=False, repr=False, default_factory=set)

    def __post_init__(self) -> None:
        try:
            self._tz = ZoneInfo(self.timezone)
        except Exception as exc:
            raise CalendarInvalid(f"unknown time zone {self.timezone!r}") from exc
        if self.end <= self.start:
            raise CalendarInvalid(f"working hours end {self.end} is not after start {self.start}")
        self._start_s = _secs(self.start)
        self._fixed = _fixed_offset(self._tz)
        if self.country:
            try:
                _public_holidays(self.country, years=[2020])
            except NotImplementedError as exc:
                raise CalendarInvalid(f"no public holidays known for {self.country!r}") from exc

    def fixed_offset(self) -> float | None:
        """The zone's UTC offset in seconds when it has no daylight saving (1992-2037)."""
        return self._fixed

    @property
    def tzinfo(self) -> dt.tzinfo:
        return self._tz

    @property
    def day_seconds(self) -> float:
        return _secs(self.end) - _secs(self.start)

    def is_working_day(self, day: dt.date) -> bool:
        self._ensure(day.year)
        o = day.toordinal()
        return self._cum[o + 1] > self._cum[o]

    def _bounds(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        return (dt.datetime.combine(day, self.start, self._tz),
                dt.datetime.combine(day, self.end, self._tz))

    def is_open(self, t: dt.datetime) -> bool:
        """Whether ``t`` falls in working hours."""
        local = t.astimezone(self._tz)
        if not self.is_working_day(local.date()):
            return False
        opens, closes = self._bounds(local.date())
        return opens <= local < closes

    def next_open(self, t: dt.datetime) -> dt.datetime:
        """``t`` itself in working hours, else the next opening time (local time)."""
        local = t.astimezone(self._tz)
        day = local.date()
        while True:
            if self.is_working_day(day):
                opens, closes = self._bounds(day)
                if local < opens:
                    return opens
                if local < closes:
                    return local
            day += dt.timedelta(days=1)
            local = dt.datetime.combine(day, dt.time(0), self._tz)

    def add_working(self, t: dt.datetime, seconds: float) -> dt.datetime:
        """The moment ``seconds`` of working time after ``t`` (which may be out of hours),
        at an opening rather than a closing time (the demo's next action)."""
        return self.next_open(self.add_business(self.next_open(t), seconds))

    def working_days(self, first: dt.datetime, last: dt.datetime) -> list[dt.date]:
        """Working days (local dates) from ``first`` to ``last`` inclusive."""
        day, end = first.astimezone(self._tz).date(), last.astimezone(self._tz).date()
        days = []
        while day <= end:
            if self.is_working_day(day):
                days.append(day)
            day += dt.timedelta(days=1)
        return days

    def working_seconds_between(self, a: dt.datetime, b: dt.datetime) -> float:
        """Working time between two aware moments (0 when ``b`` is not after ``a``)."""
        return self.business_seconds(a.timestamp(), b.timestamp())

    def business_seconds(self, a: float, b: float) -> float:
        """Working seconds between POSIX times a and b (0 if b <= a)."""
        if b <= a:
            return 0.0
        oa, ia = self._split(a)
        ob, ib = self._split(b)
        cum = self._cum
        if oa not in cum or ob + 1 not in cum:
            self._ensure(dt.date.fromordinal(oa).year)
            self._ensure(dt.date.fromordinal(ob).year)
            cum = self._cum
        return self._at(cum, ob, ib) - self._at(cum, oa, ia)

    def add_business_seconds(self, t: float, seconds: float) -> float:
        """The POSIX time ``seconds`` of working time after POSIX time ``t`` (``t``
        itself when ``seconds`` <= 0); the inverse of ``business_seconds``. A moment that
        fills a day exactly is that day's closing time."""
        if seconds <= 0:
            return t
        o, into = self._split(t)
        self._ensure(dt.date.fromordinal(o).year)
        left = seconds + self._at(self._cum, o, into) - self._cum[o]
        for _ in range(40 * 366):  # a working day within 40 years, or the calendar has none
            if o + 1 not in self._cum:
                self._ensure(dt.date.fromordinal(o + 1).year)
            today = self._cum[o + 1] - self._cum[o]
            if today > 0 and left <= today:
                day = dt.date.fromordinal(o)
                opens = dt.datetime.combine(day, self.start, self._tz)
                return (opens + dt.timedelta(seconds=left)).timestamp()
            left -= today
            o += 1
        raise CalendarInvalid("the working calendar has no working day ahead")

    def add_business(self, t: dt.datetime, seconds: float) -> dt.datetime:
        """``add_business_seconds`` for an aware datetime (the result in UTC)."""
        return dt.datetime.fromtimestamp(self.add_business_seconds(t.timestamp(), seconds),
                                         dt.UTC)

    def business_seconds_array(self, a: Floats, b: Floats) -> Floats:
        """``business_seconds`` of many pairs at once (vectorised for zones without
        daylight saving time; NaN in, NaN out)."""
        ok = ~(np.isnan(a) | np.isnan(b))
        out = np.full(len(a), np.nan)
        if not ok.any():
            return out
        a, b = a[ok], np.maximum(b[ok], a[ok])
        lo, hi = float(a.min()), float(b.max())
        if self._fixed is None or lo < _FIXED_FROM or hi >= _FIXED_UNTIL:
            out[ok] = [self.business_seconds(x, y) for x, y in zip(a, b, strict=True)]
            return out
        self.business_seconds(lo, hi)  # makes sure the table covers both ends
        first = min(self._cum)
        cum = np.fromiter((self._cum[o] for o in range(first, max(self._cum) + 1)), np.float64)
        out[ok] = self._pos_array(b, cum, first) - self._pos_array(a, cum, first)
        return out

    def _pos_array(self, t: Floats, cum: Floats, first: int) -> Floats:
        assert self._fixed is not None
        local = t + self._fixed
        day = np.floor(local / 86400)
        o = day.astype(np.int64) + (_EPOCH_ORDINAL - first)
        before = cum[o]
        today = cum[o + 1] - before
        into = local - day * 86400 - self._start_s
        pos: Floats = before + np.clip(into, 0.0, today)
        return pos

    def _split(self, t: float) -> tuple[int, float]:
        """(local day ordinal, local seconds into that day) of POSIX time t."""
        if self._fixed is not None and _FIXED_FROM <= t < _FIXED_UNTIL:
            local = t + self._fixed
            day = local // 86400
            return int(day) + _EPOCH_ORDINAL, local - day * 86400
        d = dt.datetime.fromtimestamp(t, self._tz)
        return d.toordinal(), d.hour * 3600 + d.minute * 60 + d.second + d.microsecond / 1e6

    def _at(self, cum: dict[int, float], o: int, into: float) -> float:
        """Working seconds from the table's first day up to a local day and time."""
        before = cum[o]
        today = cum[o + 1] - before
        if today == 0:
            return before
        x = into - self._start_s
        return before + (0.0 if x < 0 else today if x > today else x)

    def _ensure(self, year: int) -> None:
        if year in self._years:
            return
        years = self._years | {year}
        lo, hi = min(years), max(years)
        self._build(range(lo, hi + 1))
        self._years = set(range(lo, hi + 1))

    def _build(self, years: Iterable[int]) -> None:
        ys = list(years)
        off: holidays.HolidayBase | None = None
        extra: set[dt.date] = set()
        if self.country:
            off = _public_holidays(self.country, years=ys)
            extra = set(getattr(off, "weekend_workdays", set()))
        first = dt.date(ys[0], 1, 1).toordinal()
        last = dt.date(ys[-1], 12, 31).toordinal()
        cum: dict[int, float] = {}
        total = 0.0
        for o in range(first, last + 2):
            cum[o] = total
            if o > last:
                break
            day = dt.date.fromordinal(o)
            working = day.weekday() in self.weekdays and (off is None or day not in off)
            if working or day in extra:
                total += self.day_seconds
        self._cum = cum


_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_FIXED_FROM = dt.datetime(1992, 1, 1, tzinfo=dt.UTC).timestamp()
_FIXED_UNTIL = dt.datetime(2038, 1, 1, tzinfo=dt.UTC).timestamp()


def _fixed_offset(tz: dt.tzinfo) -> float | None:
    """The zone's UTC offset in seconds if it is the same all through 1992-2037 (then
    local days are plain arithmetic), else None."""
    offsets = {tz.utcoffset(dt.datetime(y, m, 1, 12))
               for y in range(1992, 2038) for m in (1, 4, 7, 10)}
    if len(offsets) != 1:
        return None
    (off,) = offsets
    return None if off is None else off.total_seconds()


def _public_holidays(country: str, years: list[int]) -> holidays.HolidayBase:
    """``holidays.country_holidays(country, years=years)``, importing only that country's
    module. Written by hand because ``country_holidays`` imports the package
    ``holidays.countries``, whose ``__init__`` imports all of its ~250 country modules
    (0.14 s of CPU, in every process that builds a calendar); the package's registry
    names the one module a code or class name lives in, and that file is loaded alone
    under its usual name. Anything unexpected (an unknown code, another layout of the
    package) goes through ``country_holidays`` itself, which also raises
    ``NotImplementedError`` for an unknown country."""
    entity = _country_class(country)
    if entity is None:
        return holidays.country_holidays(country, years=years)
    return entity(years=years)


_load_lock = threading.Lock()


def _country_class(country: str) -> type[holidays.HolidayBase] | None:
    try:
        from holidays.registry import COUNTRIES
    except ImportError:
        return None
    module = next((m for m, names in COUNTRIES.items() if country in names), None)
    if module is None:
        return None
    name = f"holidays.countries.{module}"
    with _load_lock:
        loaded = sys.modules.get(name)
        if loaded is None:
            path = Path(holidays.__file__).parent / "countries" / f"{module}.py"
            spec = importlib.util.spec_from_file_location(name, path)
            if spec is None or spec.loader is None or not path.is_file():
                return None
            loaded = importlib.util.module_from_spec(spec)
            sys.modules[name] = loaded
            try:
                spec.loader.exec_module(loaded)
            except ImportError:
                # a country built on another (Aland on Finland) imports the package
                # after all, which then meets this half-loaded module
                del sys.modules[name]
                return None
            except BaseException:
                del sys.modules[name]
                raise
    entity = getattr(loaded, country, None)
    return entity if isinstance(entity, type) and issubclass(entity, holidays.HolidayBase) \
        else None


def _secs(t: dt.time) -> float:
    return t.hour * 3600 + t.minute * 60 + t.second


def parse_hours(text: str) -> tuple[dt.time, dt.time]:
    """``"09:00-18:00"`` -> (09:00, 18:00)."""
    try:
        a, b = text.split("-")
        return dt.time.fromisoformat(a.strip()), dt.time.fromisoformat(b.strip())
    except ValueError as exc:
        raise CalendarInvalid(f"working hours {text!r}: expected HH:MM-HH:MM") from exc


__all__ = ["CalendarInvalid", "WorkingCalendar", "parse_hours"]
