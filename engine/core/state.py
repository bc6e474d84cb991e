"""Instance state as a fold over events: ``replay(events)`` = ``apply`` from the start.

The state is derived only from events, so the store can always rebuild it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from engine.core import events as ev

TaskStatus = Literal["pending", "waiting", "done", "cancelled"]
FINAL_STATUSES = frozenset({"approved", "rejected", "withdrawn", "cancelled"})


# No ``slots`` on the two state classes (unlike the rest of the core): a state made from
# another is one C-level ``__dict__`` copy, where slots needed a Python loop over every
# field; ``apply`` per event was half of the in-memory benchmark's time.
@dataclass(frozen=True)
class TaskState:
    task_id: UUID
    node: str
    visit: int
    assignee: str
    rule: str
    status: TaskStatus
    created_at: datetime
    due_at: datetime | None = None
    action: str | None = None
    decided_at: datetime | None = None  # when the task closed (decided or cancelled)
    added_by: str | None = None
    waits_for: UUID | None = None
    comment: str | None = None
    auto: str | None = None
    fired: tuple[str, ...] = ()  # timers fired (or skipped) for this task

    @property
    def open(self) -> bool:
        return self.status in ("pending", "waiting")


@dataclass(frozen=True)
class WaitState:
    """A service step's call and its wait for the system's callbacks (``events.
    ServiceCalled``). ``open`` until the step is done or left; ``answers`` are the ids of
    the callbacks applied (a repeat is never applied twice), ``fired`` its timers."""

    call_id: UUID
    node: str
    visit: int
    system: str
    called_at: datetime
    due_at: datetime | None = None
    open: bool = True
    answers: tuple[str, ...] = ()
    fired: tuple[str, ...] = ()
    status: str | None = None  # the latest answer's ``status`` field, when it has one


@dataclass(frozen=True)
class InstanceState:
    id: UUID
    definition_key: str
    definition_version: int
    title: str
    initiator: str
    data: Mapping[str, Any]
    started_at: datetime
    status: str = "running"
    outcome: str | None = None
    node: str | None = None  # current node (the final node once finished)
    visit: int = 0  # visit number of the current node
    entered_at: datetime | None = None  # when the current node was entered
    tasks: tuple[TaskState, ...] = ()
    finished_at: datetime | None = None
    seq: int = 0  # number of events applied
    resume_at: str | None = None  # where a returned instance resumes
    visits: Mapping[str, int] = field(default_factory=dict)  # node -> visits so far
    path: tuple[str, ...] = ()  # nodes entered, in order
    previous_approvers: tuple[str, ...] = ()  # who approved the last approval step
    cc: tuple[str, ...] = ()  # users notified so far
    updated_at: datetime | None = None
    at_risk: tuple[str, ...] = ()  # subjects found at risk: "deadline", "sla:<task id>"
    # while ``node`` is a fork: each running branch -> the step it is at, and the
    # branches that reached the join approved
    branches: Mapping[str, str] = field(default_factory=dict)
    joined: tuple[str, ...] = ()
    waits: tuple[WaitState, ...] = ()  # the calls of service steps, in order

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    def task(self, task_id: UUID) -> TaskState | None:
        return next((t for t in self.tasks if t.task_id == task_id), None)

    def wait(self, call_id: UUID) -> WaitState | None:
        return next((w for w in self.waits if w.call_id == call_id), None)


def pending_tasks(state: InstanceState) -> tuple[TaskState, ...]:
    """Tasks someone can act on now."""
    return tuple(t for t in state.tasks if t.status == "pending")


def open_tasks(state: InstanceState) -> tuple[TaskState, ...]:
    """Pending and waiting tasks of the current visit."""
    return tuple(t for t in state.tasks if t.open)


_new = object.__new__
_set = object.__setattr__


def _made(cls: type[Any], fields: dict[str, Any]) -> Any:
    """An instance of the frozen dataclass ``cls`` with exactly these field values, without
    ``__init__`` (neither state class has a ``__post_init__``)."""
    obj = _new(cls)
    _set(obj, "__dict__", fields)
    return obj


_NEW_TASK: dict[str, Any] = {f.name: f.default for f in dataclasses.fields(TaskState)}


def _replaced(t: TaskState, **changes: Any) -> TaskState:
    """``dataclasses.replace`` for a task, without its per-call field introspection and
    ``__init__``: replay calls this once per task event."""
    fields = t.__dict__.copy()
    fields.update(changes)
    made: TaskState = _made(TaskState, fields)
    return made


class WorkingState:
    """A mutable working copy of an ``InstanceState``: events are folded into it in place
    and ``freeze`` makes the frozen state once, so a replay of n events builds one state
    instead of 2n (``dataclasses.replace`` was a third of demo seeding). The fold is the
    one definition of what each event does; ``apply`` and ``replay`` both use it, and so
    does ``decide`` (through ``Flow``) while it emits a command's events.

    Its ``__dict__`` holds exactly the fields of ``InstanceState`` (``tasks`` as a list),
    so copying in and freezing out are plain dict copies."""

    id: UUID
    definition_key: str
    definition_version: int
    title: str
    initiator: str
    data: Mapping[str, Any]
    started_at: datetime
    status: str
    outcome: str | None
    node: str | None
    visit: int
    entered_at: datetime | None
    tasks: list[TaskState]
    finished_at: datetime | None
    seq: int
    resume_at: str | None
    visits: Mapping[str, int]
    path: tuple[str, ...]
    previous_approvers: tuple[str, ...]
    cc: tuple[str, ...]
    updated_at: datetime | None
    at_risk: tuple[str, ...]
    branches: Mapping[str, str]
    joined: tuple[str, ...]
    waits: tuple[WaitState, ...]

    def __init__(self, state: InstanceState) -> None:
        """A working copy of ``state``; ``state`` itself is never changed."""
        self.__dict__.update(state.__dict__)
        self.tasks = list(state.tasks)

    def freeze(self) -> InstanceState:
        fields = self.__dict__.copy()
        fields["tasks"] = tuple(self.tasks)
        made: InstanceState = _made(InstanceState, fields)
        return made

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    def task(self, task_id: UUID) -> TaskState | None:
        return next((t for t in self.tasks if t.task_id == task_id), None)

    def _task(self, task_id: UUID, **changes: Any) -> None:
        tasks = self.tasks  # in place: the list is this fold's own copy
        for i, t in enumerate(tasks):
            if t.task_id == task_id:
                tasks[i] = _replaced(t, **changes)

    def _created(self, e: ev.TaskCreated) -> None:
        if e.waits_for is not None:  # insert into the chain: older waiters wait on the new one
            tasks = self.tasks
            for i, t in enumerate(tasks):
                if t.open and t.waits_for == e.waits_for:
                    tasks[i] = _replaced(t, waits_for=e.task_id)
        fields = _NEW_TASK.copy()  # every field in TaskState's order, defaults included
        fields.update(task_id=e.task_id, node=e.node, visit=e.visit, assignee=e.assignee,
                      rule=e.rule, status="pending" if e.active else "waiting",
                      created_at=e.at, due_at=e.due_at, added_by=e.added_by,
                      waits_for=e.waits_for)
        self.tasks.append(_made(TaskState, fields))

    def _left(self, e: ev.NodeLeft) -> tuple[str, ...]:
        if e.outcome in ("notified", "answered", "timed_out"):
            return self.previous_approvers
        if e.outcome != "approved":
            return ()
        return tuple(dict.fromkeys(t.assignee for t in self.tasks if t.node == e.node
                                   and t.visit == e.visit and t.action == "approve"))

    def step(self, e: ev.Event) -> None:
        self.seq += 1
        self.updated_at = e.at
        how = _STEPS.get(type(e))
        if how is None:  # a subclass of an event, or an informational event (CommentAdded)
            how = next((f for cls, f in _STEPS.items() if isinstance(e, cls)), None)
        if how is not None:
            how(self, e)

    # one method per event kind, found by the event's type (``_STEPS``), not by trying
    # each kind in turn: replay and decide call ``step`` for every event
    def _entered(self, e: ev.NodeEntered) -> None:
        self.visits = {**self.visits, e.node: e.visit}
        self.path = (*self.path, e.node)
        if e.branch is not None:  # a step of a branch: the fork stays the current node
            self.branches = {**self.branches, e.branch: e.node}
            return
        self.node, self.visit, self.entered_at = e.node, e.visit, e.at
        self.status, self.resume_at = "running", None
        self.branches, self.joined = {}, ()

    def _activated(self, e: ev.TaskActivated) -> None:
        self._task(e.task_id, status="pending", due_at=e.due_at)

    def _deferred(self, e: ev.TaskDeferred) -> None:
        self._task(e.task_id, status="waiting", waits_for=e.waits_for)

    def _decided(self, e: ev.TaskDecided) -> None:
        self._task(e.task_id, status="done", action=e.action, decided_at=e.at,
                   comment=e.comment, auto=e.auto)

    def _cancelled_task(self, e: ev.TaskCancelled) -> None:
        self._task(e.task_id, status="cancelled", decided_at=e.at)

    def _delegated(self, e: ev.TaskDelegated) -> None:
        self._task(e.task_id, assignee=e.to_user)

    def _timer(self, e: ev.TimerFired) -> None:
        for t in self.tasks:
            if t.task_id == e.task_id:
                self._task(e.task_id, fired=(*t.fired, *e.skipped, e.timer))
                return

    def _wait(self, call_id: UUID, **changes: Any) -> None:
        self.waits = tuple(dataclasses.replace(w, **changes) if w.call_id == call_id else w
                           for w in self.waits)

    def _called(self, e: ev.ServiceCalled) -> None:
        self.waits = (*self.waits, WaitState(e.call_id, e.node, e.visit, e.system, e.at,
                                             e.due_at))

    def _answered(self, e: ev.ServiceAnswered) -> None:
        self.data = {**self.data, **e.data}
        found = self.wait(e.call_id)
        if found is not None:
            status = e.data.get("status")
            self._wait(e.call_id, answers=(*found.answers, e.callback_id),
                       status=str(status) if status is not None else found.status)

    def wait(self, call_id: UUID) -> WaitState | None:
        return next((w for w in self.waits if w.call_id == call_id), None)

    def _timed_out(self, e: ev.ServiceTimedOut) -> None:
        found = self.wait(e.task_id)
        if found is not None:
            self._wait(e.task_id, fired=(*found.fired, e.timer))
        if e.recipients:
            self.cc = tuple(dict.fromkeys((*self.cc, *e.recipients)))

    def _escalated(self, e: ev.TaskEscalated) -> None:
        """An escalation that tells people copies the request to them (they may open it)."""
        self._timer(e)
        if e.action == "notify" and e.recipients:
            self.cc = tuple(dict.fromkeys((*self.cc, *e.recipients)))

    def _at_risk(self, e: ev.RequestAtRisk) -> None:
        self.at_risk = (*self.at_risk, e.subject)
        self.cc = tuple(dict.fromkeys((*self.cc, *e.recipients)))

    def _reassigned(self, e: ev.TaskReassigned) -> None:
        self._task(e.task_id, assignee=e.to_user)

    def _notified(self, e: ev.Notified) -> None:
        self.cc = tuple(dict.fromkeys((*self.cc, *e.recipients)))

    def _node_left(self, e: ev.NodeLeft) -> None:
        if any(w.open and w.node == e.node for w in self.waits):  # a service step's wait ends
            self.waits = tuple(dataclasses.replace(w, open=False) if w.node == e.node else w
                               for w in self.waits)
        if e.branch is not None:  # approvers in one branch do not carry over to another
            self.branches = {b: n for b, n in self.branches.items() if b != e.branch}
            if e.next_node is not None and e.next_node == self.node \
                    and e.outcome in ("approved", "notified", "answered"):
                self.joined = (*self.joined, e.branch)
            return
        self.previous_approvers = self._left(e)
        self.node, self.entered_at = None, None
        self.branches, self.joined = {}, ()

    def _returned(self, e: ev.InstanceReturned) -> None:
        self.status, self.resume_at = "returned", e.resume_at

    def _resubmitted(self, e: ev.InstanceResubmitted) -> None:
        self.status, self.data = "running", dict(e.data)

    def _withdrawn(self, e: ev.InstanceWithdrawn) -> None:
        self.status = "withdrawn"

    def _cancelled(self, e: ev.InstanceCancelled) -> None:
        self.status = "cancelled"

    def _finished(self, e: ev.InstanceFinished) -> None:
        self.status, self.outcome, self.finished_at = e.outcome, e.outcome, e.at
        self.node, self.resume_at = e.node, None


_STEPS: dict[type[ev.Event], Callable[[WorkingState, Any], None]] = {
    ev.NodeEntered: WorkingState._entered,
    ev.TaskCreated: WorkingState._created,
    ev.TaskActivated: WorkingState._activated,
    ev.TaskDeferred: WorkingState._deferred,
    ev.TaskDecided: WorkingState._decided,
    ev.TaskCancelled: WorkingState._cancelled_task,
    ev.TaskDelegated: WorkingState._delegated,
    ev.ReminderSent: WorkingState._timer,
    ev.TaskEscalated: WorkingState._escalated,
    ev.TaskReassigned: WorkingState._reassigned,
    ev.RequestAtRisk: WorkingState._at_risk,
    ev.Notified: WorkingState._notified,
    ev.ServiceCalled: WorkingState._called,
    ev.ServiceAnswered: WorkingState._answered,
    ev.ServiceTimedOut: WorkingState._timed_out,
    ev.NodeLeft: WorkingState._node_left,
    ev.InstanceReturned: WorkingState._returned,
    ev.InstanceResubmitted: WorkingState._resubmitted,
    ev.InstanceWithdrawn: WorkingState._withdrawn,
    ev.InstanceCancelled: WorkingState._cancelled,
    ev.InstanceFinished: WorkingState._finished,
}  # CommentAdded and future informational events only count (seq, updated_at)


def _started(e: ev.InstanceStarted) -> InstanceState:
    return InstanceState(id=e.instance_id, definition_key=e.definition_key,
                         definition_version=e.definition_version, title=e.title,
                         initiator=e.initiator, data=dict(e.data), started_at=e.at, seq=1,
                         updated_at=e.at)


def apply_all(state: InstanceState | None, events: Iterable[ev.Event]) -> InstanceState | None:
    """The state after ``events`` (``state`` itself when there are none): ``apply`` in a
    loop, building one frozen state at the end."""
    fold: WorkingState | None = None
    for e in events:
        if isinstance(e, ev.InstanceStarted):
            state, fold = _started(e), None
            continue
        if fold is None:
            if state is None:
                raise ValueError(f"history must begin with instance_started, not {e.kind}")
            fold = WorkingState(state)
        fold.step(e)
    return fold.freeze() if fold is not None else state


def apply(state: InstanceState | None, e: ev.Event) -> InstanceState:
    """The state after ``e``; a plain, total function of (state, event)."""
    if state is not None and not isinstance(e, ev.InstanceStarted):
        fold = WorkingState(state)  # what apply_all does for one event, without its loop
        fold.step(e)
        return fold.freeze()
    after = apply_all(state, (e,))
    assert after is not None
    return after


def replay(events: Iterable[ev.Event]) -> InstanceState:
    state = apply_all(None, events)
    if state is None:
        raise ValueError("cannot replay an empty history")
    return state


__all__ = ["FINAL_STATUSES", "InstanceState", "TaskState", "TaskStatus", "WaitState",
           "WorkingState",
           "apply", "apply_all", "open_tasks", "pending_tasks", "replay"]
