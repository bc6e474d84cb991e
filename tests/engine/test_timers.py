"""Timers in the core: the YAML options, what is due when, what firing does, and a
property test interleaving random commands with random clock jumps on every example."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.analytics.calendar import WorkingCalendar
from engine.core import EngineError, TransitionNotAllowed, load_definition, replay
from engine.core import events as ev
from engine.core.commands import FireTimer
from engine.core.decide import decide
from engine.core.timers import SYSTEM, due_timers, pending_timers
from engine.core.worktime import add
from tests.engine.helpers import DATA, EXAMPLES, INITIATOR, T0, Run, definition, directory
from tests.engine.test_properties import INITIATORS, VARIANTS, _command, check_invariants

ORG = directory()
CAL = WorkingCalendar()  # China: Mon-Fri 09:00-18:00 Asia/Shanghai, holidays and make-up days

TIMED = """
key: timed
title: Timed
defaults:
  sla: 1d
  remind: [{before: 4h}, {at: due}, {every: 1d, after: due, max: 3}]
  escalate: [{after: 1d, notify: manager}]
start: first
nodes:
  first:
    approvers: {user: cao.li}
    on: {approve: second, reject: rejected}
  second:
    approvers: {user: yang.xue}
    sla: 2h
    clock: working
    remind: []
    escalate:
      - {after: 1h, notify: {role: finance}}
      - {after: 2h, reassign: manager}
      - {after: 4h, auto: reject, reason: Nobody looked at it}
    on: {approve: approved, reject: rejected}
  approved: {final: approved}
  rejected: {final: rejected}
"""


class TimedRun(Run):
    def __init__(self, text: str = TIMED, calendar: Any = None) -> None:
        super().__init__(load_definition(text, "timed.yaml", ORG), ORG)
        self.calendar = calendar

    def do(self, cmd: Any, *, after: timedelta = timedelta(0)) -> list[ev.Event]:
        self.now += after
        new = decide(self.defn, self.state, cmd, self.now, self.org, self.ids,
                     calendar=self.calendar)
        self.events += new
        self.state = replay(self.events)
        return new

    def fire_due(self) -> list[ev.Event]:
        out: list[ev.Event] = []
        for timer in due_timers(self.defn, self.s, self.now, self.calendar):
            out += self.do(FireTimer(task_id=timer.task_id, timer=timer.key))
        return out


def test_every_option_parses_with_defaults_and_overrides() -> None:
    defn = load_definition(TIMED, "timed.yaml", ORG)
    first, second = defn.nodes["first"], defn.nodes["second"]
    assert first.sla == timedelta(days=1) and first.clock == "wall"
    assert [r.kind for r in first.remind] == ["before", "at", "every"]
    assert first.remind[2].max == 3 and first.escalate[0].target is not None
    assert second.clock == "working" and second.remind == ()
    assert [e.action for e in second.escalate] == ["notify", "reassign", "auto"]
    assert second.escalate[2].decision == "reject"
    assert defn.nodes["approved"].remind == ()


def test_reminders_fire_once_each_at_their_time() -> None:
    run = TimedRun()
    run.start("li.na", {})
    task = run.s.tasks[0]
    assert task.due_at == T0 + timedelta(days=1)
    assert run.fire_due() == []
    run.now = T0 + timedelta(hours=20)
    fired = run.fire_due()
    assert [(e.kind, getattr(e, "timer", "")) for e in fired] == [("reminder_sent", "remind.0")]
    assert run.fire_due() == []  # at most once
    run.now = T0 + timedelta(days=2, hours=1)  # due, +1d repeat and the escalation are due
    fired = run.fire_due()
    kinds = sorted(getattr(e, "timer", "") for e in fired)
    assert kinds == ["escalate.0", "remind.1", "remind.2.1"]
    esc = next(e for e in fired if isinstance(e, ev.TaskEscalated))
    assert esc.recipients == (ORG.manager_of("cao.li"),) and esc.action == "notify"
    assert esc.at - esc.scheduled_at == timedelta(hours=1)  # lateness is recorded


def test_repeats_missed_while_down_send_one_reminder() -> None:
    run = TimedRun()
    run.start("li.na", {})
    run.now = T0 + timedelta(days=4, hours=2)  # due+1d, +2d, +3d all passed
    fired = [e for e in run.fire_due() if isinstance(e, ev.ReminderSent)]
    repeats = [e for e in fired if e.timer.startswith("remind.2")]
    assert len(repeats) == 1 and repeats[0].timer == "remind.2.3"
    assert repeats[0].skipped == ("remind.2.1", "remind.2.2")
    assert pending_timers(run.defn, run.s, None) == []


def test_no_timer_for_a_decided_task_and_firing_it_is_a_no_op() -> None:
    run = TimedRun()
    run.start("li.na", {})
    task = run.s.tasks[0]
    run.act("cao.li", "reject", comment="receipts missing")
    run.now = T0 + timedelta(days=5)
    assert pending_timers(run.defn, run.s, None) == []
    assert run.do(FireTimer(task_id=task.task_id, timer="remind.1")) == []


def test_a_timer_not_due_yet_is_refused() -> None:
    run = TimedRun()
    run.start("li.na", {})
    with pytest.raises(TransitionNotAllowed):
        run.do(FireTimer(task_id=run.s.tasks[0].task_id, timer="remind.1"))


def test_escalations_notify_reassign_and_decide_on_working_time() -> None:
    run = TimedRun(calendar=CAL)
    run.now = dt.datetime(2026, 3, 6, 9, 0, tzinfo=dt.UTC)  # Friday 17:00 in Shanghai
    run.start("li.na", {})
    run.act("cao.li")  # into ``second``: 2 working hours, so due Monday 10:00 local
    task = run.s.tasks[-1]
    assert task.due_at == dt.datetime(2026, 3, 9, 2, 0, tzinfo=dt.UTC)
    run.now = dt.datetime(2026, 3, 8, 23, 0, tzinfo=dt.UTC)  # Sunday: nothing yet
    assert run.fire_due() == []
    run.now = dt.datetime(2026, 3, 9, 3, 0, tzinfo=dt.UTC)  # Monday 11:00: +1h
    notify = run.fire_due()
    assert isinstance(notify[0], ev.TaskEscalated) and notify[0].action == "notify"
    assert set(notify[0].recipients) == set(ORG.users_with_role("finance"))
    run.now = dt.datetime(2026, 3, 9, 4, 0, tzinfo=dt.UTC)  # +2h: to the holder's manager
    moved = run.fire_due()
    assert [e.kind for e in moved] == ["task_escalated", "task_reassigned"]
    manager = ORG.manager_of("yang.xue")
    assert run.s.task(task.task_id).assignee == manager  # type: ignore[union-attr]
    run.now = dt.datetime(2026, 3, 9, 6, 0, tzinfo=dt.UTC)  # +4h: the system rejects
    ended = run.fire_due()
    decided = next(e for e in ended if isinstance(e, ev.TaskDecided))
    assert decided.actor == SYSTEM and decided.action == "reject"
    assert decided.auto == "escalation" and decided.comment == "Nobody looked at it"
    assert run.s.finished and run.s.outcome == "rejected"


def test_the_timeline_gives_an_escalation_reason_in_the_readers_language() -> None:
    """``reason_zh`` is what a reader of Chinese sees for the owner's ``reason``; a reason
    the system wrote itself comes from the catalogue; English readers see the YAML's."""
    from api.instance_view import timeline

    text = TIMED.replace("reason: Nobody looked at it",
                         "reason: Nobody looked at it, reason_zh: 无人处理")
    run = TimedRun(text, calendar=CAL)
    run.now = dt.datetime(2026, 3, 9, 1, 0, tzinfo=dt.UTC)  # Monday 09:00 in Shanghai
    run.start("li.na", {})
    run.act("cao.li")
    run.now += timedelta(days=2)
    run.fire_due()
    assert run.s.finished and run.s.outcome == "rejected"
    said = {(e.kind, e.action): e.comment for e in timeline(run.defn, run.events, zh=True)
            if e.actor == SYSTEM and e.comment}
    assert said[("task_decided", "reject")] == "无人处理"
    english = {(e.kind, e.action): e.comment for e in timeline(run.defn, run.events)
               if e.actor == SYSTEM and e.comment}
    assert english[("task_decided", "reject")] == "Nobody looked at it"


def test_working_time_skips_china_holidays_and_counts_make_up_days() -> None:
    # 2026-02-14 (Saturday) is a make-up working day before the Spring Festival holiday
    friday_5pm = dt.datetime(2026, 2, 13, 17, 0, tzinfo=CAL.tzinfo)
    assert add(CAL, "working", friday_5pm, timedelta(hours=2)) == \
        dt.datetime(2026, 2, 14, 10, 0, tzinfo=CAL.tzinfo)
    # back from a Monday morning over the weekend
    monday_10 = dt.datetime(2026, 3, 9, 10, 0, tzinfo=CAL.tzinfo)
    assert add(CAL, "working", monday_10, -timedelta(hours=2)) == \
        dt.datetime(2026, 3, 6, 17, 0, tzinfo=CAL.tzinfo)
    assert add(CAL, "working", monday_10, timedelta(days=1)) == \
        dt.datetime(2026, 3, 10, 10, 0, tzinfo=CAL.tzinfo)
    assert add(None, "working", monday_10, timedelta(days=1)) == monday_10 + timedelta(days=1)


def test_examples_declare_timers() -> None:
    for key in EXAMPLES:
        defn = definition(key)
        assert any(n.remind or n.escalate for n in defn.nodes.values()), key
    run = Run(definition("sample_order"), ORG)
    run.start(INITIATOR["sample_order"], DATA["sample_order"])
    assert pending_timers(run.defn, run.s, None)


def _fire_some(run: Run, data: st.DataObject, calendar: Any) -> None:
    for timer in due_timers(run.defn, run.s, run.now, calendar):
        if not data.draw(st.integers(0, 3)):
            continue  # a worker may be slow: the rest fire later
        before = replay(run.events)
        task = before.task(timer.task_id)
        new = decide(run.defn, before, FireTimer(task_id=timer.task_id, timer=timer.key),
                     run.now, run.org, run.ids, calendar=calendar)
        if new:  # a pending task's, or the timeout of a service step still waiting
            wait = before.wait(timer.task_id)
            assert (task is not None and task.status == "pending") or (
                wait is not None and wait.open)
        run.events += new
        run.state = replay(run.events)


def _timer_invariants(run: Run) -> None:
    seen: set[tuple[Any, str]] = set()
    status: dict[Any, str] = {}
    calls: dict[Any, str] = {}
    for e in run.events:
        if isinstance(e, ev.TaskCreated):
            status[e.task_id] = "pending" if e.active else "waiting"
        elif isinstance(e, ev.TaskActivated):
            status[e.task_id] = "pending"
        elif isinstance(e, ev.TaskDecided | ev.TaskCancelled):
            status[e.task_id] = "closed"
        elif isinstance(e, ev.ServiceCalled):  # its wait, until the step is left
            status[e.call_id], calls[e.call_id] = "pending", e.node
        elif isinstance(e, ev.NodeLeft):
            status.update({c: "closed" for c, node in calls.items() if node == e.node})
        elif isinstance(e, ev.TimerFired):
            assert status[e.task_id] == "pending", "a timer fired for a task not pending"
            for key in (*e.skipped, e.timer):
                assert (e.task_id, key) not in seen, "a timer fired twice"
                seen.add((e.task_id, key))
            assert e.scheduled_at <= e.at


@pytest.mark.parametrize("key", EXAMPLES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), working=st.booleans())
def test_random_commands_and_clock_jumps(key: str, data: st.DataObject, working: bool) -> None:
    calendar = CAL if working else None
    run = Run(definition(key), ORG)
    run.start(data.draw(st.sampled_from(INITIATORS[key])),
              data.draw(st.sampled_from(VARIANTS[key])))
    for _ in range(data.draw(st.integers(1, 25))):
        if run.s.finished:
            break
        run.now += timedelta(minutes=data.draw(st.sampled_from([1, 30, 240, 1440, 4320, 10080])))
        _fire_some(run, data, calendar)
        check_invariants(run)
        if run.s.finished:
            break
        try:
            run.do(_command(data, run), after=timedelta(0))
        except EngineError:
            continue
        check_invariants(run)
    _timer_invariants(run)
