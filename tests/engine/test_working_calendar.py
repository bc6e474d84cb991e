"""The working calendar in datetimes (the demo's office hours, deadlines in working time):
China office hours, weekends, holidays and make-up workdays."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timedelta, timezone

import holidays
import pytest

from engine.core.calendar import WorkingCalendar, _public_holidays

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


@pytest.mark.parametrize("country", ["CN", "CHN", "China", "NL", "US", "AX"])
def test_one_country_module_gives_the_packages_days(country: str) -> None:
    """The calendar loads only its country's module of ``holidays``; the days (China's
    make-up working weekend days too) are those ``holidays.country_holidays`` gives.
    Aland (built on Finland's module) takes the package's own way."""
    years = list(range(2019, 2028))
    ours = _public_holidays(country, years)
    theirs = holidays.country_holidays(country, years=years)
    assert dict(ours) == dict(theirs)
    assert set(getattr(ours, "weekend_workdays", ())) == set(
        getattr(theirs, "weekend_workdays", ()))
    if country == "CN":
        assert date(2024, 2, 4) in ours.weekend_workdays  # a Sunday worked for Spring Festival


def test_unknown_country_is_not_implemented() -> None:
    with pytest.raises(NotImplementedError):
        _public_holidays("XX", [2024])


def test_a_country_built_on_another_in_a_fresh_process() -> None:
    """Aland's module imports Finland's through the package: loaded alone first (before
    anything imported ``holidays.countries``), it falls back to the package's way."""
    code = ("import holidays.registry, holidays\n"
            "from engine.core.calendar import _public_holidays\n"
            "ours = dict(_public_holidays('AX', [2024]))\n"
            "assert ours == dict(holidays.country_holidays('AX', years=[2024])), ours\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
