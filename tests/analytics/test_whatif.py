"""What-if replay: removing a step or skipping it under a condition."""

from __future__ import annotations

import pytest

from engine.analytics.whatif import Skip, WhatIfInvalid, what_if
from tests.analytics.conftest import history

H = 3600.0


def _h():  # type: ignore[no-untyped-def]
    return history({
        "a": [("check", 1 * H, "approve"), ("stamp", 2 * H, "approve"), ("sign", 3 * H, "approve")],
        "b": [("check", 1 * H, "approve"), ("stamp", 4 * H, "reject")],
        "c": [("check", 1 * H, "reject")],
        "d": [("check", 1 * H, "approve"), ("stamp", 2 * H, "return"),
              ("sign", 1 * H, "reject")],
    }, {"a": {"amount": 100.0}, "b": {"amount": 50000.0}, "c": {"amount": 10.0},
        "d": {"amount": 200.0}})


def test_remove_step_saves_its_waits_and_lists_its_lone_rejections() -> None:
    r = what_if(_h(), remove=["stamp"])
    assert r["baseline"]["total_cycle_s"] == 6 * H + 5 * H + 1 * H + 4 * H
    assert r["cycle_time_saved_total_seconds"] == 8 * H
    assert r["cycle_time_saved_seconds"] == 2 * H  # over all 4 requests
    assert r["affected_cases"] == 3
    assert r["visits_removed"] == 3
    assert r["scenario"]["mean_cycle_s"] == pytest.approx((4 + 1 + 1 + 2) * H / 4)
    # b was stopped by stamp alone; d was also stopped by sign, so it is not lost
    assert [(x["case_id"], x["outcome"]) for x in r["lost_rejections"]] == [("b", "reject")]


def test_skip_under_a_condition() -> None:
    r = what_if(_h(), skip=[Skip("stamp", "amount < 20000")])
    assert r["affected_cases"] == 2  # a and d; b's amount is too high
    assert r["cycle_time_saved_total_seconds"] == 4 * H
    assert r["lost_rejections"] == []
    assert r["edit"] == {"remove": [], "skip": [{"node": "stamp", "if": "amount < 20000"}]}


def test_case_without_the_attribute_is_not_skipped() -> None:
    r = what_if(_h(), skip=[Skip("stamp", "region == 'north'")])
    assert r["affected_cases"] == 0


@pytest.mark.parametrize(("kw", "message"), [
    ({"remove": ["nope"]}, "unknown step 'nope'"),
    ({"skip": [Skip("stamp", "amount <")]}, "condition 'amount <'"),
    ({}, "nothing to replay"),
])
def test_bad_edits_are_refused(kw: dict[str, object], message: str) -> None:
    with pytest.raises(WhatIfInvalid, match=message):
        what_if(_h(), **kw)  # type: ignore[arg-type]
