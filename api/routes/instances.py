"""Requests: start, list (mine / copied to me / all), detail, withdraw, resubmit, comment,
cancel. Every POST accepts an ``Idempotency-Key``."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from sqlmodel import col, select

from api.deps import IdempotencyKeyDep
from api.instance_view import summary_out
from api.openapi import SIGNED_IN, problem_responses
from api.problems import Problem
from api.schemas import (
    CancelIn,
    CommentIn,
    InstanceOut,
    InstanceSummaryOut,
    Page,
    ResubmitIn,
    StartIn,
    TextIn,
)
from api.workflow import ReaderDep, Writer, WriterDep
from engine import service
from engine.core import commands as cmds
from engine.store import Task

router = APIRouter(prefix="/instances", tags=["instances"],
                   responses=problem_responses(*SIGNED_IN, 403, 404, 409))


def _run(writer: Writer, instance_id: UUID, cmd: cmds.Command, key: str | None
         ) -> InstanceOut:
    with writer.open() as wf:
        return wf.view(wf.on_instance(instance_id, cmd, key))


@router.post("", response_model=InstanceOut, status_code=201)
def start_instance(body: StartIn, writer: WriterDep, key: IdempotencyKeyDep) -> InstanceOut:
    """Start a request; ``data`` is validated against the process's form (JSON Schema)."""
    with writer.open() as wf:
        return wf.view(wf.start(body.definition, body.data, key))


@router.get("", response_model=Page[InstanceSummaryOut])
def list_instances(
    wf: ReaderDep,
    scope: Literal["mine", "cc", "all"] = "mine",
    status: Annotated[str | None, Query(
        pattern="^(running|returned|finished|approved|rejected|withdrawn|cancelled)$")
    ] = None,
    definition: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[InstanceSummaryOut]:
    if scope == "all" and not (wf.user.is_admin or wf.user.is_process_owner):
        raise Problem(403, "Only administrators and process owners may list all requests")
    rows, total = service.list_instances(wf.session, wf.user.username, scope, status,
                                         definition, limit, offset)
    pending = wf.session.exec(select(Task.instance_id, Task.assignee).where(
        col(Task.instance_id).in_([r.id for r in rows]), Task.status == "pending")).all()
    holders: dict[UUID, list[str]] = {}
    for iid, assignee in pending:
        holders.setdefault(iid, []).append(assignee)
    items = [summary_out(wf.definition(r.definition_key, r.definition_version), r,
                         sorted(set(holders.get(r.id, [])))) for r in rows]
    return Page[InstanceSummaryOut](items=items, total=total)


@router.get("/{instance_id}", response_model=InstanceOut)
def get_instance(instance_id: UUID, wf: ReaderDep) -> InstanceOut:
    """Where the request is, who holds it since when, and its timeline."""
    return wf.view(wf.load(instance_id))


@router.post("/{instance_id}/withdraw", response_model=InstanceOut)
def withdraw(instance_id: UUID, writer: WriterDep, key: IdempotencyKeyDep,
             body: CommentIn | None = None) -> InstanceOut:
    cmd = cmds.Withdraw(actor=writer.user.username, comment=body.comment if body else None)
    return _run(writer, instance_id, cmd, key)


@router.post("/{instance_id}/resubmit", response_model=InstanceOut)
def resubmit(instance_id: UUID, body: ResubmitIn, writer: WriterDep, key: IdempotencyKeyDep
             ) -> InstanceOut:
    cmd = cmds.Resubmit(actor=writer.user.username, data=dict(body.data))
    return _run(writer, instance_id, cmd, key)


@router.post("/{instance_id}/comments", response_model=InstanceOut)
def comment(instance_id: UUID, body: TextIn, writer: WriterDep, key: IdempotencyKeyDep
            ) -> InstanceOut:
    cmd = cmds.AddComment(actor=writer.user.username, text=body.text)
    return _run(writer, instance_id, cmd, key)


@router.post("/{instance_id}/cancel", response_model=InstanceOut)
def cancel(instance_id: UUID, writer: WriterDep, key: IdempotencyKeyDep,
           body: CancelIn | None = None) -> InstanceOut:
    """Administrators only."""
    if not writer.user.is_admin:
        raise Problem(403, f"{writer.user.username} is not an administrator")
    cmd = cmds.CancelInstance(actor=writer.user.username, reason=body.reason if body else None)
    return _run(writer, instance_id, cmd, key)
