"""Per-step statistics, bursts and approver queues on hand-built histories."""

from __future__ import annotations

import numpy as np
import pytest

from engine.analytics.approvers import approver_table, bottlenecks
from engine.analytics.calendar import WorkingCalendar
from engine.analytics.columns import stable_argsort
from engine.analytics.model import Case, History, Visit
from engine.analytics.steps import activity_table, burst_decisions, step_table
from tests.analytics.conftest import T0, history

H = 3600.0


def _by_step(h, **kw):  # type: ignore[no-untyped-def]
    return {s.step: s for s in step_table(h, **kw)}


def test_counts_waits_and_rates() -> None:
    h = history({
        "a": [("review", 1 * H, "approve"), ("sign", 2 * H, "approve")],
        "b": [("review", 3 * H, "reject")],
        "c": [("review", 5 * H, "return"), ("review", 1 * H, "approve"),
              ("sign", 4 * H, "approve")],
    })
    s = _by_step(h)
    r = s["review"]
    assert (r.visits, r.cases, r.approve, r.reject, r.returned, r.decisions) == (4, 3, 2, 1, 1, 4)
    assert (r.wait.n, r.wait.median, r.wait.mean, r.wait.total) == (4, 2 * H, 2.5 * H, 10 * H)
    assert r.wait.p90 == pytest.approx(3 * H + 0.7 * 2 * H)  # sorted 1,1,3,5 h
    assert r.approve_rate.rate == 0.5
    assert r.reject_or_return.k == 2
    assert s["sign"].wait.median == 3 * H
    # share of all waiting (16 h) and of summed cycle time (3 + 3 + 10 h)
    assert r.wait_share == pytest.approx(10 / 16)
    assert r.cycle_share == pytest.approx(10 / 16)


def test_overruled_counts_later_rejections_by_other_steps_only() -> None:
    h = history({
        "a": [("check", 60, "approve"), ("sign", H, "reject")],
        "b": [("check", 60, "approve"), ("sign", H, "approve")],
        "c": [("check", 60, "approve"), ("sign", H, "return"), ("check", 60, "approve"),
              ("sign", H, "approve")],
        "d": [("sign", H, "reject"), ("check", 60, "approve")],  # rejection came before
        "e": [("check", 60, "approve"), ("check", 60, "reject")],  # its own, not another's
    })
    check = _by_step(h)["check"]
    assert check.approve == 6
    assert check.overruled.k == 2  # a, and the first approval of c
    assert check.overruled.rate == pytest.approx(2 / 6)


def test_comment_rate_only_when_recorded() -> None:
    h = history({"a": [("x", 60, "approve", "ann", True)],
                 "b": [("x", 60, "approve", "ann", False)],
                 "c": [("x", 60, "approve", "ann", False)], "d": [("x", 60, "approve", "ann")]})
    x = _by_step(h)["x"]
    assert x.comment_rate is not None
    assert (x.comment_rate.k, x.comment_rate.n) == (1, 3)
    assert _by_step(history({"a": [("x", 60, "approve")]}))["x"].comment_rate is None


def test_business_hours_per_step() -> None:
    cal = WorkingCalendar(country=None, timezone="UTC")
    # T0 is Monday 09:00 UTC: a 24 h wait is one working day of 9 h
    h = history({"a": [("x", 24 * H, "approve")]})
    wb = _by_step(h, calendar=cal)["x"].wait_business
    assert wb is not None
    assert wb.median == 9 * H


def test_bursts_need_one_approver_many_decisions_seconds_apart() -> None:
    # ann decides 6 requests 2 s apart: a burst; bob decides 6 an hour apart: none
    cases = {f"c{i}": [("x", 100 + 2 * i, "approve", "ann")] for i in range(6)}
    cases |= {f"d{i}": [("y", H * (i + 1), "approve", "bob")] for i in range(6)}
    h = history(cases)
    assert burst_decisions(h, gap=10, min_run=5) == {"x": 6}
    assert burst_decisions(h, gap=1, min_run=5) == {}
    assert _by_step(h, bursts={"x": 6})["x"].burst_decisions == 6


def test_approver_queue_and_bottlenecks() -> None:
    # two requests wait on ann at the same time (queue 2), bob decides quickly
    h = history({
        "a": [("review", 4 * H, "approve", "ann"), ("sign", 60, "approve", "bob")],
        "b": [("review", 2 * H, "approve", "ann"), ("sign", 60, "approve", "bob")],
    })
    table = {a.approver: a for a in approver_table(h)}
    ann, bob = table["ann"], table["bob"]
    assert (ann.decisions, ann.max_queue, bob.max_queue) == (2, 2, 1)
    assert ann.wait_share == pytest.approx(6 * H / (6 * H + 120))
    # Little's law: 6 h of waiting over the 4 h 1 min the history spans
    assert ann.mean_queue == pytest.approx(6 * H / (4 * H + 60))
    b = bottlenecks(step_table(h), approver_table(h))
    assert b["steps"][0]["step"] == "review"
    assert b["approvers"][0]["approver"] == "ann"
    assert [x["step"] for x in b["steps"]] == ["review"]  # sign holds < 5 % of waiting


def test_activity_table_keeps_raw_labels() -> None:
    h = history({"a": [("x", 60, "approve"), ("x", 120, "approve")], "b": [("y", 30, "reject")]})
    t = {a.activity: a for a in activity_table(h)}
    assert (t["x"].events, t["x"].cases, t["x"].wait.mean) == (2, 1, 90)
    assert T0 > 0


def test_parallel_branches_share_their_overlapping_wait() -> None:
    """A fork's legal and finance steps wait at the same time: the shares count that
    time once (split between them), while each step's own wait stays whole."""
    visits = (Visit("a", "manager", T0, T0 + 2 * H, "approve", "m"),
              Visit("a", "legal", T0 + 2 * H, T0 + 6 * H, "approve", "l"),
              Visit("a", "finance", T0 + 2 * H, T0 + 8 * H, "approve", "f"),
              Visit("a", "vp", T0 + 8 * H, T0 + 10 * H, "approve", "v"),
              Visit("b", "manager", T0, T0 + 4 * H, "approve", "m"),
              Visit("b", "vp", T0 + 4 * H, T0 + 6 * H, "reject", "v"))
    h = History({"a": Case("a", T0, T0 + 10 * H, "approved"),
                 "b": Case("b", T0, T0 + 6 * H, "rejected")}, visits, "test")
    s = _by_step(h)
    assert (s["legal"].wait.total, s["finance"].wait.total) == (4 * H, 6 * H)
    # legal 2 h (half of 4 h shared), finance 2 h + 2 h alone; 16 h of cycle time in all
    assert s["legal"].cycle_share == pytest.approx(2 / 16)
    assert s["finance"].cycle_share == pytest.approx(4 / 16)
    assert s["manager"].cycle_share == pytest.approx(6 / 16)
    assert sum(x.cycle_share for x in s.values()) == pytest.approx(1.0)
    assert sum(x.wait_share for x in s.values()) == pytest.approx(1.0)
    assert s["vp"].wait_share == pytest.approx(4 / 16)


@pytest.mark.parametrize("values", [
    [], [5.0], [2.0, 1.0, 2.0, 1.0, 2.0], [3.0, 3.0, 3.0], [0.5, 0.25, 0.75],
    [float(x % 7) / 3 for x in range(200)],
])
def test_stable_argsort_keeps_ties_in_row_order(values: list[float]) -> None:
    arr = np.array(values, np.float64)
    assert stable_argsort(arr).tolist() == np.argsort(arr, kind="stable").tolist()
