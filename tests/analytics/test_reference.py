"""Per-activity and per-step numbers against the PM4Py references in ../shared/data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.analytics.logs import read_log
from engine.analytics.mapping import LabelMapping
from engine.analytics.steps import activity_table, step_table

LOGS = ["PrepaidTravelCost.xes.gz", "receipt.xes.gz", "running-example.xes"]


def _reference(data_dir: Path, log: str) -> dict:  # type: ignore[type-arg]
    name = log.split(".")[0]
    with (data_dir / f"reference_{name}.json").open() as f:
        return json.load(f)  # type: ignore[no-any-return]


@pytest.mark.parametrize("log", LOGS)
def test_per_activity_numbers_match_pm4py(data_dir: Path, log: str) -> None:
    ref = _reference(data_dir, log)
    hist = read_log(data_dir / log, LabelMapping())
    assert len(hist.cases) == ref["cases"]
    assert len(hist.visits) == ref["events"]
    table = {a.activity: a for a in activity_table(hist)}
    assert set(table) == set(ref["per_activity"])
    for act, want in ref["per_activity"].items():
        got = table[act]
        assert (got.events, got.cases) == (want["events"], want["cases"]), act
        wb = want["wait_before"]
        assert got.wait.n == wb["n"], act
        if wb["n"]:
            assert got.wait.median == pytest.approx(wb["median_s"], abs=1), act
            assert got.wait.p90 == pytest.approx(wb["p90_s"], abs=1), act
            assert got.wait.mean == pytest.approx(wb["mean_s"], abs=1), act


@pytest.mark.parametrize("log", LOGS)
def test_case_durations_match_pm4py(data_dir: Path, log: str) -> None:
    ref = _reference(data_dir, log)["case_duration"]
    hist = read_log(data_dir / log, LabelMapping())
    durations = sorted(c.duration for c in hist.cases.values())
    assert len(durations) == ref["n"]
    assert sum(durations) == pytest.approx(ref["sum_s"], abs=1)
    assert durations[0] == pytest.approx(ref["min_s"], abs=1)
    assert durations[-1] == pytest.approx(ref["max_s"], abs=1)


def test_step_decisions_match_pm4py_roles(data_dir: Path) -> None:
    """Steps join APPROVED/FINAL_APPROVED/REJECTED of one object and role; summed over
    objects they give PM4Py's decision counts per role, EMPLOYEE excluded."""
    ref = _reference(data_dir, LOGS[0])["decisions_by_role"]
    steps = step_table(read_log(data_dir / LOGS[0], LabelMapping()))
    for role, want in ref.items():
        mine = [s for s in steps if s.step.endswith(f" by {role}")]
        approvals = sum(s.approve for s in mine)
        rejections = sum(s.reject for s in mine)
        if role == "EMPLOYEE":  # the requester's own act: never an approver decision
            assert approvals == rejections == 0
            assert sum(s.other for s in mine) == want["REJECTED"] + sum(
                want["other_verbs"].values())
            continue
        assert approvals == want["APPROVED"] + want["FINAL_APPROVED"], role
        assert rejections == want["REJECTED"], role
        waits = sorted(w for s in mine for w in [s.wait.total])
        assert sum(waits) == pytest.approx(want["decision_wait_before"]["sum_s"], abs=1), role
