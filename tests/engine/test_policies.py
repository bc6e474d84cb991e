"""Policies: same approver on consecutive steps, initiator as approver, no approver found;
approver rules, SLAs, CC nodes and conditional routes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.core import NoApproverFound, StartInstance, UserNotFound, load_definition
from engine.core import events as ev
from engine.core.commands import AnswerService
from engine.core.decide import decide
from tests.engine.helpers import DEFS, EXPENSE, STORE, T0, Ids, Run, definition, directory


def _variant(key: str, old: str, new: str):  # type: ignore[no-untyped-def]
    text = (DEFS / f"{key}.yaml").read_text(encoding="utf-8")
    assert old in text
    return load_definition(text.replace(old, new), directory=directory())


def test_same_approver_auto_approves_the_later_step() -> None:
    run = Run(definition("expense_claim"))
    run.start("cao.li", {**EXPENSE, "amount": 800})
    # manager deng.hao; at finance_review the clerk is the initiator -> skip to manager
    # (deng.hao again, deduplicated), who just approved: auto-approved.
    run.act("deng.hao")
    finance = [t for t in run.s.tasks if t.node == "finance_review"]
    assert [(t.assignee, t.rule, t.auto) for t in finance] == [
        ("deng.hao", "role:finance_clerk>manager_of:initiator", "same_approver")]
    decided = [e for e in run.events if isinstance(e, ev.TaskDecided) and e.auto]
    assert decided[0].actor == "deng.hao" and decided[0].action == "approve"
    assert run.s.status == "approved"


def test_same_approver_policy_can_be_switched_off() -> None:
    defn = _variant("expense_claim", "auto_approve_same_approver: true",
                    "auto_approve_same_approver: false")
    run = Run(defn)
    run.start("cao.li", {**EXPENSE, "amount": 800})
    run.act("deng.hao")
    assert run.s.node == "finance_review" and run.holders() == ["deng.hao"]


def test_same_approver_policy_per_node_override() -> None:
    defn = _variant("expense_claim", "    mode: threshold\n",
                    "    mode: threshold\n    policies: {auto_approve_same_approver: false}\n")
    run = Run(defn)
    run.start("li.na", {**EXPENSE, "amount": 25000})
    for user in ("zhao.lei", "liu.yang", "cao.li", "deng.hao"):
        run.act(user)
    assert run.s.node == "committee" and run.holders() == ["deng.hao", "liu.yang", "zhou.min"]


def test_initiator_as_approver_auto_approve() -> None:
    defn = _variant("sample_order", "initiator_is_approver: skip_to_manager",
                    "initiator_is_approver: auto_approve")
    run = Run(defn)
    run.start("qian.yu", {"store_code": "SH001", "region": "east", "season": "AW26",
                          "needed_by": "2026-08-15", "items": [{"sku": "MQ-22", "quantity": 1}]})
    run.act("zhao.lei")
    # qian.yu is a sample manager: her own task is auto-approved and (mode any) resolves
    auto = [t for t in run.s.tasks if t.auto == "initiator_is_approver"]
    assert [(t.node, t.assignee) for t in auto] == [("sample_manager", "qian.yu")]
    assert run.s.node == "logistics"


def test_initiator_as_approver_require() -> None:
    defn = _variant("sample_order", "initiator_is_approver: skip_to_manager",
                    "initiator_is_approver: require")
    run = Run(defn)
    run.start("qian.yu", {"store_code": "SH001", "region": "east", "season": "AW26",
                          "needed_by": "2026-08-15", "items": [{"sku": "MQ-22", "quantity": 1}]})
    run.act("zhao.lei")
    assert "qian.yu" in run.holders()


def test_initiator_as_approver_skip_to_manager() -> None:
    run = Run(definition("sample_order"))
    run.start("qian.yu", {"store_code": "SH001", "region": "east", "season": "AW26",
                          "needed_by": "2026-08-15", "items": [{"sku": "MQ-22", "quantity": 1}]})
    run.act("zhao.lei")
    # qian.yu's own sample_manager task goes to her manager zhao.lei, who just approved
    # the store_manager step: auto-approved as the same approver; any mode resolves.
    tasks = [t for t in run.s.tasks if t.node == "sample_manager"]
    skip = "role:sample_manager@field:region>manager_of:initiator"
    skipped = [t for t in tasks if t.rule == skip]
    assert [(t.assignee, t.auto) for t in skipped] == [("zhao.lei", "same_approver")]
    assert run.s.node == "logistics"


def test_fallback_approver_when_nobody_resolves() -> None:
    run = Run(definition("expense_claim"))
    run.start("wang.jian", EXPENSE)  # the CEO has no manager
    assert [(t.assignee, t.rule) for t in run.s.tasks] == [("deng.hao", "fallback:deng.hao")]


def test_no_approver_found_fails_at_start_and_emits_nothing() -> None:
    defn = definition("store_opening")
    with pytest.raises(NoApproverFound) as info:
        decide(defn, None, StartInstance(definition_key="store_opening", initiator="wang.jian",
                                         data=STORE), T0, directory(), Ids())
    assert info.value.node == "regional_review" and info.value.rule == "manager_of:initiator"
    with pytest.raises(UserNotFound):
        decide(defn, None, StartInstance(definition_key="store_opening", initiator="ghost",
                                         data=STORE), T0, directory(), Ids())


def test_rules_resolve_field_and_manager_levels_and_are_recorded() -> None:
    run = Run(definition("store_opening"))
    run.start("xu.ming", {**STORE, "legal_contact": "jiang.hong"})
    run.act("zhao.lei")
    rules = {t.assignee: t.rule for t in run.s.tasks}
    assert rules == {"zhao.lei": "manager_of:initiator", "tang.lan": "role:real_estate",
                     "jiang.hong": "field:legal_contact"}
    claim = Run(definition("expense_claim"))
    claim.start("bai.lu", {**EXPENSE, "amount": 6000})
    claim.act("li.na")
    assert claim.holders() == ["zhao.lei"] and claim.s.node == "department_head"


def test_sla_sets_due_times() -> None:
    run = Run(definition("store_opening"))
    started = run.start("xu.ming", STORE)
    created = next(e for e in started if isinstance(e, ev.TaskCreated))
    assert created.due_at == created.at + timedelta(days=2)
    assert run.task("zhao.lei").due_at == run.now + timedelta(days=2)


def test_conditional_route_skips_cfo_below_the_threshold() -> None:
    for rent, cfo in ((60000, False), (95000, True)):
        run = Run(definition("store_opening"))
        run.start("xu.ming", {**STORE, "monthly_rent": rent})
        for user in ("zhao.lei", "tang.lan", "song.qian", "cao.li"):
            run.act(user)
        if cfo:
            assert run.s.node == "cfo_review"
            run.act("zhou.min")
        assert run.s.node == "vp_review"
        expected = ["regional_review", "site_review", "finance_review",
                    *(["cfo_review"] if cfo else []), "vp_review"]
        assert list(run.s.path) == expected


def test_notify_node_passes_through_and_records_visit() -> None:
    run = Run(definition("sample_order"))
    run.start("bai.lu", {"store_code": "SH001", "region": "east", "season": "AW26",
                         "needed_by": "2026-08-15", "items": [{"sku": "MQ-22", "quantity": 1}]})
    run.act("li.na")
    run.act("qian.yu")
    run.act("xie.bin")
    [wait] = run.s.waits  # the delivery step waits on the logistics system's answer
    new = run.do(AnswerService(call_id=wait.call_id, system="logistics", node="delivery",
                               callback_id="cb1", data={"status": "arrived"}))
    kinds = [(e.kind, getattr(e, "node", None)) for e in new]
    assert ("notified", "cc_store") in kinds and ("instance_finished", "approved") in kinds
    notified = next(e for e in new if isinstance(e, ev.Notified))
    assert notified.recipients == ("bai.lu", "li.na")
    left = [e for e in new if isinstance(e, ev.NodeLeft) and e.node == "cc_store"]
    assert left[0].outcome == "notified" and left[0].next_node == "approved"
    assert run.s.status == "approved"


def test_form_is_validated_at_start_with_pointers() -> None:
    from engine.core import FormInvalid
    with pytest.raises(FormInvalid) as info:
        Run(definition("store_opening")).start(
            "xu.ming", {**STORE, "monthly_rent": -5, "opening_date": "2026-13-40",
                        "legal_contact": "ghost"})
    pointers = [p for p, _ in info.value.errors]
    assert pointers == ["/legal_contact", "/monthly_rent", "/opening_date"]
