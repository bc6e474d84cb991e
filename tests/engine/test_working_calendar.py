"""The working calendar in datetimes (the demo's office hours, deadlines in working time):
China office hours, weekends, holidays and make-up workdays."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from engine.core.calendar import WorkingCalendar

CHINA_TZ = timezone(timedelta(hours=8), "CST")

CAL = WorkingCalendar()


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHINA_TZ)  # type: ignore[misc]


def test_weekends_holidays_and_make_up_days() -> None:
    assert CAL.is_working_day(date(2026, 11, 26))  # Thursday
    assert not CAL.is_working_day(date(2026, 11, 28))  # Saturday
    assert not CAL.is_working_day(date(2026, 10, 1))  # National Day
    assert not CAL.is_working_day(date(2026, 10, 7))  # National Day week (swapped)
    assert CAL.is_working_day(date(2026, 10, 10))  # Saturday, made up for the holiday


def test_next_open_skips_nights_and_weekends() -> None:
    assert CAL.next_open(local(2026, 11, 26, 10, 0)) == local(2026, 11, 26, 10, 0)
    assert CAL.next_open(local(2026, 11, 26, 7, 0)) == local(2026, 11, 26, 9, 0)
    assert CAL.next_open(local(2026, 11, 27, 18, 0)) == local(2026, 11, 30, 9, 0)  # Fri close
    assert CAL.next_open(local(2026, 9, 30, 19, 0)) == local(2026, 10, 8, 9, 0)  # Golden Week


def test_add_working_carries_over_closed_time() -> None:
    friday = local(2026, 11, 27, 17, 0)
    assert CAL.add_working(friday, 30 * 60) == local(2026, 11, 27, 17, 30)
    assert CAL.add_working(friday, 2 * 3600) == local(2026, 11, 30, 10, 0)
    assert CAL.add_working(local(2026, 11, 28, 12, 0), 0) == local(2026, 11, 30, 9, 0)
    # a full working week from Monday's opening ends at the next opening, never when closed
    week = 5 * 9 * 3600
    assert CAL.add_working(local(2026, 11, 23, 9, 0), week) == local(2026, 11, 30, 9, 0)


def test_working_seconds_between_counts_only_office_time() -> None:
    start, end = local(2026, 11, 27, 17, 0), local(2026, 11, 30, 10, 0)
    assert CAL.working_seconds_between(start, end) == 2 * 3600
    assert CAL.working_seconds_between(end, start) == 0
    week = CAL.working_seconds_between(local(2026, 11, 23, 0, 0), local(2026, 11, 30, 0, 0))
    assert week == timedelta(hours=45).total_seconds()
