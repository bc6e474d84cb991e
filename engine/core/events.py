"""Events: what happened to an instance, in past tense. The core emits them, never writes them.

Every event carries the instance it belongs to and the time it happened (``at``, always
timezone-aware). ``to_record`` / ``from_record`` turn an event into ``(kind, payload)``
with a JSON-safe payload and back; the store keeps exactly that, so the names and
fields here are the contract between engine, store and analytics.

Vocabulary:
- *node*: a step of the definition (approval, notify or final).
- *visit*: one stay of an instance in a node, numbered from 1 per node; a node entered
  again after a return is a new visit.
- *task*: one approver's piece of work inside a visit.
- *action*: ``approve`` | ``reject`` | ``return`` (what an approver decides).
- *outcome* of a visit (``NodeLeft.outcome``): ``approved`` | ``rejected`` | ``returned``
  | ``notified`` | ``withdrawn`` | ``cancelled``.
- *outcome* of an instance (``InstanceFinished.outcome``): the final node's outcome
  (``approved``, ``rejected``, ...), or ``withdrawn`` / ``cancelled``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

Action = Literal["approve", "reject", "return"]
VisitOutcome = Literal["approved", "rejected", "returned", "notified", "withdrawn", "cancelled"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    kind: ClassVar[str] = "event"
    instance_id: UUID
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class InstanceStarted(Event):
    kind: ClassVar[str] = "instance_started"
    definition_key: str
    definition_version: int
    initiator: str
    data: dict[str, Any]
    title: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeEntered(Event):
    kind: ClassVar[str] = "node_entered"
    node: str
    visit: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskCreated(Event):
    """A task assigned to one approver. ``active`` is False for later steps of a
    ``sequential`` node (created up front, activated in turn by ``TaskActivated``)."""

    kind: ClassVar[str] = "task_created"
    task_id: UUID
    node: str
    visit: int
    assignee: str
    rule: str  # how the assignee was resolved, e.g. "role:cfo", "manager_of:initiator"
    due_at: datetime | None = None
    active: bool = True
    added_by: str | None = None  # set when an approver added this signer
    # an inactive task becomes active when this task is approved (sequential steps, signers
    # added after someone); a new task waiting on W takes W's place before older waiters
    waits_for: UUID | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskActivated(Event):
    kind: ClassVar[str] = "task_activated"
    task_id: UUID
    node: str
    due_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskDeferred(Event):
    """A pending task goes back to waiting until ``waits_for`` is approved (its assignee
    added a signer *before* themselves)."""

    kind: ClassVar[str] = "task_deferred"
    task_id: UUID
    node: str
    waits_for: UUID


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskDecided(Event):
    """An approver's decision. ``auto`` names the policy when nobody clicked
    (``same_approver``, ``initiator_is_approver``, ...), else None."""

    kind: ClassVar[str] = "task_decided"
    task_id: UUID
    node: str
    actor: str
    action: Action
    comment: str | None = None
    auto: str | None = None
    return_to: str | None = None  # for ``return``: "initiator" or an earlier node


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskCancelled(Event):
    """A pending task closed without a decision (node resolved by others, withdraw...)."""

    kind: ClassVar[str] = "task_cancelled"
    task_id: UUID
    node: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskDelegated(Event):
    kind: ClassVar[str] = "task_delegated"
    task_id: UUID
    node: str
    actor: str
    from_user: str
    to_user: str
    comment: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CommentAdded(Event):
    kind: ClassVar[str] = "comment_added"
    actor: str
    text: str
    node: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Notified(Event):
    """A notify (CC) node copied the request to these users."""

    kind: ClassVar[str] = "notified"
    node: str
    recipients: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeLeft(Event):
    kind: ClassVar[str] = "node_left"
    node: str
    visit: int
    outcome: VisitOutcome
    decided_by: str | None = None
    next_node: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InstanceReturned(Event):
    """Sent back to the initiator for changes; ``resume_at`` is where resubmission lands."""

    kind: ClassVar[str] = "instance_returned"
    actor: str
    resume_at: str
    comment: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InstanceResubmitted(Event):
    kind: ClassVar[str] = "instance_resubmitted"
    actor: str
    data: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class InstanceWithdrawn(Event):
    kind: ClassVar[str] = "instance_withdrawn"
    actor: str
    comment: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InstanceCancelled(Event):
    kind: ClassVar[str] = "instance_cancelled"
    actor: str
    reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InstanceFinished(Event):
    kind: ClassVar[str] = "instance_finished"
    outcome: str
    node: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TimerFired(Event):
    """Base of the events a timer emits (``engine.core.timers``): ``timer`` names it
    within its task (``remind.0``, ``remind.2.3``, ``escalate.1``), ``scheduled_at`` is
    when it was due (``at - scheduled_at`` is how late it fired), ``skipped`` lists
    earlier repeats of the same reminder that came due meanwhile and are not sent."""

    kind: ClassVar[str] = "timer_fired"
    task_id: UUID
    node: str
    timer: str
    scheduled_at: datetime
    skipped: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ReminderSent(TimerFired):
    kind: ClassVar[str] = "reminder_sent"
    recipients: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskEscalated(TimerFired):
    """An escalation fired: ``action`` is ``notify`` (``recipients`` told), ``reassign``
    (a ``TaskReassigned`` follows) or ``auto_approve`` / ``auto_reject`` (a system
    ``TaskDecided`` follows). ``reason`` says why, for the timeline."""

    kind: ClassVar[str] = "task_escalated"
    action: str
    recipients: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskReassigned(Event):
    """The system moved a task to another holder (an escalation); ``from_user`` keeps
    it in their history through this event."""

    kind: ClassVar[str] = "task_reassigned"
    task_id: UUID
    node: str
    actor: str
    from_user: str
    to_user: str
    reason: str = ""


EVENT_TYPES: dict[str, type[Event]] = {
    cls.kind: cls
    for cls in (
        InstanceStarted, NodeEntered, TaskCreated, TaskActivated, TaskDecided,
        TaskCancelled, TaskDelegated, CommentAdded, Notified, NodeLeft,
        InstanceReturned, InstanceResubmitted, InstanceWithdrawn, InstanceCancelled,
        InstanceFinished, TaskDeferred, ReminderSent, TaskEscalated, TaskReassigned,
    )
}
_DATETIME_FIELDS = {"due_at", "scheduled_at"}
_UUID_FIELDS = {"task_id", "waits_for"}


def to_record(event: Event) -> tuple[str, dict[str, Any]]:
    """``(kind, payload)``; the payload is JSON-safe and omits ``instance_id`` and ``at``."""
    payload: dict[str, Any] = {}
    for f in dataclasses.fields(event):
        if f.name in ("instance_id", "at"):
            continue
        value = getattr(event, f.name)
        if isinstance(value, UUID):
            value = str(value)
        elif isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        payload[f.name] = value
    return event.kind, payload


def from_record(kind: str, payload: dict[str, Any], instance_id: UUID, at: datetime) -> Event:
    cls = EVENT_TYPES[kind]
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in payload:
            continue
        value = payload[f.name]
        if value is not None and f.name in _UUID_FIELDS:
            value = UUID(value)
        elif value is not None and f.name in _DATETIME_FIELDS:
            value = datetime.fromisoformat(value)
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[f.name] = value
    return cls(instance_id=instance_id, at=at, **kwargs)


__all__ = [
    "EVENT_TYPES", "Action", "CommentAdded", "Event", "InstanceCancelled", "InstanceFinished",
    "InstanceResubmitted", "InstanceReturned", "InstanceStarted", "InstanceWithdrawn",
    "NodeEntered", "NodeLeft", "Notified", "ReminderSent", "TaskActivated", "TaskCancelled",
    "TaskCreated", "TaskDecided", "TaskDeferred", "TaskDelegated", "TaskEscalated",
    "TaskReassigned", "TimerFired", "VisitOutcome", "from_record", "to_record",
]
