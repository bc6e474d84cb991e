"""Request deadlines: the three YAML shapes, computed from the form and the start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from engine.analytics.calendar import WorkingCalendar
from engine.core.deadline import DeadlineRule, deadline_of
from engine.core.loader import load_definition, load_definition_file

CST = timezone(timedelta(hours=8))
CAL = WorkingCalendar()  # China: 09:00-18:00, Mon-Fri, public holidays off
DEFS = Path(__file__).parents[2] / "definitions"
START = datetime(2026, 9, 21, 10, 0, tzinfo=CST)  # a Monday


def test_field_date_minus_calendar_days_is_the_end_of_that_day() -> None:
    rule = DeadlineRule(field="opening_date", before=timedelta(days=30))
    found = deadline_of(rule, {"opening_date": "2026-12-01"}, START, CAL)
    assert found == datetime(2026, 11, 2, 0, 0, tzinfo=CST)  # end of 1 November


def test_field_date_alone_is_the_end_of_that_day() -> None:
    found = deadline_of(DeadlineRule(field="needed_by"), {"needed_by": "2026-10-20"}, START, CAL)
    assert found == datetime(2026, 10, 21, 0, 0, tzinfo=CST)


def test_field_date_time_is_that_moment() -> None:
    rule = DeadlineRule(field="due", before=timedelta(hours=2))
    found = deadline_of(rule, {"due": "2026-10-20T12:00:00+08:00"}, START, CAL)
    assert found == datetime(2026, 10, 20, 10, 0, tzinfo=CST)


def test_working_days_before_a_date_skip_the_weekend() -> None:
    # three working days before Monday 16 November 2026: Fri 13, Thu 12, Wed 11
    rule = DeadlineRule(field="d", before=timedelta(days=3), working=True)
    found = deadline_of(rule, {"d": "2026-11-16"}, START, CAL)
    assert found == datetime(2026, 11, 12, 0, 0, tzinfo=CST)  # end of Wed 11 November


def test_within_working_days_of_the_start_skips_the_national_day_week() -> None:
    rule = DeadlineRule(within=timedelta(days=10), working=True)
    found = deadline_of(rule, {}, START, CAL)
    assert found is not None
    # 10 working days: 22-30 Sep (7 days), then 9, 10 (make-up Saturday), 12 Oct
    assert found.astimezone(CST) == datetime(2026, 10, 12, 10, 0, tzinfo=CST)
    assert CAL.business_seconds(START.timestamp(), found.timestamp()) == 10 * 9 * 3600


def test_within_calendar_time_is_plain_arithmetic() -> None:
    rule = DeadlineRule(within=timedelta(days=10))
    assert deadline_of(rule, {}, START, CAL) == START + timedelta(days=10)


@pytest.mark.parametrize("value", [None, "", "soon", 42, "2026-13-40"])
def test_a_field_without_a_date_gives_no_deadline(value: object) -> None:
    assert deadline_of(DeadlineRule(field="d"), {"d": value}, START, CAL) is None


def test_no_rule_no_deadline() -> None:
    assert deadline_of(None, {"d": "2026-10-01"}, START, CAL) is None


def test_the_examples_declare_their_deadlines() -> None:
    rules = {p.stem: load_definition_file(p).deadline for p in DEFS.glob("*.yaml")
             if p.stem != "org"}
    assert rules["store_opening"] == DeadlineRule(field="opening_date",
                                                  before=timedelta(days=30))
    assert rules["sample_order"] == DeadlineRule(field="needed_by")
    assert rules["expense_claim"] == DeadlineRule(within=timedelta(days=10), working=True)
    assert str(rules["expense_claim"]) == "within 10d working of the start"


def test_a_definition_without_deadline_has_none() -> None:
    text = ("key: k\ntitle: K\nstart: a\nnodes:\n  a: {approvers: {user: li.na}, "
            "on: {approve: done}}\n  done: {final: approved}\n")
    assert load_definition(text).deadline is None


def test_add_business_is_the_inverse_of_business_seconds() -> None:
    t = datetime(2026, 9, 30, 17, 0, tzinfo=UTC)  # out of hours in China
    for seconds in (1.0, 3600.0, 9 * 3600.0, 50 * 3600.0):
        end = CAL.add_business(t, seconds)
        assert CAL.business_seconds(t.timestamp(), end.timestamp()) == pytest.approx(seconds)
