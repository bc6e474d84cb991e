"""Requests: start, list (mine / copied to me / all: searched, filtered, paged), detail,
withdraw, resubmit, comment, cancel. Every POST accepts an ``Idempotency-Key``."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query

from api.deps import IdempotencyKeyDep
from api.instance_view import summary_out
from api.list_params import FiltersDep, Limit, Offset, Status
from api.openapi import SIGNED_IN, problem_responses
from api.problems import Problem
from api.schemas import (
    CancelIn,
    CommentIn,
    InstanceOut,
    InstanceSummaryOut,
    ListPage,
    ResubmitIn,
    StartIn,
    TextIn,
)
from api.unit_of_work import ReaderDep, UnitOfWork, Writer, WriterDep
from engine import queries, service
from engine.core import commands as cmds
from engine.queries import ListFilter

router = APIRouter(prefix="/instances", tags=["instances"],
                   responses=problem_responses(*SIGNED_IN, 403, 404, 409))


def _run(writer: Writer, instance_id: UUID, cmd: cmds.Command, key: str | None
         ) -> InstanceOut:
    with writer.open() as uow:
        return uow.view(uow.on_instance(instance_id, cmd, key))


@router.post("", response_model=InstanceOut, status_code=201)
def start_instance(body: StartIn, writer: WriterDep, key: IdempotencyKeyDep) -> InstanceOut:
    """Start a request; ``data`` is validated against the process's form (JSON Schema)."""
    with writer.open() as uow:
        return uow.view(uow.start(body.definition, body.data, key))


RequestSort = Annotated[str, Query(
    max_length=20, description="started, updated, number or title; prefix - for "
                               "descending (default -started: newest first)")]


def found_requests(uow: UnitOfWork, scope: str, status: str | None, f: ListFilter,
                   sort: str, limit: int, offset: int) -> queries.Found[queries.RequestRow]:
    """The requests of a list (for the page and its Excel export)."""
    if scope == "all" and not (uow.user.is_admin or uow.user.is_process_owner):
        raise Problem(403, "Only administrators and process owners may list all requests")
    try:
        return service.find_requests(uow.session, uow.user.username, scope, replace(
            f, status=status, sort=sort, limit=limit, offset=offset), uow.now)
    except queries.ListFilterInvalid as exc:
        raise Problem(422, str(exc)) from None


def summaries(uow: UnitOfWork, rows: list[queries.RequestRow]) -> list[InstanceSummaryOut]:
    holders = queries.holders(uow.session, [r.id for r in rows])
    defns = [uow.definition(r.definition_key, r.definition_version) for r in rows]
    titles = uow.titles((r.id, defn, r.title) for r, defn in zip(rows, defns, strict=True))
    return [summary_out(defn, r, holders.get(r.id, []), titles[r.id])
            for r, defn in zip(rows, defns, strict=True)]


@router.get("", response_model=ListPage[InstanceSummaryOut],
            responses=problem_responses(422))
def list_instances(
    uow: ReaderDep, f: FiltersDep,
    scope: Literal["mine", "cc", "all"] = "mine", status: Status = None,
    sort: RequestSort = "-started", limit: Limit = 50, offset: Offset = 0,
) -> ListPage[InstanceSummaryOut]:
    """Requests I started (``mine``), copied to me (``cc``) or every request (``all``:
    administrators and process owners), searched, filtered, sorted and paged."""
    found = found_requests(uow, scope, status, f, sort, limit, offset)
    return ListPage[InstanceSummaryOut](items=summaries(uow, found.rows), total=found.total,
                                        total_exact=found.exact)


@router.get("/{instance_id}", response_model=InstanceOut)
def get_instance(instance_id: UUID, uow: ReaderDep) -> InstanceOut:
    """Where the request is, who holds it since when, and its timeline."""
    return uow.view(uow.load(instance_id))


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
    """Administrators only (the engine refuses anyone else)."""
    cmd = cmds.CancelInstance(actor=writer.user.username, reason=body.reason if body else None)
    return _run(writer, instance_id, cmd, key)
