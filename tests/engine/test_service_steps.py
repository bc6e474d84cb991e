"""Service steps in the pure core: the call, callbacks merged and routed, duplicates,
refusals, the timeout and its escalation, and what withdrawing does to the wait."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any
from uuid import UUID

import pytest

from engine.core import EngineError, ProcessDefinition, Withdraw, load_definition, mermaid, replay
from engine.core import events as ev
from engine.core.commands import AnswerService, FireTimer
from engine.core.errors import DefinitionInvalid, FormInvalid, NotPermitted, TransitionNotAllowed
from engine.core.timers import pending_timers
from tests.conftest import ROOT
from tests.engine.helpers import Run, directory

TEXT = (ROOT / "tests" / "fixtures" / "delivery.yaml").read_text(encoding="utf-8")
ORDER = {"store_code": "SH001", "items": 3, "note": "window props"}


@cache
def delivery(escalate: str = "") -> ProcessDefinition:
    text = TEXT.replace("{notify: {role: logistics_manager}}", escalate) if escalate else TEXT
    return load_definition(text, "delivery.yaml", directory(), systems={"logistics"})


def started(defn: ProcessDefinition | None = None) -> Run:
    run = Run(defn or delivery())
    run.start("bai.lu", ORDER)
    return run


def call_of(run: Run) -> ev.ServiceCalled:
    return next(e for e in run.events if isinstance(e, ev.ServiceCalled))


def answer(run: Run, status: str, *, cid: str | None = None, system: str = "logistics",
           node: str = "ship", **extra: Any) -> list[ev.Event]:
    call = call_of(run)
    return run.do(AnswerService(call_id=call.call_id, system=system, node=node,
                                callback_id=cid or f"cb-{status}",
                                data={"status": status, **extra}))


def test_entering_the_step_calls_the_system_with_the_fields_it_sends() -> None:
    run = started()
    call = call_of(run)
    assert (call.system, call.node, call.request) == ("logistics", "ship",
                                                      {"store_code": "SH001", "items": 3})
    assert call.due_at == call.at + timedelta(days=2)
    assert run.s.node == "ship" and run.s.status == "running" and not run.s.tasks
    [wait] = run.s.waits
    assert wait.open and wait.call_id == call.call_id


def test_callbacks_merge_their_data_and_the_step_waits_until_it_is_done() -> None:
    run = started()
    answer(run, "shipped", tracking_number="LX1")
    assert run.s.node == "ship" and run.s.data["status"] == "shipped"
    assert run.s.data["tracking_number"] == "LX1" and run.s.data["note"] == "window props"
    answer(run, "in_transit")
    new = answer(run, "arrived")
    assert [e.kind for e in new] == ["service_answered", "node_left", "node_entered",
                                     "instance_finished"]
    left = next(e for e in new if isinstance(e, ev.NodeLeft))
    assert (left.outcome, left.next_node) == ("answered", "delivered")
    assert run.s.status == "approved" and run.s.waits[0].answers == (
        "cb-shipped", "cb-in_transit", "cb-arrived")
    assert replay(run.events) == run.s
    for e in run.events:  # the log keeps them as records and reads them back
        kind, payload = ev.to_record(e)
        assert ev.from_record(kind, payload, e.instance_id, e.at) == e


def test_the_answer_drives_the_route() -> None:
    run = started()
    answer(run, "lost")
    assert run.s.node == "manual" and run.holders() == ["lu.wen"]


def test_a_repeated_callback_is_applied_once() -> None:
    run = started()
    assert answer(run, "shipped", cid="cb-1")
    assert answer(run, "in_transit", cid="cb-1") == []  # same id: the same callback again
    assert run.s.data["status"] == "shipped"


@pytest.mark.parametrize(("kw", "error"), [
    ({"system": "erp"}, NotPermitted),
    ({"node": "manual"}, TransitionNotAllowed),
])
def test_a_callback_for_another_system_or_step_is_refused(kw: dict[str, Any],
                                                          error: type[EngineError]) -> None:
    run = started()
    before = len(run.events)
    with pytest.raises(error):
        answer(run, "shipped", **kw)
    assert len(run.events) == before


def test_a_bad_answer_names_the_field() -> None:
    run = started()
    with pytest.raises(FormInvalid) as caught:
        answer(run, "teleported")
    assert [p for p, _ in caught.value.errors] == ["/data/status"]
    with pytest.raises(FormInvalid) as caught:
        run.do(AnswerService(call_id=call_of(run).call_id, system="logistics", node="ship",
                             callback_id="x", data={"tracking_number": "LX"}))
    assert "status" in caught.value.errors[0][1]


def test_the_timeout_notifies_once_and_the_step_keeps_waiting() -> None:
    run = started()
    call = call_of(run)
    [timer] = pending_timers(run.defn, run.s, None)
    assert (timer.task_id, timer.key, timer.at) == (call.call_id, "timeout", call.due_at)
    with pytest.raises(TransitionNotAllowed):  # not due yet
        run.do(FireTimer(task_id=call.call_id, timer="timeout"))
    new = run.do(FireTimer(task_id=call.call_id, timer="timeout"), after=timedelta(days=2))
    [fired] = new
    assert isinstance(fired, ev.ServiceTimedOut)
    assert (fired.action, fired.recipients) == ("notify", ("lu.wen",))
    assert "lu.wen" in run.s.cc and run.s.node == "ship"
    assert pending_timers(run.defn, run.s, None) == []
    assert run.do(FireTimer(task_id=call.call_id, timer="timeout")) == []
    answer(run, "arrived")  # a late answer still finishes the step
    assert run.s.status == "approved"


def test_the_timeout_can_route_elsewhere() -> None:
    run = started(delivery("{to: manual}"))
    call = call_of(run)
    new = run.do(FireTimer(task_id=call.call_id, timer="timeout"), after=timedelta(days=3))
    assert [e.kind for e in new][:2] == ["service_timed_out", "node_left"]
    assert run.s.node == "manual" and run.holders() == ["lu.wen"]
    with pytest.raises(TransitionNotAllowed):  # the step no longer waits
        answer(run, "arrived")


def test_withdrawing_ends_the_wait() -> None:
    run = started()
    run.do(Withdraw(actor="bai.lu"))
    assert not run.s.waits[0].open and pending_timers(run.defn, run.s, None) == []
    with pytest.raises(TransitionNotAllowed):
        answer(run, "shipped")


def test_the_diagram_draws_a_service_step_as_a_subroutine() -> None:
    text = mermaid(delivery(), "ship")
    assert 'ship[["Shipping<br/><small>waits for logistics · within 2 days</small>"]]' in text
    assert "class ship service" in text
    assert "等待 logistics 回复" in mermaid(delivery(), lang="zh")
    routed = mermaid(delivery("{to: manual}"))
    assert 'ship -->|"no answer in 2 days"| manual' in routed


@pytest.mark.parametrize(("old", "new", "where", "says"), [
    ("system: logistics", "system: erp", (19, 15), "unknown system 'erp'"),
    ("until: \"status == 'arrived' or status == 'lost'\"", "until: \"weight > 3\"",
     (27, 14), "'weight'"),
    ("send: [store_code, items]", "send: [store_code, colour]", (20, 26), "'colour'"),
    ("    next:\n      - {if", "    on: {approve: delivered}\n    nxt:\n      - {if", (30, 5),
     "service step 'ship' cannot have 'on'"),
])
def test_validation_errors_point_at_the_line(old: str, new: str, where: tuple[int, int],
                                             says: str) -> None:
    assert old in TEXT
    with pytest.raises(DefinitionInvalid) as caught:
        load_definition(TEXT.replace(old, new), "d.yaml", directory(), systems={"logistics"})
    found = [(e.line, e.column, e.message) for e in caught.value.errors]
    assert any((line, col) == where and says in msg for line, col, msg in found), found


def test_call_ids_come_from_the_id_source() -> None:
    run = started()
    assert call_of(run).call_id == UUID(int=2)  # 1 is the instance
