"""The report's stable keys and its renderings (Markdown, CSV, HTML)."""

from __future__ import annotations

import csv
import io
import json
import re
import types
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from api.analytics_schemas import ReportOut, WhatIfOut
from engine.analytics.html import to_html
from engine.analytics.judge import Thresholds
from engine.analytics.logs import read_log
from engine.analytics.mapping import LabelMapping
from engine.analytics.render import STEP_COLUMNS, to_csv, to_markdown
from engine.analytics.report import SCHEMA, Settings, analyse, trend
from engine.analytics.whatif import Skip, what_if
from tests.analytics.test_judge import process

TOP_KEYS = {"schema", "source", "period", "settings", "summary", "steps", "approvers",
            "candidates", "not_flagged", "excluded_attributes", "bottlenecks", "trend",
            "per_approver"}
STEP_KEYS = {"step", "approval", "visits", "cases", "decisions", "outcomes", "wait",
             "wait_business", "rates", "comment_rate", "overruled", "burst_decisions",
             "burst_share", "wait_share", "cycle_share", "approvers"}
FLAG_KEYS = {"step", "kind", "evidence", "confidence", "saving", "remedies", "summary",
             "out_of_time"}


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    return analyse(process(), Settings(Thresholds()))


def test_keys_are_the_documented_ones(report: dict[str, Any]) -> None:
    assert set(report) == TOP_KEYS  # no "activities": labels are the steps here
    assert report["schema"] == SCHEMA
    assert all(set(s) == STEP_KEYS for s in report["steps"])
    assert all(set(f) == FLAG_KEYS for f in report["candidates"])
    assert set(report["bottlenecks"]) == {"steps", "approvers"}
    json.dumps(report)  # JSON-ready all the way down


def _documented() -> set[str]:
    from tests.conftest import ROOT

    doc = (ROOT / "docs" / "analytics.md").read_text(encoding="utf-8")
    return set(re.findall(r"`([a-z_0-9]+)`", doc))


def test_keys_are_documented_in_docs(report: dict[str, Any]) -> None:
    missing = (TOP_KEYS | STEP_KEYS | FLAG_KEYS | set(report["candidates"][0]["evidence"])
               | set(report["candidates"][0]["saving"])) - _documented()
    assert not missing, f"undocumented keys: {sorted(missing)}"


def _fields(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[str]:
    """Every key a response model declares, nested models included."""
    if model in seen:
        return set()
    seen.add(model)
    keys: set[str] = set()
    for name, field in model.model_fields.items():
        keys.add(field.alias or name)
        todo: list[Any] = [field.annotation]
        while todo:
            t = todo.pop()
            if isinstance(t, type) and issubclass(t, BaseModel):
                keys |= _fields(t, seen)
            elif typing.get_origin(t) is not None or isinstance(t, types.UnionType):
                todo.extend(typing.get_args(t))
    return keys


def test_response_models_are_documented_in_docs() -> None:
    """Every key /openapi.json declares for the report and the what-if has its prose."""
    missing = (_fields(ReportOut, set()) | _fields(WhatIfOut, set())) - _documented()
    assert not missing, f"undocumented keys: {sorted(missing)}"


def test_report_and_what_if_match_their_response_models(report: dict[str, Any]) -> None:
    """The models forbid unknown keys: a key the engine adds must be declared (and
    documented) before the API may send it."""
    assert ReportOut.model_validate(report).model_dump(by_alias=True,
                                                       exclude_unset=True) == report
    edit = what_if(process(), ["stamp"], [Skip("gate", "amount < 20000")])
    assert WhatIfOut.model_validate(edit).model_dump(by_alias=True) == edit
    assert edit["lost_rejections"] or edit["affected_cases"]


def test_a_report_with_activities_matches_its_response_model(tmp_path: Path) -> None:
    rows = ["case,activity,timestamp,resource"]
    for i in range(3):
        rows += [f"c{i},Claim SUBMITTED by EMPLOYEE,2024-03-0{i + 1}T09:00:00,e",
                 f"c{i},Claim APPROVED by SUPERVISOR,2024-03-0{i + 1}T10:00:00,s"]
    log = tmp_path / "log.csv"
    log.write_text("\n".join(rows) + "\n", encoding="utf-8")
    r = analyse(read_log(log, LabelMapping()))
    assert r["activities"]
    assert ReportOut.model_validate(r).model_dump(by_alias=True, exclude_unset=True) == r


def test_business_hours_follow_the_calendar(report: dict[str, Any]) -> None:
    gate = {s["step"]: s for s in report["steps"]}["gate"]
    assert gate["wait"]["median_s"] == 2 * 86400
    assert gate["wait_business"]["median_s"] < gate["wait"]["median_s"]


def test_trend_by_month() -> None:
    rows = trend(process(), None)
    assert [r["month"] for r in rows] == ["2024-03"]
    assert rows[0]["cases"] == 200
    # check rejects every tenth request; review rejects big ones, every third
    review = sum(1 for i in range(200) if i % 10 and 1000 * (i % 40) >= 20000 and i % 3 == 0)
    assert rows[0]["rejected"] == 20 + review


def test_markdown_names_flags_and_reasons(report: dict[str, Any]) -> None:
    md = to_markdown(report)
    assert "**stamp** (rubber stamp" in md
    assert "**check**: fast" in md and "careful check" in md
    assert "| gate |" in md


def test_csv_has_one_row_per_step(report: dict[str, Any]) -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    assert list(rows[0]) == STEP_COLUMNS
    by = {r["step"]: r for r in rows}
    assert (by["stamp"]["flag"], by["gate"]["flag"], by["check"]["flag"]) == (
        "rubber_stamp", "low_value_gate", "")
    assert by["stamp"]["reject"] == "0"


def test_html_is_self_contained(report: dict[str, Any]) -> None:
    page = to_html(report)
    assert page.count("<svg") >= 3  # durations, bottlenecks, trend
    assert "<script" not in page
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", page)
    assert "stamp" in page and "rubber stamp" in page


def test_html_escapes_names() -> None:
    h = process(n=40)
    bad = type(h)(h.cases, tuple(v.__class__(v.case_id, "<b>x</b>" if v.step == "gate"
                                             else v.step, v.arrived_at, v.decided_at,
                                             v.outcome, v.resource, v.commented)
                                 for v in h.visits), "<script>")
    page = to_html(analyse(bad))
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
    assert "<script>" not in page


def test_history_without_rejections_or_resources() -> None:
    from tests.analytics.conftest import history

    r = analyse(history({"a": [("x", 60, "approve")], "b": [("x", 30, "approve")]}))
    assert r["steps"][0]["outcomes"]["approve"] == 2
    assert r["approvers"] == [] and r["candidates"] == []
    assert r["not_flagged"][0]["reason"].startswith("only 2 decisions")


@pytest.mark.parametrize(("zone", "month"), [("Asia/Shanghai", "2024-04"),
                                             ("Europe/Amsterdam", "2024-04"), (None, "2024-03")])
def test_trend_months_are_local(zone: str | None, month: str) -> None:
    import datetime as dt

    from engine.analytics.calendar import WorkingCalendar
    from tests.analytics.conftest import history

    # 2024-03-31 22:30 UTC is already April in Amsterdam (summer time) and in Shanghai
    start = dt.datetime(2024, 3, 31, 22, 30, tzinfo=dt.UTC).timestamp()
    h = history({"a": [("x", 60, "approve")]}, start=start)
    cal = None if zone is None else WorkingCalendar(country=None, timezone=zone)
    assert [r["month"] for r in trend(h, cal)] == [month]
