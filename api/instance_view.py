"""``InstanceOut``: where a request is, who holds it since when, and its timeline."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from api.i18n import request_title
from api.messages import to_zh
from api.schemas import (
    AttachmentOut,
    DecisionOut,
    FieldChangeOut,
    InstanceOut,
    InstanceSummaryOut,
    PredictedFinishOut,
    ServiceOut,
    ServiceUpdateOut,
    TimelineOut,
)
from api.views import node_title, state_tasks, visits_out
from engine.analytics.live import Forecast
from engine.core import events as ev
from engine.core.definition import ProcessDefinition
from engine.core.diagram import mermaid
from engine.core.directory import User
from engine.core.forms import field_changes
from engine.core.state import InstanceState
from engine.queries import RequestRow
from engine.store import Instance, NodeVisit


def _reason(defn: ProcessDefinition, reason: str | None, zh: bool) -> str | None:
    """A system reason (an escalation's) as a reader of Chinese reads it: the owner's
    ``reason_zh`` for a reason written in the YAML, else the catalogue's words."""
    if not zh or not reason:
        return reason
    return defn.reason_zh(reason) or to_zh(reason)


def _entry(e: ev.Event, defn: ProcessDefinition, **fields: Any) -> TimelineOut:
    node = fields.get("node")
    return TimelineOut(at=e.at, kind=e.kind, node_title=node_title(defn, node), **fields)


def timeline(defn: ProcessDefinition, events: Sequence[ev.Event], zh: bool = False
             ) -> list[TimelineOut]:
    """One entry per event, with ``duration_seconds`` where something ended: a task
    decided (since it became actionable), a node left (since entered), the instance
    finished (since started). ``zh``: the system's own words (why it escalated) in
    Chinese."""
    out: list[TimelineOut] = []
    entered: dict[tuple[str, int], datetime] = {}
    ready: dict[UUID, datetime] = {}
    assignee: dict[UUID, str] = {}
    started = events[0].at if events else None
    files = {a.id: a for a in attachments(events)}
    data: dict[str, Any] = {}

    def since(t: datetime | None, e: ev.Event) -> float | None:
        return (e.at - t).total_seconds() if t is not None else None

    for e in events:
        match e:
            case ev.InstanceStarted():
                data = dict(e.data)
                out.append(_entry(e, defn, actor=e.initiator))
            case ev.NodeEntered():
                entered[(e.node, e.visit)] = e.at
                out.append(_entry(e, defn, node=e.node))
            case ev.TaskCreated():
                assignee[e.task_id] = e.assignee
                if e.active:
                    ready[e.task_id] = e.at
                out.append(_entry(e, defn, node=e.node, actor=e.assignee))
            case ev.TaskActivated():
                ready[e.task_id] = e.at
                out.append(_entry(e, defn, node=e.node, actor=assignee.get(e.task_id)))
            case ev.TaskDecided():
                out.append(_entry(e, defn, node=e.node, actor=e.actor, action=e.action,
                                  comment=_reason(defn, e.comment, zh) if e.auto else e.comment,
                                  to=e.return_to, auto=e.auto,
                                  duration_seconds=since(ready.get(e.task_id), e)))
            case ev.TaskDelegated():
                assignee[e.task_id] = e.to_user
                out.append(_entry(e, defn, node=e.node, actor=e.actor, action="delegate",
                                  comment=e.comment, to=e.to_user))
            case ev.ReminderSent():
                late = (e.at - e.scheduled_at).total_seconds()
                out.append(_entry(e, defn, node=e.node, actor="system", action="remind",
                                  to=", ".join(e.recipients),
                                  limit_at=e.scheduled_at if late else None))
            case ev.TaskEscalated():
                out.append(_entry(e, defn, node=e.node, actor="system", action=e.action,
                                  to=", ".join(e.recipients),
                                  comment=_reason(defn, e.reason, zh)))
            case ev.ServiceCalled():
                out.append(_entry(e, defn, node=e.node, actor="system", action="call",
                                  to=e.system))
            case ev.ServiceAnswered():  # action: the answer's status (shipped, ...)
                status = e.data.get("status")
                out.append(_entry(e, defn, node=e.node, actor=e.system,
                                  action=str(status) if status is not None else "answer",
                                  comment=", ".join(f"{k}: {v}" for k, v in e.data.items()
                                                    if k != "status") or None))
            case ev.ServiceTimedOut():
                out.append(_entry(e, defn, node=e.node, actor="system", action=e.action,
                                  to=", ".join(e.recipients) or e.to, comment=e.system))
            case ev.RequestAtRisk():
                out.append(_entry(e, defn, node=e.node, actor=e.actor, action=e.reason,
                                  to=", ".join(e.recipients), expected_at=e.expected,
                                  limit_at=e.limit, chance=e.chance))
            case ev.TaskReassigned():
                assignee[e.task_id] = e.to_user
                out.append(_entry(e, defn, node=e.node, actor=e.actor, action="reassign",
                                  comment=_reason(defn, e.reason, zh),
                                  to=e.to_user))
            case ev.TaskCancelled():
                out.append(_entry(e, defn, node=e.node, actor=assignee.get(e.task_id),
                                  comment=e.reason))
            case ev.CommentAdded():
                out.append(_entry(e, defn, node=e.node, actor=e.actor, comment=e.text))
            case ev.AttachmentAdded():
                out.append(_entry(e, defn, node=e.node, actor=e.actor,
                                  attachment=files[e.attachment_id]))
            case ev.Notified():
                out.append(_entry(e, defn, node=e.node, to=", ".join(e.recipients)))
            case ev.NodeLeft():
                out.append(_entry(e, defn, node=e.node, actor=e.decided_by, action=e.outcome,
                                  to=e.next_node,
                                  duration_seconds=since(entered.get((e.node, e.visit)), e)))
            case ev.InstanceReturned():
                # the reason once, here, where the requester reads it: not also on the
                # decision just before
                for i in range(len(out) - 1, -1, -1):
                    if out[i].kind == "task_decided" and out[i].action == "return":
                        if out[i].comment == e.comment:
                            out[i] = out[i].model_copy(update={"comment": None})
                        break
                out.append(_entry(e, defn, actor=e.actor, comment=e.comment, to=e.resume_at))
            case ev.InstanceResubmitted():
                changes = [FieldChangeOut(field=k, old=a, new=b)
                           for k, a, b in field_changes(defn.form_schema, data, e.data)]
                data = dict(e.data)
                out.append(_entry(e, defn, actor=e.actor, changes=changes))
            case ev.InstanceWithdrawn():
                out.append(_entry(e, defn, actor=e.actor, comment=e.comment))
            case ev.InstanceCancelled():
                out.append(_entry(e, defn, actor=e.actor, comment=e.reason))
            case ev.InstanceFinished():
                out.append(_entry(e, defn, node=e.node, action=e.outcome,
                                  duration_seconds=since(started, e)))
            case _:
                out.append(_entry(e, defn))
    return out


def attachments(events: Sequence[ev.Event]) -> list[AttachmentOut]:
    """Every file attached, in order, each with its version number (a file that
    replaces another is the next version of it) and whether a later one replaced it."""
    out: list[AttachmentOut] = []
    version: dict[UUID, int] = {}
    replaced: set[UUID] = set()
    for e in events:
        if isinstance(e, ev.AttachmentAdded):
            n = version.get(e.replaces, 0) + 1 if e.replaces is not None else 1
            version[e.attachment_id] = n
            if e.replaces is not None:
                replaced.add(e.replaces)
            out.append(AttachmentOut(
                id=e.attachment_id, name=e.name, size=e.size, content_type=e.content_type,
                replaces=e.replaces, field=e.field, actor=e.actor, at=e.at, version=n,
                url=f"/api/attachments/{e.attachment_id}"))
    for a in out:
        a.current = a.id not in replaced
    return out


def service_steps(defn: ProcessDefinition, events: Sequence[ev.Event]) -> list[ServiceOut]:
    """Each call of a service step, with the system's answers so far (the ``status``
    field of each, when it has one): the request page's tracker."""
    out: dict[UUID, ServiceOut] = {}
    for e in events:
        if isinstance(e, ev.ServiceCalled):
            out[e.call_id] = ServiceOut(step=e.node, step_title=node_title(defn, e.node) or e.node,
                                        system=e.system, called_at=e.at, waiting=True)
        elif isinstance(e, ev.ServiceAnswered) and e.call_id in out:
            status = e.data.get("status")
            out[e.call_id].updates.append(ServiceUpdateOut(
                at=e.at, status=str(status) if status is not None else None, data=e.data))
        elif isinstance(e, ev.ServiceTimedOut) and e.task_id in out:
            out[e.task_id].timed_out_at = e.at
        elif isinstance(e, ev.NodeLeft):
            for call in out.values():
                if call.step == e.node and call.waiting:
                    call.waiting = False
    return list(out.values())


def holders_since(state: InstanceState, events: Sequence[ev.Event]
                  ) -> tuple[list[str], datetime | None]:
    """Who must act now, and since when."""
    if state.finished:
        return [], state.finished_at
    if state.status == "returned":
        returned = next((e.at for e in reversed(events)
                         if isinstance(e, ev.InstanceReturned)), state.updated_at)
        return [state.initiator], returned
    holders = list(dict.fromkeys(t.assignee for t in state.tasks if t.status == "pending"))
    return holders, state.entered_at


def _predicted(forecast: Forecast | None) -> PredictedFinishOut | None:
    p = forecast.prediction if forecast is not None else None
    if p is None:
        return None
    return PredictedFinishOut(median=p.median, p80=p.p80, step_median=p.step_median,
                              path=list(p.path))


def instance_out(defn: ProcessDefinition, state: InstanceState, events: Sequence[ev.Event],
                 visits: Sequence[NodeVisit], user: User, now: datetime,
                 forecast: Forecast | None = None, number: str | None = None,
                 lang: str = "en", names: Mapping[str, str] | None = None
                 ) -> InstanceOut:
    holders, since = holders_since(state, events)
    mine = user.username == state.initiator
    zh = lang.startswith("zh")
    title = request_title(defn, state.title, state.data, zh)
    return InstanceOut(
        id=state.id, number=number, definition=state.definition_key,
        definition_version=state.definition_version, definition_title=defn.title,
        title=title, initiator=state.initiator, status=state.status,
        outcome=state.outcome, current_node=state.node,
        current_node_title=node_title(defn, state.node), holders=holders, since=since,
        started_at=state.started_at, finished_at=state.finished_at, data=dict(state.data),
        tasks=state_tasks(defn, state, now, title), timeline=timeline(defn, events, zh),
        visits=visits_out(defn, visits, now),
        mermaid=mermaid(defn, None if state.finished and not state.node else state.node,
                        lang, names, state.branches.values()),
        can_withdraw=mine and not state.finished,
        can_resubmit=mine and state.status == "returned",
        can_cancel=user.is_admin and not state.finished,
        deadline=forecast.deadline if forecast is not None else None,
        predicted_finish=_predicted(forecast),
        at_risk=forecast.at_risk if forecast is not None else False,
        attachments=attachments(events), services=service_steps(defn, events))


def decision_out(defn: ProcessDefinition, state: InstanceState, task_id: UUID, action: str,
                 number: str | None) -> DecisionOut:
    """The compact answer of a decision on ``task_id``: where the request is now."""
    holders, _ = holders_since(state, ())
    return DecisionOut(task_id=task_id, action=action, instance_id=state.id, number=number,
                       status=state.status, outcome=state.outcome, current_node=state.node,
                       current_node_title=node_title(defn, state.node), holders=holders,
                       version=state.seq)


def summary_out(defn: ProcessDefinition, row: Instance | RequestRow, holders: list[str],
                title: str) -> InstanceSummaryOut:
    """``title``: the request's title as shown (its language, ``UnitOfWork.titles``)."""
    return InstanceSummaryOut(
        id=row.id, number=row.number, definition=row.definition_key,
        definition_version=row.definition_version,
        definition_title=defn.title, title=title, initiator=row.initiator,
        status=row.status, outcome=row.outcome, current_node=row.node,
        current_node_title=node_title(defn, row.node),
        holders=[row.initiator] if row.status == "returned" else holders,
        since=row.finished_at or row.node_since or row.updated_at,
        started_at=row.started_at, finished_at=row.finished_at)


__all__ = ["attachments", "decision_out", "holders_since", "instance_out", "summary_out",
           "timeline"]
