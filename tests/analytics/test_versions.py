"""Versions close the loop: once a version removed the stamp, the report shows the
change's effect (cycle time and stop rates before and after, with intervals) instead of
the old advice; judgments move to the current version once it has enough requests."""

from __future__ import annotations

from typing import Any

import pytest

from engine.analytics.model import History
from engine.analytics.report import Settings
from engine.analytics.versions import analyse_versions, median_interval
from tests.analytics.conftest import Step, history

H = 3600.0
V1 = {"check": {"approvers": {"role": "a"}}, "stamp": {"approvers": {"role": "b"}},
      "work": {"approvers": {"role": "c"}}}
V2 = {"check": {"approvers": {"role": "a"}}, "work": {"approvers": {"role": "c"}}}


def two_versions(after: int) -> History:
    """200 requests on version 1 (check, a 1-hour stamp that never says no, work),
    then ``after`` requests on version 2 without the stamp; check rejects one in ten."""
    cases: dict[str, list[Step]] = {}
    versions: dict[str, int] = {}
    for i in range(200 + after):
        v2 = i >= 200
        steps: list[Step] = [("check", 60, "reject" if i % 10 == 0 else "approve", "c", False)]
        if i % 10:
            if not v2:
                steps.append(("stamp", H, "approve", "s", False))
            steps.append(("work", 2 * H, "approve", "w", False))
        cases[f"r{i:03d}"] = steps
        versions[f"r{i:03d}"] = 2 if v2 else 1
    h = history(cases)
    return History(h.cases, h.visits, "test", case_versions=versions)


def _report(h: History, **kw: Any) -> dict[str, Any]:
    return analyse_versions(h, {1: V1, 2: V2}, Settings(calendar=None), **kw)


def test_after_removing_the_stamp_the_effect_replaces_the_advice() -> None:
    r = _report(two_versions(after=50))
    assert r["versions"]["current"] == 2 and r["versions"]["judged"] == [1, 2]
    assert "stamp" not in {c["step"] for c in r["candidates"]}  # no old advice
    assert "stamp" not in {o["step"] for o in r["not_flagged"]}
    (change,) = r["versions"]["changes"]
    assert (change["from_version"], change["to_version"]) == (1, 2)
    assert (change["removed"], change["changed"]) == (["stamp"], [])
    before, after = change["before"], change["after"]
    assert (before["requests"], after["requests"]) == (200, 50)
    # 9 in 10 requests took check + stamp + work (3h 1m) before, check + work after
    assert before["median_cycle_s"] == 3 * H + 60 and after["median_cycle_s"] == 2 * H + 60
    assert before["median_ci_low_s"] <= before["median_cycle_s"] <= before["median_ci_high_s"]
    assert before["stopped"]["k"] == 20 and after["stopped"]["k"] == 5
    assert before["stopped"]["ci_low"] < 0.1 < before["stopped"]["ci_high"]
    (step,) = change["steps"]
    assert step["step"] == "stamp" and step["before"]["k"] == 0 and step["after"] is None


def test_judgments_use_the_current_version_once_it_has_enough_requests() -> None:
    r = _report(two_versions(after=60), min_requests=50)
    assert r["versions"]["judged"] == [2]
    assert r["summary"]["cases"] == 60
    assert r["versions"]["changes"][0]["removed"] == ["stamp"]


def test_one_version_is_judged_as_before() -> None:
    h = two_versions(after=0)
    r = _report(h)
    assert r["versions"] == {"current": 1, "judged": [1], "changes": []}
    assert "stamp" in {c["step"] for c in r["candidates"]}


@pytest.mark.parametrize(("n", "lo", "hi"), [(1, 0, 0), (10, 0, 9), (100, 39, 60)])
def test_median_interval_order_statistics(n: int, lo: int, hi: int) -> None:
    # n = 100: the 40th and 61st values, the textbook interval (coverage 95.2 %)
    assert median_interval([float(i) for i in range(n)]) == (lo, hi)


def test_the_markdown_shows_the_change_and_a_what_if() -> None:
    from engine.analytics.render import to_markdown
    from engine.analytics.whatif import what_if

    h = two_versions(after=50)
    r = _report(h)
    r["what_if"] = what_if(h, ["work"])
    md = to_markdown(r)
    assert "## Version 1 -> 2" in md and "Removed: stamp; changed: -." in md
    assert "| requests | 200 | 50 |" in md
    assert "| rejected or returned (95% CI) | 10.0% (" in md
    assert "## What-if" in md and "Removing work, skipping -: mean cycle time of all 250" in md
