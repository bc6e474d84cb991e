"""Timers: what is due at ``now`` and what firing one does. Pure functions of the
instance state, its definition, the org calendar and the clock.

Every pending task with a due time has the timers of its node (``remind`` and
``escalate``, see ``Reminder.offsets``), each named within the task by a key:
``remind.<i>`` (before / at), ``remind.<i>.<n>`` (the n-th repeat of an ``every``) and
``escalate.<i>``. A timer fires at most once per task: firing emits an event that
records its key in the task's ``fired`` list, and a decided, cancelled or waiting task
has no timers at all. ``FireTimer`` goes through ``decide`` like any command, so a
timer that is no longer pending (fired, or its task decided meanwhile) is a no-op and
one not due yet is refused.

When several repeats of one ``every`` reminder came due while nobody fired them (the
workers were down), firing one sends only the latest and records the others as
``skipped``: one reminder, with the lateness recorded (``at`` - ``scheduled_at``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from engine.core import events as ev
from engine.core import worktime
from engine.core.commands import FireTimer
from engine.core.definition import ApproverRule, Escalation, Node, ProcessDefinition, format_sla
from engine.core.directory import OrgDirectory
from engine.core.errors import TaskNotFound, TransitionNotAllowed
from engine.core.flow import Flow
from engine.core.state import InstanceState, TaskState, WaitState, WorkingState

SYSTEM = "system"  # the actor of every timer event and system decision


@dataclass(frozen=True, slots=True)
class Timer:
    instance_id: UUID
    task_id: UUID
    key: str
    at: datetime


def task_timers(instance_id: UUID, node: Node, task: TaskState,
                calendar: worktime.WorkingHours | None) -> list[Timer]:
    """The timers of a pending task not fired yet, in no particular order."""
    if task.status != "pending" or task.due_at is None:
        return []
    due, fired = task.due_at, set(task.fired)
    out: list[Timer] = []
    for i, reminder in enumerate(node.remind):
        for suffix, offset in reminder.offsets():
            key = f"remind.{i}{suffix}"
            if key not in fired:
                out.append(Timer(instance_id, task.task_id, key,
                                 worktime.add(calendar, node.clock, due, offset)))
    for i, esc in enumerate(node.escalate):
        key = f"escalate.{i}"
        if key not in fired and esc.on == "overdue":  # on: at_risk fires in engine.core.risk
            out.append(Timer(instance_id, task.task_id, key,
                             worktime.add(calendar, node.clock, due, esc.after)))
    return out


def pending_timers(defn: ProcessDefinition, state: InstanceState,
                   calendar: worktime.WorkingHours | None) -> list[Timer]:
    """Every timer of the instance that may still fire."""
    if state.status != "running" or state.node is None:
        return []
    out = [Timer(state.id, w.call_id, "timeout", w.due_at) for w in state.waits
           if w.open and w.due_at is not None and "timeout" not in w.fired]
    for task in state.tasks:  # per task, at the task's own node (a step of a branch too)
        node = defn.nodes.get(task.node)
        if task.open and node is not None and (node.remind or node.escalate):
            out += task_timers(state.id, node, task, calendar)
    return out


def due_timers(defn: ProcessDefinition, state: InstanceState, now: datetime,
               calendar: worktime.WorkingHours | None) -> list[Timer]:
    """The pending timers due at ``now``, earliest first."""
    return sorted((t for t in pending_timers(defn, state, calendar) if t.at <= now),
                  key=lambda t: (t.at, t.key))


def fire(flow: Flow, cmd: FireTimer) -> None:
    """Emit what firing ``cmd.timer`` of ``cmd.task_id`` does (nothing if it is no longer
    pending); TransitionNotAllowed if it is not due yet."""
    s = flow.state
    task = s.task(cmd.task_id)
    if task is None and (wait := s.wait(cmd.task_id)) is not None:
        _wait_timeout(flow, wait, cmd.timer)
        return
    if task is None:
        raise TaskNotFound(cmd.task_id)
    if s.status != "running" or s.node is None or task.status != "pending":
        return
    node = flow.defn.nodes[task.node]
    timers = {t.key: t for t in task_timers(s.id, node, task, flow.calendar)}
    timer = timers.get(cmd.timer)
    if timer is None:
        return
    if timer.at > flow.now:
        raise TransitionNotAllowed(node.id, "fire", f"timer {cmd.timer} is due at "
                                                    f"{timer.at.isoformat()}")
    if timer.key.startswith("remind."):
        _remind(flow, task, timer, timers)
    else:
        _escalate(flow, node, task, timer, node.escalate[int(timer.key.split(".")[1])])


def _wait_timeout(flow: Flow, wait: WaitState, key: str) -> None:
    """The timeout of a service step's wait (``engine.core.services``): a no-op when the
    wait ended or the timer fired already."""
    from engine.core.services import TIMEOUT, time_out

    s = flow.state
    if key != TIMEOUT or not wait.open or wait.due_at is None or TIMEOUT in wait.fired \
            or s.status != "running":
        return
    if wait.due_at > flow.now:
        raise TransitionNotAllowed(wait.node, "fire", f"timer {key} is due at "
                                                      f"{wait.due_at.isoformat()}")
    time_out(flow, wait, wait.due_at)


def _remind(flow: Flow, task: TaskState, timer: Timer, timers: dict[str, Timer]) -> None:
    parts = timer.key.split(".")
    skipped: tuple[str, ...] = ()
    if len(parts) == 3:  # a repeat: send the latest one due, skip the others due
        prefix = ".".join(parts[:2]) + "."
        due = sorted((t for t in timers.values() if t.key.startswith(prefix)
                      and t.at <= flow.now), key=lambda t: t.at)
        timer = due[-1]
        skipped = tuple(t.key for t in due[:-1])
    flow.emit(_reminder_sent(timer, task.node, task.assignee, flow.now, skipped))


def _reminder_sent(timer: Timer, node: str, holder: str, now: datetime,
                   skipped: tuple[str, ...] = ()) -> ev.ReminderSent:
    return ev.ReminderSent(instance_id=timer.instance_id, at=now, task_id=timer.task_id,
                           node=node, timer=timer.key, scheduled_at=timer.at,
                           skipped=skipped, recipients=(holder,))


def plain_reminder(defn: ProcessDefinition, instance_id: UUID, task_id: UUID, node: str,
                   holder: str, due_at: datetime, key: str, now: datetime,
                   calendar: worktime.WorkingHours | None) -> ev.ReminderSent | None:
    """What firing ``key`` of a pending task (of ``node``, held by ``holder``, due at
    ``due_at``) does at ``now`` when ``key`` is a reminder that does not repeat and has
    not fired: the event ``fire`` emits then, for a caller that knows that much without
    the history (the worker's timer row, deleted with the firing or the task's close,
    proves the last two). None when ``key`` is anything else, or not due at ``now``."""
    n = defn.nodes.get(node)
    kind, _, index = key.partition(".")
    if n is None or kind != "remind" or not index.isdigit() or int(index) >= len(n.remind):
        return None
    offset = dict(n.remind[int(index)].offsets()).get("")
    if offset is None:  # an ``every``: its keys have a repeat number
        return None
    timer = Timer(instance_id, task_id, key, worktime.add(calendar, n.clock, due_at, offset))
    return _reminder_sent(timer, node, holder, now) if timer.at <= now else None


def resolve_target(rule: ApproverRule | None, holder: str,
                   directory: OrgDirectory) -> tuple[str, ...]:
    """Who an escalation target names: the holder's manager, a role's users, a user."""
    if rule is None:
        return ()
    if rule.kind == "manager_of":
        manager = directory.manager_of(holder)
        return (manager,) if manager else ()
    if rule.kind == "role":
        return tuple(sorted(directory.users_with_role(rule.value)))
    return (rule.value,) if rule.value in directory.users else ()


def _escalate(flow: Flow, node: Node, task: TaskState, timer: Timer, esc: Escalation) -> None:
    s = flow.state
    reason = esc.reason or (f"not decided {format_sla(esc.after)} after the due time"
                            if esc.on == "overdue" else "at risk of missing its deadline")

    def escalated(action: str, recipients: tuple[str, ...], why: str) -> None:
        flow.emit(ev.TaskEscalated(instance_id=s.id, at=flow.now, task_id=task.task_id,
                                   node=node.id, timer=timer.key, scheduled_at=timer.at,
                                   action=action, recipients=recipients, reason=why))

    if esc.action == "notify":
        escalated("notify", resolve_target(esc.target, task.assignee, flow.directory), reason)
    elif esc.action == "reassign":
        to = next(_free(flow.state, resolve_target(esc.target, task.assignee,
                                                   flow.directory)), None)
        if to is None:
            escalated("reassign", (), f"{reason}; nobody to reassign it to")
            return
        escalated("reassign", (to,), reason)
        flow.emit(ev.TaskReassigned(instance_id=s.id, at=flow.now, task_id=task.task_id,
                                    node=node.id, actor=SYSTEM, from_user=task.assignee,
                                    to_user=to, reason=reason))
    else:
        decision = esc.decision or "approve"
        escalated(f"auto_{decision}", (), reason)
        current = flow.state.task(task.task_id)
        assert current is not None
        target = flow.record(current, decision, SYSTEM, reason, None, auto="escalation")
        flow.go(target if target is not None else flow.settle())


def _free(state: WorkingState, users: tuple[str, ...]) -> Iterator[str]:
    """Users who hold no open task in the current visit."""
    busy = {t.assignee for t in state.tasks if t.open}
    return (u for u in users if u not in busy)


def escalate_now(flow: Flow, node: Node, task: TaskState, key: str, esc: Escalation) -> None:
    """Fire escalation ``key`` of ``task`` at ``flow.now`` (an ``on: at_risk`` rule)."""
    _escalate(flow, node, task, Timer(flow.state.id, task.task_id, key, flow.now), esc)


__all__ = ["SYSTEM", "Timer", "due_timers", "escalate_now", "fire", "pending_timers",
           "plain_reminder", "resolve_target", "task_timers"]
