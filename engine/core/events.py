"""Events: what happened to an instance, in past tense. The core emits them, never writes them.

Every event carries the instance it belongs to and the time it happened (``at``, always
timezone-aware). ``to_record`` / ``from_record`` turn an event into ``(kind, payload)``
with a JSON-safe payload and back; the store keeps exactly that, so the names and
fields here are the contract between engine, store and analytics. The log is permanent:
each payload carries its event's schema ``version``, and upcasters registered per
(kind, version) lift old payloads when they are read (see ``upcaster``).

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
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import UnionType
from typing import Any, ClassVar, Literal, Union
from uuid import UUID

Action = Literal["approve", "reject", "return"]
VisitOutcome = Literal["approved", "rejected", "returned", "notified", "withdrawn", "cancelled",
                       "answered", "timed_out"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    kind: ClassVar[str] = "event"
    version: ClassVar[int] = 1  # of the payload's shape; see ``upcaster``
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
    branch: str | None = None  # the branch of a fork this step is in (None: the main path)


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
class AttachmentAdded(Event):
    """A file attached to the request (on its own, with a comment, or in the form field
    ``field``); ``replaces`` names the attachment it is a new version of. The bytes live
    in the attachment store; this event and the ``attachment`` row name them."""

    kind: ClassVar[str] = "attachment_added"
    actor: str
    attachment_id: UUID
    name: str
    size: int
    content_type: str
    sha256: str
    replaces: UUID | None = None
    field: str | None = None
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
    branch: str | None = None  # set for a step of a branch; next_node = the fork: joined


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


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestAtRisk(Event):
    """The forecast found the request at risk before it happened (``engine.forecast``,
    docs/prediction.md): ``reason`` ``deadline`` (its chance of missing the deadline
    ``limit`` reached the threshold; ``expected`` is the predicted p80 finish) or ``sla``
    (the likely decision ``expected`` of task ``task_id`` passes its due time ``limit``).
    Appended by the system (``actor``) once per (request or task, reason); ``recipients``
    were told (the requester, the holders and the process owner). Version 1 of the
    payload (a new kind: no upcaster; a later change follows ``upcaster``)."""

    kind: ClassVar[str] = "at_risk"
    reason: str
    actor: str = "system"
    node: str | None = None
    task_id: UUID | None = None
    expected: datetime | None = None
    limit: datetime | None = None
    chance: float | None = None
    recipients: tuple[str, ...] = ()

    @property
    def subject(self) -> str:
        """What is at risk, as ``InstanceState.at_risk`` records it."""
        return "deadline" if self.task_id is None else f"{self.reason}:{self.task_id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceCalled(Event):
    """A service step called its outside ``system``: the call (``request``, the data
    sent) is written to the outbox with this event and sent by the worker, with retries;
    ``call_id`` names the call (its idempotency id, and the timer of its timeout);
    ``due_at`` is when the wait times out (None: never)."""

    kind: ClassVar[str] = "service_called"
    node: str
    visit: int
    call_id: UUID
    system: str
    request: dict[str, Any]
    due_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceAnswered(Event):
    """The system called back: ``data`` (checked against the step's ``answer`` schema) is
    merged into the request's data; ``callback_id`` (the callback's own id) is never
    applied twice; ``done`` says whether the step is finished (a ``NodeLeft`` follows)."""

    kind: ClassVar[str] = "service_answered"
    node: str
    call_id: UUID
    system: str
    callback_id: str
    data: dict[str, Any]
    done: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceTimedOut(TimerFired):
    """The wait of a service step timed out (``task_id`` is the call's id, ``timer`` is
    ``timeout``): ``action`` ``notify`` (``recipients`` told; the step keeps waiting) or
    ``route`` (the step is left for ``to``)."""

    kind: ClassVar[str] = "service_timed_out"
    system: str
    action: str
    recipients: tuple[str, ...] = ()
    to: str | None = None


EVENT_TYPES: dict[str, type[Event]] = {
    cls.kind: cls
    for cls in (
        InstanceStarted, NodeEntered, TaskCreated, TaskActivated, TaskDecided,
        TaskCancelled, TaskDelegated, CommentAdded, Notified, NodeLeft,
        InstanceReturned, InstanceResubmitted, InstanceWithdrawn, InstanceCancelled,
        InstanceFinished, TaskDeferred, ReminderSent, TaskEscalated, TaskReassigned,
        RequestAtRisk,
        AttachmentAdded, ServiceCalled, ServiceAnswered, ServiceTimedOut,
    )
}

# --- records: what the store keeps, and reading old ones -------------------------------
# Every record carries its event's schema version under ``VERSION_KEY`` (absent: 1).
# When an event changes shape, its class's ``version`` goes up by one and an upcaster
# registered for (kind, old version) lifts the old payloads on read; a new field with a
# default needs no upcaster (old payloads simply lack it).

VERSION_KEY = "_v"
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def upcaster(kind: str, version: int) -> Callable[[Upcaster], Upcaster]:
    """Register ``fn`` to turn a ``kind`` payload of ``version`` into ``version + 1``."""
    def register(fn: Upcaster) -> Upcaster:
        UPCASTERS[kind, version] = fn
        return fn
    return register


def _converter(hint: Any) -> Callable[[Any], Any] | None:
    """How to turn a JSON value back into a field of type ``hint`` (None: as it is)."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    base = args[0] if hint is not None and typing.get_origin(hint) in (Union, UnionType) \
        and len(args) == 1 else hint
    if base is UUID:
        return UUID
    if base is datetime:
        return datetime.fromisoformat
    if typing.get_origin(base) is tuple:
        return tuple
    return None


_Fields = tuple[tuple[str, Callable[[Any], Any] | None], ...]
_decoders: dict[type[Event], _Fields] = {}


def _fields_of(cls: type[Event]) -> _Fields:
    """Each payload field of ``cls`` with its converter, read from the annotations once."""
    found = _decoders.get(cls)
    if found is None:
        hints = typing.get_type_hints(cls)
        found = tuple((f.name, _converter(hints[f.name])) for f in dataclasses.fields(cls)
                      if f.name not in ("instance_id", "at"))
        _decoders[cls] = found
    return found


def to_record(event: Event) -> tuple[str, dict[str, Any]]:
    """``(kind, payload)``; the payload is JSON-safe, omits ``instance_id`` and ``at``, and
    carries the event's schema version."""
    payload: dict[str, Any] = {}
    for name, _ in _fields_of(type(event)):
        value = getattr(event, name)
        if isinstance(value, UUID):
            value = str(value)
        elif isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        payload[name] = value
    payload[VERSION_KEY] = event.version
    return event.kind, payload


def from_record(kind: str, payload: dict[str, Any], instance_id: UUID, at: datetime) -> Event:
    """The event a record stands for, upcast from the version it was written with."""
    cls = EVENT_TYPES[kind]
    version = payload.get(VERSION_KEY, 1)
    while version < cls.version:
        payload = UPCASTERS[kind, version](dict(payload))
        version += 1
    kwargs: dict[str, Any] = {}
    for name, convert in _fields_of(cls):
        if name in payload:
            value = payload[name]
            kwargs[name] = convert(value) if convert is not None and value is not None \
                else value
    return cls(instance_id=instance_id, at=at, **kwargs)


__all__ = [
    "EVENT_TYPES", "UPCASTERS", "VERSION_KEY", "Action", "AttachmentAdded", "CommentAdded", "Event",
    "InstanceCancelled", "InstanceFinished", "InstanceResubmitted", "InstanceReturned",
    "InstanceStarted", "InstanceWithdrawn", "NodeEntered", "NodeLeft", "Notified",
    "ReminderSent", "RequestAtRisk", "ServiceAnswered", "ServiceCalled", "ServiceTimedOut",
    "TaskActivated", "TaskCancelled", "TaskCreated", "TaskDecided",
    "TaskDeferred", "TaskDelegated", "TaskEscalated", "TaskReassigned", "TimerFired",
    "Upcaster", "VisitOutcome", "from_record", "to_record", "upcaster",
]
