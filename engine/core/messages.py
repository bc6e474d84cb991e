"""Who is told what when events happen: the messages of the transactional outbox.

``messages_for(defn, events, first_seq, after)`` is pure: the messages that the events
of one command cause, one per (event, kind, recipient). Each message's id is derived from
the instance, the event's ``seq`` and the recipient, so writing the same events twice can
never make two messages (and receivers can dedupe on it).

Kinds (the names ``engine.notify`` renders): ``task_assigned`` (a task is yours: created,
activated, delegated or reassigned to you), ``reminder``, ``escalated`` (you are told a
task is overdue), ``returned`` (your request came back to you, with the reason),
``approved``, ``rejected`` (your request ended so), ``now_with`` (your request is now with
X), ``copied`` (a notify node copied you), ``at_risk`` (the request, or a task of it, was
found at risk of missing its deadline or due time: to the requester, the holders and the
process owner). The payload uses ``engine.notify``'s data
keys: ``process``, ``step``, ``initiator``, ``actor``, ``reason``, ``request_title``,
``request_number``, ``holders``, ``due``, ``path``, plus ``instance_id`` and ``task_id``.
``path`` is the UI route to open: ``/tasks/<task_id>`` for the kinds about a task
(``task_assigned``, ``reminder``, ``escalated``), else ``/requests/<instance_id>``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid5

from engine.core import events as ev
from engine.core.definition import ProcessDefinition
from engine.core.state import InstanceState

KINDS = ("task_assigned", "reminder", "escalated", "returned", "approved", "rejected",
         "now_with", "copied", "at_risk")
_NAMESPACE = UUID("6b1c7f8e-3a52-4d35-9a57-2f0c5d0e1a11")


@dataclass(frozen=True, slots=True)
class Message:
    id: UUID
    kind: str
    recipient: str
    instance_id: UUID
    payload: dict[str, Any] = field(default_factory=dict)


def message_id(instance_id: UUID, seq: int, kind: str, recipient: str) -> UUID:
    return uuid5(_NAMESPACE, f"{instance_id}:{seq}:{kind}:{recipient}")


_Add = Callable[..., None]


def _base(defn: ProcessDefinition, instance_id: UUID, title: str, initiator: str,
          data: Mapping[str, Any]) -> dict[str, Any]:
    return {"instance_id": str(instance_id), "request_title": title,
            "request_title_zh": defn.title_for(data, zh=True),
            "request_number": str(instance_id)[:8], "definition_key": defn.key,
            "process": defn.title, "process_zh": defn.title_zh or defn.title,
            "initiator": initiator,
            "path": f"/requests/{instance_id}"}


def _adder(defn: ProcessDefinition, instance_id: UUID, base: dict[str, Any],
           out: list[Message]) -> _Add:
    """``add(seq, kind, recipients, event, **extra)``: a message per recipient into ``out``."""
    def add(seq: int, kind: str, recipients: Sequence[str], e: ev.Event,
            **extra: Any) -> None:
        node = getattr(e, "node", None)
        n = defn.nodes.get(node) if node else None
        payload = {**base, "at": e.at.isoformat(), "node": node,
                   "step": n.title if n else None,
                   "step_zh": (n.title_zh or n.title) if n else None, **extra}
        if extra.get("task_id") and "path" not in extra:  # a task's messages open the task
            payload["path"] = f"/tasks/{extra['task_id']}"
        for user in dict.fromkeys(recipients):
            if user and user != "system":
                out.append(Message(message_id(instance_id, seq, kind, user), kind, user,
                                   instance_id, payload))
    return add


def _reminder(add: _Add, seq: int, e: ev.ReminderSent, due: str | None) -> None:
    add(seq, "reminder", e.recipients, e, task_id=str(e.task_id), due=due, timer=e.timer)


def reminder_messages(defn: ProcessDefinition, instance_id: UUID, title: str, initiator: str,
                      data: Mapping[str, Any],
                      reminders: Iterable[tuple[int, ev.ReminderSent, str | None]]
                      ) -> list[Message]:
    """``messages_for`` of the ``reminders`` of one request, given as (seq, event, the
    task's due time as ISO text), when only the request's title, initiator and form data
    are known: the same messages."""
    out: list[Message] = []
    add = _adder(defn, instance_id, _base(defn, instance_id, title, initiator, data), out)
    for seq, e, due in reminders:
        _reminder(add, seq, e, due)
    return out


def messages_for(defn: ProcessDefinition, events: Sequence[ev.Event], first_seq: int,
                 after: InstanceState) -> list[Message]:
    """Messages caused by ``events`` (the first has ``seq`` ``first_seq``), given the
    instance state after them."""
    out: list[Message] = []
    add = _adder(defn, after.id, _base(defn, after.id, after.title, after.initiator,
                                       after.data), out)
    holders: dict[UUID, str] = {t.task_id: t.assignee for t in after.tasks}
    due_at: dict[UUID, str | None] = {t.task_id: t.due_at.isoformat() if t.due_at else None
                                      for t in after.tasks}
    rejected_because: dict[str, str | None] = {}  # the reject that ended the request
    for seq, e in enumerate(events, start=first_seq):
        match e:
            case ev.TaskDecided(action="reject"):
                rejected_because = {"actor": e.actor, "reason": e.comment}
            case ev.TaskCreated(active=True):
                add(seq, "task_assigned", [e.assignee], e, task_id=str(e.task_id),
                    due=due_at.get(e.task_id))
            case ev.TaskActivated():
                add(seq, "task_assigned", [holders.get(e.task_id, "")], e,
                    task_id=str(e.task_id), due=due_at.get(e.task_id))
            case ev.TaskDelegated():
                add(seq, "task_assigned", [e.to_user], e, task_id=str(e.task_id),
                    due=due_at.get(e.task_id), actor=e.actor, reason=e.comment)
            case ev.TaskReassigned():
                add(seq, "task_assigned", [e.to_user], e, task_id=str(e.task_id),
                    due=due_at.get(e.task_id), actor=e.actor, reason=e.reason)
            case ev.ReminderSent():
                _reminder(add, seq, e, due_at.get(e.task_id))
            case ev.TaskEscalated(action="notify"):
                add(seq, "escalated", e.recipients, e, task_id=str(e.task_id),
                    holders=[holders.get(e.task_id)], due=due_at.get(e.task_id),
                    reason=e.reason, timer=e.timer)
            case ev.ServiceTimedOut(action="notify"):
                add(seq, "escalated", e.recipients, e, path=f"/requests/{after.id}",
                    reason=f"no answer from {e.system} in time", timer=e.timer)
            case ev.InstanceReturned():
                add(seq, "returned", [after.initiator], e, actor=e.actor, reason=e.comment)
            case ev.InstanceFinished(outcome="approved"):
                add(seq, e.outcome, [after.initiator], e)
            case ev.InstanceFinished(outcome="rejected"):
                add(seq, e.outcome, [after.initiator], e, **rejected_because)
            case ev.Notified():
                add(seq, "copied", e.recipients, e)
            case ev.RequestAtRisk():
                add(seq, "at_risk", e.recipients, e, reason=e.reason,
                    task_id=str(e.task_id) if e.task_id else None,
                    path=f"/requests/{after.id}",
                    holders=sorted({t.assignee for t in after.tasks
                                    if t.status == "pending"}),
                    due=e.limit.isoformat() if e.limit else None,
                    expected=e.expected.isoformat() if e.expected else None)
    _moved(events, first_seq, after, defn, add)
    return out


def _moved(events: Sequence[ev.Event], first_seq: int, after: InstanceState,
           defn: ProcessDefinition, add: Any) -> None:
    """``now_with`` to the initiator when the request waits in a new approval step."""
    entered = [(seq, e) for seq, e in enumerate(events, start=first_seq)
               if isinstance(e, ev.NodeEntered)]
    if not entered or after.status != "running" or after.node is None:
        return
    seq, last = entered[-1]
    if last.node != after.node or defn.nodes[after.node].kind != "approval":
        return
    holders = sorted({t.assignee for t in after.tasks if t.status == "pending"
                      and t.node == after.node and t.visit == after.visit})
    if holders and holders != [after.initiator]:
        add(seq, "now_with", [after.initiator], last, holders=holders)


__all__ = ["KINDS", "Message", "message_id", "messages_for", "reminder_messages"]
