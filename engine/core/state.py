"""Instance state as a fold over events: ``replay(events)`` = ``apply`` from the start.

The state is derived only from events, so the store can always rebuild it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from engine.core import events as ev

TaskStatus = Literal["pending", "waiting", "done", "cancelled"]
FINAL_STATUSES = frozenset({"approved", "rejected", "withdrawn", "cancelled"})


@dataclass(frozen=True, slots=True)
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

    @property
    def open(self) -> bool:
        return self.status in ("pending", "waiting")


@dataclass(frozen=True, slots=True)
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

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    def task(self, task_id: UUID) -> TaskState | None:
        return next((t for t in self.tasks if t.task_id == task_id), None)


def pending_tasks(state: InstanceState) -> tuple[TaskState, ...]:
    """Tasks someone can act on now."""
    return tuple(t for t in state.tasks if t.status == "pending")


def open_tasks(state: InstanceState) -> tuple[TaskState, ...]:
    """Pending and waiting tasks of the current visit."""
    return tuple(t for t in state.tasks if t.open)


def _task(state: InstanceState, task_id: UUID, **changes: Any) -> tuple[TaskState, ...]:
    return tuple(dataclasses.replace(t, **changes) if t.task_id == task_id else t
                 for t in state.tasks)


def _created(state: InstanceState, e: ev.TaskCreated) -> tuple[TaskState, ...]:
    new = TaskState(task_id=e.task_id, node=e.node, visit=e.visit, assignee=e.assignee,
                    rule=e.rule, status="pending" if e.active else "waiting", created_at=e.at,
                    due_at=e.due_at, added_by=e.added_by, waits_for=e.waits_for)
    tasks = state.tasks
    if e.waits_for is not None:  # insert into the chain: older waiters now wait on the new one
        tasks = tuple(dataclasses.replace(t, waits_for=e.task_id)
                      if t.open and t.waits_for == e.waits_for else t for t in tasks)
    return (*tasks, new)


def _left(state: InstanceState, e: ev.NodeLeft) -> tuple[str, ...]:
    if e.outcome == "notified":
        return state.previous_approvers
    if e.outcome != "approved":
        return ()
    return tuple(dict.fromkeys(t.assignee for t in state.tasks if t.node == e.node
                               and t.visit == e.visit and t.action == "approve"))


def apply(state: InstanceState | None, e: ev.Event) -> InstanceState:
    """The state after ``e``; a plain, total function of (state, event)."""
    if isinstance(e, ev.InstanceStarted):
        return InstanceState(id=e.instance_id, definition_key=e.definition_key,
                             definition_version=e.definition_version, title=e.title,
                             initiator=e.initiator, data=dict(e.data), started_at=e.at, seq=1,
                             updated_at=e.at)
    if state is None:
        raise ValueError(f"history must begin with instance_started, not {e.kind}")
    s = dataclasses.replace(state, seq=state.seq + 1, updated_at=e.at)
    match e:
        case ev.NodeEntered():
            return dataclasses.replace(
                s, node=e.node, visit=e.visit, entered_at=e.at, status="running", resume_at=None,
                visits={**s.visits, e.node: e.visit}, path=(*s.path, e.node))
        case ev.TaskCreated():
            return dataclasses.replace(s, tasks=_created(s, e))
        case ev.TaskActivated():
            return dataclasses.replace(s, tasks=_task(s, e.task_id, status="pending",
                                                      due_at=e.due_at))
        case ev.TaskDeferred():
            return dataclasses.replace(s, tasks=_task(s, e.task_id, status="waiting",
                                                      waits_for=e.waits_for))
        case ev.TaskDecided():
            return dataclasses.replace(s, tasks=_task(
                s, e.task_id, status="done", action=e.action, decided_at=e.at,
                comment=e.comment, auto=e.auto))
        case ev.TaskCancelled():
            return dataclasses.replace(s, tasks=_task(s, e.task_id, status="cancelled",
                                                      decided_at=e.at))
        case ev.TaskDelegated():
            return dataclasses.replace(s, tasks=_task(s, e.task_id, assignee=e.to_user))
        case ev.Notified():
            return dataclasses.replace(s, cc=tuple(dict.fromkeys((*s.cc, *e.recipients))))
        case ev.NodeLeft():
            return dataclasses.replace(s, node=None, entered_at=None,
                                       previous_approvers=_left(s, e))
        case ev.InstanceReturned():
            return dataclasses.replace(s, status="returned", resume_at=e.resume_at)
        case ev.InstanceResubmitted():
            return dataclasses.replace(s, status="running", data=dict(e.data))
        case ev.InstanceWithdrawn():
            return dataclasses.replace(s, status="withdrawn")
        case ev.InstanceCancelled():
            return dataclasses.replace(s, status="cancelled")
        case ev.InstanceFinished():
            return dataclasses.replace(s, status=e.outcome, outcome=e.outcome, finished_at=e.at,
                                       node=e.node, resume_at=None)
    return s  # CommentAdded and future informational events only count


def replay(events: Iterable[ev.Event]) -> InstanceState:
    state: InstanceState | None = None
    for e in events:
        state = apply(state, e)
    if state is None:
        raise ValueError("cannot replay an empty history")
    return state


__all__ = ["FINAL_STATUSES", "InstanceState", "TaskState", "TaskStatus", "apply", "open_tasks",
           "pending_tasks", "replay"]
