"""At risk as an event: ``MarkAtRisk`` appends ``RequestAtRisk`` once per subject, names
who is told, and fires the ``escalate`` rules ``on: at_risk`` once per (task, rule)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.core import DefinitionInvalid, load_definition
from engine.core import events as ev
from engine.core.commands import MarkAtRisk
from engine.core.messages import messages_for
from engine.core.timers import SYSTEM, pending_timers
from tests.engine.test_timers import ORG, TimedRun

RISKY = """
key: timed
title: Timed
start: first
nodes:
  first:
    approvers: {user: cao.li}
    sla: 1d
    escalate:
      - {on: at_risk, notify: manager}
      - {after: 1d, notify: {role: finance}}
      - {on: at_risk, reassign: manager, reason: Likely late; the manager takes it}
    on: {approve: approved, reject: rejected}
  approved: {final: approved}
  rejected: {final: rejected}
"""


def risky() -> TimedRun:
    run = TimedRun(RISKY)
    run.start("li.na", {})
    return run


def test_at_risk_is_an_event_once_per_subject_with_who_is_told() -> None:
    run = risky()
    limit = run.now + timedelta(days=3)
    new = run.do(MarkAtRisk(reason="deadline", expected=limit + timedelta(days=1),
                            limit=limit, chance=0.7, notify=("chen.jing",)))
    marked = new[0]
    assert isinstance(marked, ev.RequestAtRisk) and marked.actor == SYSTEM
    assert marked.recipients == ("li.na", "cao.li", "chen.jing")  # requester, holder, owner
    assert marked.node == "first" and marked.chance == 0.7 and run.s.at_risk == ("deadline",)
    kind, payload = ev.to_record(marked)
    assert kind == "at_risk" and payload[ev.VERSION_KEY] == 1
    assert ev.from_record(kind, payload, marked.instance_id, marked.at) == marked
    told = messages_for(run.defn, new, len(run.events) - len(new) + 1, run.s)
    assert {m.recipient for m in told if m.kind == "at_risk"} == {"li.na", "cao.li",
                                                                  "chen.jing"}
    # found again (another worker, the next refresh): nothing more
    assert run.do(MarkAtRisk(reason="deadline", expected=limit, limit=limit)) == []


def test_escalations_on_at_risk_fire_once_per_task_and_rule_never_on_the_clock() -> None:
    run = risky()
    task = run.s.tasks[0]
    keys = {t.key for t in pending_timers(run.defn, run.s, None)}
    assert keys == {"escalate.1"}  # the at_risk rules are not timers
    limit = run.now + timedelta(days=3)
    new = run.do(MarkAtRisk(reason="sla", task_id=task.task_id, expected=limit, limit=limit))
    escalated = [e for e in new if isinstance(e, ev.TaskEscalated)]
    assert [(e.timer, e.action) for e in escalated] == [("escalate.0", "notify"),
                                                        ("escalate.2", "reassign")]
    manager = ORG.manager_of("cao.li")
    assert escalated[0].recipients == (manager,)
    assert escalated[1].reason == "Likely late; the manager takes it"
    assert run.s.task(task.task_id).assignee == manager  # type: ignore[union-attr]
    # the request's deadline found at risk later: the task's rules fired already
    again = run.do(MarkAtRisk(reason="deadline", expected=limit, limit=limit))
    assert [e.kind for e in again] == ["at_risk"]


def test_nothing_once_the_limit_passed_or_the_request_ended() -> None:
    run = risky()
    assert run.do(MarkAtRisk(reason="deadline", limit=run.now - timedelta(minutes=1))) == []
    run.act("cao.li")
    assert run.s.finished
    assert run.do(MarkAtRisk(reason="deadline", limit=run.now + timedelta(days=1))) == []


@pytest.mark.parametrize(("item", "message"), [
    ("{on: at_risk, after: 1d, notify: manager}",
     "an escalation 'on: at_risk' fires when the request is found at risk; it takes no "
     "'after'"),
    ("{notify: manager}", "an escalation needs 'after' (how long overdue), or 'on: at_risk'"),
    ("{on: late, notify: manager}", "'late' is not one of ['overdue', 'at_risk']"),
])
def test_bad_at_risk_rules_say_where_and_why(item: str, message: str) -> None:
    text = RISKY.replace("- {on: at_risk, notify: manager}", f"- {item}")
    with pytest.raises(DefinitionInvalid) as info:
        load_definition(text, "timed.yaml", ORG)
    found = [f"{e.line}:{e.column}: {e.message}" for e in info.value.errors]
    assert any(f.startswith("10:") and message in f for f in found), found


def test_on_at_risk_parses() -> None:
    defn = load_definition(RISKY, "timed.yaml", ORG)
    rules = defn.nodes["first"].escalate
    assert [(r.on, r.action, r.after) for r in rules] == [
        ("at_risk", "notify", timedelta(0)), ("overdue", "notify", timedelta(days=1)),
        ("at_risk", "reassign", timedelta(0))]
