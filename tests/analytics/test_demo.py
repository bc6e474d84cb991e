"""On the demo history (simulated through the real engine) analytics finds what was
planted: the rubber stamp, not the careful fast step, the low-value gate, the bottleneck
approver, the small-claims skip condition, and the time the stamp costs."""

from __future__ import annotations

from typing import Any

import pytest

from engine.analytics.events import history_from_events
from engine.analytics.model import History
from engine.analytics.report import analyse
from engine.analytics.whatif import what_if
from engine.core import InstanceState
from engine.core.events import Event
from engine.demo.personas import (
    BOTTLENECK_STEP,
    BOTTLENECK_USER,
    CAREFUL_FAST,
    LOW_VALUE_GATE,
    RUBBER_STAMP,
    SKIP_CONDITION,
)
from tests.demo.conftest import *  # noqa: F403 (medium_run and the fixtures it needs)

Run = list[tuple[list[Event], InstanceState]]


@pytest.fixture(scope="module")
def histories(medium_run: Run) -> dict[str, History]:
    keys = {RUBBER_STAMP[0], LOW_VALUE_GATE[0], BOTTLENECK_STEP[0]}
    return {k: history_from_events((h for h, _ in medium_run), k) for k in keys}


@pytest.fixture(scope="module")
def reports(histories: dict[str, History]) -> dict[str, dict[str, Any]]:
    return {k: analyse(h) for k, h in histories.items()}


def _flags(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["step"]: f for f in report["candidates"]}


def test_rubber_stamp_is_flagged_with_evidence(reports: dict[str, dict[str, Any]]) -> None:
    key, node = RUBBER_STAMP
    stamp = _flags(reports[key])[node]
    assert stamp["kind"] == "rubber_stamp"
    ev = stamp["evidence"]
    assert ev["reject"] == ev["return"] == 0 and ev["comment_rate"] == 0
    assert ev["comments_recorded"] and ev["fast"]
    assert ev["stop_rate_ci_high"] < 0.05
    assert stamp["saving"]["approver_hours_per_year"] > 0
    assert stamp["remedies"][0]["action"] == "remove"


def test_careful_fast_step_is_not_flagged(reports: dict[str, dict[str, Any]]) -> None:
    key, node = CAREFUL_FAST
    assert node not in _flags(reports[key])
    why = {o["step"]: o for o in reports[key]["not_flagged"]}[node]
    assert "rejects or returns" in why["reason"]
    assert why["evidence"]["stop_rate"] > 0.05


def test_low_value_gate_is_flagged_as_a_gate(reports: dict[str, dict[str, Any]]) -> None:
    key, node = LOW_VALUE_GATE
    gate = _flags(reports[key])[node]
    assert gate["kind"] == "low_value_gate"
    assert not gate["evidence"]["fast"]
    assert gate["saving"]["cycle_time_removed_per_request_s"] > 3600


def test_bottleneck_approver_and_step_are_named(reports: dict[str, dict[str, Any]]) -> None:
    key, node = BOTTLENECK_STEP
    b = reports[key]["bottlenecks"]
    assert b["approvers"][0]["approver"] == BOTTLENECK_USER
    assert b["approvers"][0]["wait_share"] > 0.5
    assert b["steps"][0]["step"] == node
    me = {a["approver"]: a for a in reports[key]["approvers"]}[BOTTLENECK_USER]
    assert me["max_queue"] == max(a["max_queue"] for a in reports[key]["approvers"])


def test_small_claims_skip_condition_is_learned(reports: dict[str, dict[str, Any]]) -> None:
    key, node, attribute, limit = SKIP_CONDITION
    entry = {o["step"]: o for o in reports[key]["not_flagged"]}.get(node) or _flags(
        reports[key])[node]
    skip = entry.get("skip_if") or entry["remedies"][0]
    cond = skip["condition"]
    name, op, value = cond.split()
    assert (name, op) == (attribute, "<")
    # learned on the earlier two thirds only: every earlier claim under the cut passed;
    # the cut lies between the planted limit and the smallest claim stopped then
    assert limit <= float(value) < limit * 2
    check = skip["out_of_time"]
    assert check["status"] == "held" and check["let_through"] > 50
    assert check["stopped"] <= 0.05 * check["let_through"]


def test_what_if_removing_the_stamp_saves_its_waiting(histories: dict[str, History]) -> None:
    key, node = RUBBER_STAMP
    h = histories[key]
    r = what_if(h, remove=[node])
    stamp_wait = sum(v.wait or 0 for v in h.visits if v.step == node)
    assert r["cycle_time_saved_total_seconds"] == pytest.approx(stamp_wait, abs=0.01)
    assert r["cycle_time_saved_seconds"] > 0
    assert r["scenario"]["mean_cycle_s"] < r["baseline"]["mean_cycle_s"]
    assert r["lost_rejections"] == []  # the stamp never stopped anything
    assert r["affected_cases"] == len({v.case_id for v in h.visits if v.step == node})


def test_reports_match_the_api_response_model(reports: dict[str, dict[str, Any]]) -> None:
    from api.analytics_schemas import ReportOut

    for report in reports.values():
        assert ReportOut.model_validate(report).model_dump(by_alias=True,
                                                           exclude_unset=True) == report
