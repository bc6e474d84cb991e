"""Date rules on form fields, plain-word form errors, numbers that are not numbers, and
the reason a reject or a return needs."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from engine.core import commands as cmds
from engine.core.decide import decide
from engine.core.errors import DefinitionInvalid, FormInvalid
from engine.core.form_rules import violations
from engine.core.forms import field_changes, form_errors
from engine.core.loader import load_definition
from tests.engine.helpers import STORE, T0, Run
from tests.engine.helpers import definition as load

CASES = json.loads((Path(__file__).parents[1] / "fixtures" / "date_rules.json")
                   .read_text("utf-8"))


@pytest.mark.parametrize("case", CASES["cases"], ids=lambda c: json.dumps(c["data"]))
def test_the_shared_date_rule_cases(case: dict[str, Any]) -> None:
    # ui/src/lib/formRules.test.ts feeds the browser's copy the very same cases
    got = violations(CASES["schema"], case["data"], date.fromisoformat(case["today"]))
    assert [[v.field, v.rule, v.limit.isoformat()] for v in got] == case["expected"]


def test_form_errors_are_plain_words_with_the_field_titles() -> None:
    defn = load("store_opening")
    data = {**STORE, "monthly_rent": "12e", "lease_years": 0, "store_format": "mega"}
    del data["city"]
    found = dict(form_errors(defn.form_schema, data))
    assert found == {"/city": "City is required",
                     "/monthly_rent": "Monthly rent must be a number",
                     "/lease_years": "Lease term (years) must be at least 1",
                     "/store_format": "Store format must be one of the choices offered"}
    assert not any("property" in m or ">=" in m for m in found.values())


def test_the_opening_date_rule_is_checked_on_the_day_of_filing() -> None:
    defn = load("store_opening")
    start = T0.date()
    soon = {**STORE, "opening_date": (start + timedelta(days=29)).isoformat()}
    assert form_errors(defn.form_schema, soon, today=start) == [
        ("/opening_date", f"Planned opening must be on or after {start + timedelta(days=30)}")]
    ok = {**STORE, "opening_date": (start + timedelta(days=30)).isoformat()}
    assert form_errors(defn.form_schema, ok, today=start) == []


def test_starting_with_an_opening_date_in_the_past_is_refused_and_changes_nothing() -> None:
    run = Run(load("store_opening"))
    with pytest.raises(FormInvalid) as info:
        run.start("xu.ming", {**STORE, "opening_date": "2020-06-01"})
    assert info.value.errors == [("/opening_date", "Planned opening must be on or after "
                                  f"{T0.date() + timedelta(days=30)}")]
    assert run.state is None and run.events == []


def test_a_resubmission_counts_from_the_day_the_request_was_filed() -> None:
    run = Run(load("store_opening"))
    run.start("xu.ming", {**STORE, "opening_date": (T0.date() + timedelta(days=40)).isoformat()})
    run.act("zhao.lei", "return", comment="Add the landlord")
    # 20 days on the opening is 20 days away; it was filed 40 days ahead, so it passes
    run.do(cmds.Resubmit(actor="xu.ming", data={**run.s.data, "landlord": "Wanda"}),
           after=timedelta(days=20))
    assert run.s.status == "running"


@pytest.mark.parametrize("action", ["reject", "return"])
@pytest.mark.parametrize("comment", [None, "", "   \n"])
def test_reject_and_return_need_a_reason_and_change_nothing_without_one(
        action: str, comment: str | None) -> None:
    run = Run(load("store_opening"))
    run.start("xu.ming", STORE)
    before = list(run.events)
    with pytest.raises(FormInvalid) as info:
        run.act("zhao.lei", action, comment=comment)
    assert info.value.errors[0][0] == "/comment"
    assert "reason is required" in info.value.errors[0][1]
    assert run.events == before and run.s.status == "running"
    run.act("zhao.lei", action, comment="The rent is far above the area's median")
    assert run.s.status == ("rejected" if action == "reject" else "returned")


def test_a_step_may_make_the_reason_optional() -> None:
    text = load("store_opening").source.replace(
        "    sla: 2d\n    on: {approve: site_review, reject: rejected, return: initiator}",
        "    sla: 2d\n    reason: optional\n"
        "    on: {approve: site_review, reject: rejected, return: initiator}", 1)
    defn = load_definition(text)
    assert not defn.nodes["regional_review"].reason_required
    assert defn.nodes["site_review"].reason_required
    run = Run(defn)
    run.start("xu.ming", STORE)
    run.act("zhao.lei", "reject")
    assert run.s.status == "rejected"


def test_a_wrong_reason_setting_or_date_rule_is_reported_at_its_line() -> None:
    source = load("store_opening").source
    text = (source.replace("    sla: 2d\n    on: {approve: site_review",
                           "    sla: 2d\n    reason: sometimes\n    on: {approve: site_review", 1)
            .replace("earliest: today+30d", "earliest: next monday")
            .replace("landlord: {type: string,", "landlord: {type: string, latest: today,"))
    with pytest.raises(DefinitionInvalid) as info:
        load_definition(text, "x.yaml")
    found = [(e.line, e.message) for e in info.value.errors]
    lines = text.splitlines()
    assert len(found) == 3, found
    for line, message in found:
        assert any(w in lines[line - 1] for w in ("reason:", "earliest:", "latest:")), message
    messages = " | ".join(m for _, m in found)
    assert "'sometimes' is not one of ['required', 'optional']" in messages
    assert "earliest 'next monday' must be today or a date field" in messages
    assert "'latest' is only allowed on a date field" in messages


def test_the_final_and_notify_steps_take_no_reason_setting() -> None:
    text = load("store_opening").source.replace(
        "  approved: {final: approved,", "  approved: {final: approved, reason: optional,")
    with pytest.raises(DefinitionInvalid) as info:
        load_definition(text, "x.yaml")
    assert "final node 'approved' cannot have 'reason'" in str(info.value)


def test_field_changes_in_the_form_order() -> None:
    schema = load("store_opening").form_schema
    old = {"store_name": "A", "monthly_rent": 100, "notes": "x"}
    new = {"store_name": "A", "monthly_rent": 120.5, "landlord": "Wanda"}
    assert field_changes(schema, old, new) == [
        ("monthly_rent", 100, 120.5), ("landlord", None, "Wanda"), ("notes", "x", None)]
    assert field_changes(schema, old, dict(old)) == []


def test_decide_refuses_a_reasonless_reject_as_a_form_problem_on_the_comment() -> None:
    run = Run(load("store_opening"))
    run.start("xu.ming", STORE)
    task = next(t for t in run.s.tasks if t.status == "pending")
    with pytest.raises(FormInvalid):
        decide(run.defn, run.s, cmds.DecideTask(task_id=task.task_id, actor=task.assignee,
                                                action="reject"), run.now, run.org)


def test_request_titles_in_both_languages_name_choices_by_their_titles() -> None:
    defn = load("expense_claim")
    data = {"amount": 1200.5, "currency": "CNY", "category": "client_entertainment"}
    assert defn.title_for(data) == "Expense claim: 1,200.50 CNY (Client entertainment)"
    assert defn.title_for(data, zh=True) == "费用报销：1,200.50 CNY（业务招待）"
    assert defn.title_for({**data, "amount": 15821}).startswith("Expense claim: 15,821 CNY")
    store = load("store_opening")
    assert store.title_for(STORE, zh=True) == "新店：Nanjing Road（Shanghai）"
