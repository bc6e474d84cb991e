"""Judgments on a hand-built process with one step of each kind.

``check`` is fast and rejects one request in ten (a careful first check); ``stamp`` is
fast and never rejects; ``review`` takes a day and rejects big requests; ``gate`` takes
two days and never rejects; ``rare`` is a fast step that was visited too few times.
"""

from __future__ import annotations

from typing import Any

import pytest

from engine.analytics.judge import Thresholds
from engine.analytics.model import History
from engine.analytics.report import Settings, analyse
from engine.analytics.whatif import what_if
from tests.analytics.conftest import Step, history

D = 86400.0


def process(n: int = 200, commented_stamp: bool = False) -> History:
    cases: dict[str, list[Step]] = {}
    attrs: dict[str, dict[str, str | float]] = {}
    for i in range(n):
        amount = float(1000 * (i % 40))  # 0 .. 39,000
        attrs[f"r{i}"] = {"amount": amount, "dept": "sales" if i % 2 else "ops"}
        steps: list[Step] = []
        if i % 10 == 0:
            steps.append(("check", 60, "reject", "carol", False))
        else:
            steps.append(("check", 60, "approve", "carol", False))
            steps.append(("stamp", 30, "approve", "sam", commented_stamp))
            if amount >= 20000 and i % 3 == 0:
                steps.append(("review", D, "reject", "rita", True))
            else:
                steps.append(("review", D, "approve", "rita", False))
                steps.append(("gate", 2 * D, "approve", "gus", False))
        if i < 5:
            steps.insert(0, ("rare", 10, "approve", "ron", False))
        cases[f"r{i}"] = steps
    return history(cases, attrs)


def _report(h: History, **th: Any) -> dict[str, Any]:
    return analyse(h, Settings(Thresholds(**th), calendar=None))


def test_fast_step_that_never_rejects_is_a_rubber_stamp() -> None:
    r = _report(process())
    flags = {f["step"]: f for f in r["candidates"]}
    stamp = flags["stamp"]
    assert stamp["kind"] == "rubber_stamp"
    assert stamp["confidence"] == "high"  # 180 approvals, upper bound 2.1 % < 2.5 %
    ev = stamp["evidence"]
    assert (ev["decisions"], ev["reject"], ev["stop_rate"], ev["median_wait_s"]) == (180, 0, 0, 30)
    assert ev["stop_rate_ci_high"] == pytest.approx(0.0209, abs=1e-4)
    assert ev["comment_rate"] == 0
    assert [m["action"] for m in stamp["remedies"]] == ["remove", "notify"]


def test_fast_step_that_rejects_is_not_a_candidate() -> None:
    r = _report(process())
    assert "check" not in {f["step"] for f in r["candidates"]}
    why = {o["step"]: o for o in r["not_flagged"]}["check"]
    assert why["fast"] is True
    assert "careful check" in why["reason"]
    assert "10.0%" in why["reason"]


def test_slow_step_that_never_rejects_is_a_low_value_gate_with_its_cost() -> None:
    r = _report(process())
    gate = {f["step"]: f for f in r["candidates"]}["gate"]
    assert gate["kind"] == "low_value_gate"
    sv = gate["saving"]
    n = gate["evidence"]["decisions"]
    # one definition of the saving: the mean cycle time over all 200 requests, before
    # minus after; 150 of them waited two days at the gate
    assert sv["statistic"] == "mean"
    assert sv["cycle_time_removed_per_request_s"] == 2 * D * 150 / 200
    assert sv["mean_cycle_before_s"] - sv["mean_cycle_after_s"] == pytest.approx(
        sv["cycle_time_removed_per_request_s"], abs=1e-3)
    w = what_if(process(), remove=["gate"])
    assert (w["statistic"], w["cycle_time_saved_seconds"]) == (
        "mean", sv["cycle_time_removed_per_request_s"])
    assert w["baseline"]["mean_cycle_s"] == sv["mean_cycle_before_s"]
    assert w["scenario"]["mean_cycle_s"] == sv["mean_cycle_after_s"]
    # handling time is the assumed 5 minutes (the wait is far longer)
    years = r["period"]["days"] / 365.25
    assert sv["approver_hours_per_year"] == pytest.approx(n / years * 300 / 3600, rel=1e-2)
    assert gate["remedies"][0]["action"] == "notify"


def test_step_that_rejects_is_not_flagged_and_too_few_visits_are_not_judged() -> None:
    r = _report(process())
    others = {o["step"]: o["reason"] for o in r["not_flagged"]}
    assert "review" in others and "rejects or returns" in others["review"]
    assert others["rare"].startswith("only 5 decisions")
    assert {f["step"] for f in r["candidates"]} == {"stamp", "gate"}


def test_comments_show_engagement() -> None:
    r = _report(process(commented_stamp=True))
    assert "stamp" not in {f["step"] for f in r["candidates"]}
    assert "comments" in {o["step"]: o["reason"] for o in r["not_flagged"]}["stamp"]


def test_bound_not_raw_rate_decides() -> None:
    # 40 requests: stamp never rejects, but 36 decisions cannot prove a rate below 5 %
    r = _report(process(n=40))
    others = {o["step"]: o["reason"] for o in r["not_flagged"]}
    assert "stamp" in others and "cannot show a rate below 5.0%" in others["stamp"]


def test_skip_condition_is_learned_for_a_step_that_rejects_rarely() -> None:
    # with a looser stop threshold, review (rejects 1 in 6) becomes a gate with a condition
    r = _report(process(), max_stop_rate=0.3)
    review = {f["step"]: f for f in r["candidates"]}["review"]
    skip = review["remedies"][0]
    assert skip["action"] == "skip_if"
    assert skip["condition"] == "amount < 20000"
