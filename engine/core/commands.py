"""Commands: what someone asks the engine to do, in the imperative.

``decide(defn, state, cmd, now, directory)`` turns one of these plus the current state
into events, or raises an ``EngineError`` and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from engine.core.events import Action


@dataclass(frozen=True, slots=True, kw_only=True)
class StartInstance:
    definition_key: str
    initiator: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class DecideTask:
    """approve / reject / return one task. ``return_to`` is "initiator" (default) or the
    id of an earlier node the instance already passed through."""

    task_id: UUID
    actor: str
    action: Action
    comment: str | None = None
    return_to: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DelegateTask:
    task_id: UUID
    actor: str
    to_user: str
    comment: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AddSigner:
    """The current approver adds ``user``: ``before`` (the new signer decides first, then
    the task comes back) or ``after`` (the new signer decides after this approver)."""

    task_id: UUID
    actor: str
    user: str
    position: Literal["before", "after"] = "after"
    comment: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Withdraw:
    actor: str
    comment: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Resubmit:
    actor: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class AddComment:
    actor: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AttachedFile:
    """One checked file, already in the attachment store under its ``sha256``."""

    attachment_id: UUID
    name: str
    size: int
    content_type: str
    sha256: str
    replaces: UUID | None = None
    field: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AddAttachments:
    """Attach ``files`` to a request, with an optional comment they belong to."""

    actor: str
    files: tuple[AttachedFile, ...]
    comment: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelInstance:
    actor: str
    reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FireTimer:
    """Fire timer ``timer`` (``remind.0``, ``escalate.1``, ...) of a task; the worker
    sends it when the timer is due (``engine.core.timers``)."""

    task_id: UUID
    timer: str
    actor: str = "system"


@dataclass(frozen=True, slots=True, kw_only=True)
class MarkAtRisk:
    """The forecast found the request (``reason`` ``deadline``) or its pending task
    ``task_id`` (``sla``) at risk: record it (``RequestAtRisk``), tell the requester, the
    holders and ``notify`` (the process owner), and fire the node's ``escalate`` rules
    ``on: at_risk`` (``engine.core.risk``). Once per subject: a second one is a no-op."""

    reason: Literal["deadline", "sla"]
    expected: datetime | None = None
    limit: datetime | None = None
    task_id: UUID | None = None
    chance: float | None = None
    notify: tuple[str, ...] = ()
    actor: str = "system"


@dataclass(frozen=True, slots=True, kw_only=True)
class HandOverTask:
    """The system moves an open task to another holder: the holder left the organisation
    (an org sync, ``engine.core.orgsync``); ``reason`` is shown in the timeline."""

    task_id: UUID
    to_user: str
    reason: str = ""
    actor: str = "system"


@dataclass(frozen=True, slots=True, kw_only=True)
class AnswerService:
    """The outside ``system`` calls back about call ``call_id`` of the service step
    ``node`` (``engine.core.services``): ``data`` is merged into the request; a callback
    whose ``callback_id`` was applied already changes nothing."""

    call_id: UUID
    system: str
    node: str
    callback_id: str
    data: dict[str, Any] = field(default_factory=dict)
    actor: str = "system"


Command = (StartInstance | DecideTask | DelegateTask | AddSigner | Withdraw | Resubmit
           | AddComment | CancelInstance | FireTimer | MarkAtRisk | AddAttachments
           | HandOverTask | AnswerService)

__all__ = ["AddAttachments", "AddComment", "AddSigner", "AnswerService", "AttachedFile",
           "CancelInstance", "Command", "DecideTask", "DelegateTask", "FireTimer", "HandOverTask",
           "MarkAtRisk", "Resubmit", "StartInstance", "Withdraw"]
