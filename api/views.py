"""Shaping engine objects into response bodies (``...Out``). No writes, no decisions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from fastapi import Response
from pydantic import BaseModel

from api.schemas import (
    DefinitionOut,
    DefinitionSummaryOut,
    NextOut,
    NodeOut,
    TaskOut,
    UserOut,
    VisitOut,
)
from engine.core.decide import return_targets
from engine.core.definition import WAITING_KINDS, Node, ProcessDefinition
from engine.core.diagram import condition_words, mermaid, sla_words, step_words
from engine.core.directory import User
from engine.core.sla import due_flags
from engine.core.state import InstanceState
from engine.store import NodeVisit
from engine.store.tables import RetiredProcess


def answer(body: BaseModel, status_code: int = 200, headers: Mapping[str, str] | None = None
           ) -> Response:
    """``body`` as JSON, serialised once by pydantic. A route returning this skips
    FastAPI's validation of the model it has just built, and the thread hop that costs a
    sync route; its ``response_model`` still documents the body (the same class)."""
    return Response(body.model_dump_json(), status_code, headers=headers,
                    media_type="application/json")


def user_out(user: User) -> UserOut:
    return UserOut(username=user.username, name=user.name or user.username,
                   name_zh=user.name_zh or None,
                   email=user.email or None, manager=user.manager, roles=list(user.roles),
                   is_admin=user.is_admin, is_process_owner=user.is_process_owner,
                   locale=user.locale)


def node_title(defn: ProcessDefinition, node: str | None) -> str | None:
    if node is None:
        return None
    found = defn.nodes.get(node)
    return found.title if found and found.title else node


def _node_out(defn: ProcessDefinition, node: Node, original: Node, lang: str,
              names: Mapping[str, str]) -> NodeOut:
    who, how = step_words(defn, node, lang, names)
    nexts = [NextOut(action=action, to=route.target, if_=route.condition,
                     if_text=condition_words(defn, route.condition, lang)
                     if route.condition else None)
             for action, routes in node.routes.items() for route in routes]
    if node.return_to:
        nexts.append(NextOut(action="return", to=node.return_to))
    return NodeOut(id=node.id, title=node.title or node.id, kind=node.kind,
                   title_zh=original.title_zh or None, description=node.description,
                   description_zh=original.description_zh or None,
                   mode=node.mode if node.kind == "approval" else None,
                   approvers=[str(r) for r in (node.approvers or node.notify)],
                   approvers_text=who, mode_text=how,
                   sla_seconds=node.sla.total_seconds() if node.sla else None,
                   sla_text=sla_words(node, lang),
                   actions=list(node.actions), next=nexts, branches=dict(node.branches),
                   join=node.join if node.kind == "fork" else None)


def definition_summary(defn: ProcessDefinition, versions: list[int],
                       original: ProcessDefinition,
                       retired: RetiredProcess | None = None) -> DefinitionSummaryOut:
    """``defn`` possibly localized; ``original`` carries the ``*_zh`` fields."""
    return DefinitionSummaryOut(key=defn.key, title=defn.title,
                                title_zh=original.title_zh or None,
                                description=defn.description,
                                description_zh=original.description_zh or None,
                                version=defn.version, versions=versions,
                                node_count=len(defn.nodes),
                                retired_at=retired.retired_at if retired else None,
                                retired_by=retired.retired_by if retired else None)


def definition_out(defn: ProcessDefinition, versions: list[int],
                   original: ProcessDefinition,
                   retired: RetiredProcess | None = None, lang: str = "en",
                   names: Mapping[str, str] | None = None) -> DefinitionOut:
    """``lang`` and ``names`` (``people_names``): the words of the diagram and the steps."""
    names = names or {}
    summary = definition_summary(defn, versions, original, retired)
    by = summary.retired_by
    return DefinitionOut(**summary.model_dump(exclude={"node_count"}),
                         retired_by_name=names.get(by, by) if by else None,
                         form_schema=dict(defn.form_schema), ui_schema=dict(defn.ui_schema),
                         start=defn.start,
                         nodes=[_node_out(defn, n, original.nodes[n.id], lang, names)
                                for n in defn.nodes.values()],
                         mermaid=mermaid(defn, lang=lang, names=names), yaml=defn.source)


def task_out(defn: ProcessDefinition, *, task_id: object, instance_id: object, node: str,
             assignee: str, status: str, created_at: datetime, due_at: datetime | None,
             instance_title: str, initiator: str, path: Sequence[str], now: datetime,
             action: str | None = None, decided_at: datetime | None = None) -> TaskOut:
    pending = status == "pending"
    overdue, due_soon = due_flags(due_at, created_at, pending, now)
    node_def = defn.nodes.get(node)
    actions = list(node_def.actions) if pending and node_def else []
    return TaskOut.model_validate({
        "id": task_id, "instance_id": instance_id, "definition": defn.key,
        "definition_title": defn.title, "node": node,
        "node_title": node_title(defn, node) or node, "assignee": assignee,
        "status": status, "created_at": created_at, "due_at": due_at, "overdue": overdue,
        "due_soon": due_soon, "instance_title": instance_title, "initiator": initiator,
        "actions": actions,
        "return_targets": return_targets(defn, node, path) if "return" in actions else [],
        "decision": action, "decided_at": decided_at,
        "reason_required": [a for a in actions if a in ("reject", "return")]
        if node_def is None or node_def.reason_required else []})


def state_tasks(defn: ProcessDefinition, state: InstanceState, now: datetime,
                title: str | None = None) -> list[TaskOut]:
    """The request's tasks; ``title``: the request's title as shown (its language)."""
    return [task_out(defn, task_id=t.task_id, instance_id=state.id, node=t.node,
                     assignee=t.assignee, status=t.status, created_at=t.created_at,
                     due_at=t.due_at, instance_title=title or state.title,
                     initiator=state.initiator,
                     path=state.path, now=now, action=t.action, decided_at=t.decided_at)
            for t in state.tasks]


def visits_out(defn: ProcessDefinition, rows: Sequence[NodeVisit], now: datetime
               ) -> list[VisitOut]:
    out = []
    for v in rows:
        end = v.left_at or (now if v.kind in WAITING_KINDS else None)
        out.append(VisitOut(node=v.node, node_title=node_title(defn, v.node) or v.node,
                            visit=v.visit, entered_at=v.entered_at, left_at=v.left_at,
                            outcome=v.outcome, decided_by=v.decided_by,
                            duration_seconds=(end - v.entered_at).total_seconds()
                            if end else None))
    return out


__all__ = ["answer", "definition_out", "definition_summary", "node_title", "state_tasks",
           "task_out", "user_out", "visits_out"]
