"""Business hours: working hours, weekends, public holidays and China's make-up days."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.analytics.calendar import CalendarInvalid, WorkingCalendar, parse_hours

H = 3600.0


def _t(cal: WorkingCalendar, *args: int) -> float:
    return dt.datetime(*args, tzinfo=cal.tzinfo).timestamp()  # type: ignore[misc]


def test_hours_inside_one_working_day() -> None:
    cal = WorkingCalendar()
    assert cal.business_seconds(_t(cal, 2024, 3, 4, 10), _t(cal, 2024, 3, 4, 12)) == 2 * H
    # before opening and after closing count nothing
    assert cal.business_seconds(_t(cal, 2024, 3, 4, 7), _t(cal, 2024, 3, 4, 20)) == 9 * H
    assert cal.business_seconds(_t(cal, 2024, 3, 4, 12), _t(cal, 2024, 3, 4, 10)) == 0


def test_weekend_does_not_count() -> None:
    cal = WorkingCalendar(country=None)
    # Friday 17:00 -> Monday 10:00: one hour on Friday, one on Monday
    assert cal.business_seconds(_t(cal, 2024, 3, 8, 17), _t(cal, 2024, 3, 11, 10)) == 2 * H


def test_chinese_new_year_and_make_up_working_sunday() -> None:
    cal = WorkingCalendar(country="CN", timezone="Asia/Shanghai")
    assert not cal.is_working_day(dt.date(2024, 2, 12))  # Spring Festival
    assert cal.is_working_day(dt.date(2024, 2, 4))  # a Sunday worked in exchange
    # Thu 8 Feb 17:00 -> Mon 19 Feb 10:00: Thu 1 h, Fri 9 Feb 9 h, Sun 18 Feb 9 h, Mon 1 h
    got = cal.business_seconds(_t(cal, 2024, 2, 8, 17), _t(cal, 2024, 2, 19, 10))
    assert got == 20 * H


def test_span_over_new_year_builds_both_years() -> None:
    cal = WorkingCalendar(country=None, timezone="UTC")
    got = cal.business_seconds(_t(cal, 2024, 12, 31, 17), _t(cal, 2025, 1, 2, 10))
    assert got == (1 + 9 + 1) * H  # no holidays without a country


def test_other_hours_and_country() -> None:
    start, end = parse_hours("08:30-12:30")
    cal = WorkingCalendar(country="NL", timezone="Europe/Amsterdam", start=start, end=end)
    assert cal.business_seconds(_t(cal, 2024, 12, 24, 8), _t(cal, 2024, 12, 27, 23)) == 8 * H


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"timezone": "Mars/Olympus"}, "unknown time zone"),
    ({"country": "XX"}, "no public holidays known for 'XX'"),
    ({"start": dt.time(18), "end": dt.time(9)}, "is not after start"),
])
def test_bad_calendar_is_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(CalendarInvalid, match=message):
        WorkingCalendar(**kwargs)  # type: ignore[arg-type]


def test_bad_hours_text() -> None:
    with pytest.raises(CalendarInvalid, match="HH:MM-HH:MM"):
        parse_hours("nine to five")


@pytest.mark.parametrize(("country", "zone"), [("CN", "Asia/Shanghai"),
                                               ("NL", "Europe/Amsterdam"), (None, "UTC")])
def test_many_pairs_at_once_match_one_by_one(country: str | None, zone: str) -> None:
    import numpy as np

    cal = WorkingCalendar(country=country, timezone=zone)
    a = np.array([_t(cal, 2024, 2, 8, 17), _t(cal, 2024, 3, 29, 8), np.nan,
                  _t(cal, 2023, 12, 29, 12)])
    b = a + np.array([11 * 86400 + 3600, 4 * 86400, 60, 10 * 86400])
    got = cal.business_seconds_array(a, b)
    want = [cal.business_seconds(x, y) for x, y in zip(a, b, strict=True) if x == x]
    assert np.isnan(got[2])
    assert got[[0, 1, 3]].tolist() == pytest.approx(want)
