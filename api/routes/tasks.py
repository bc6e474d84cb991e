"""The inbox: my pending tasks, a task's detail, and the decisions on it (approve, reject,
return, delegate, add signer, bulk approve). Every POST accepts an ``Idempotency-Key``."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query

from api.deps import IdempotencyKeyDep
from api.openapi import SIGNED_IN, problem_responses
from api.problems import status_of
from api.schemas import (
    AddSignerIn,
    BulkApproveIn,
    BulkOut,
    BulkResultOut,
    CommentIn,
    DelegateIn,
    InstanceOut,
    Page,
    ReturnIn,
    TaskDetailOut,
    TaskOut,
)
from api.unit_of_work import ReaderDep, Writer, WriterDep
from api.views import task_out
from engine import queries, service
from engine.core import commands as cmds
from engine.core.errors import EngineError, NotPermitted
from engine.core.events import Action

router = APIRouter(prefix="/tasks", tags=["tasks"],
                   responses=problem_responses(*SIGNED_IN, 403, 404, 409))


@router.get("", response_model=Page[TaskOut])
def inbox(
    uow: ReaderDep,
    definition: str | None = None,
    node: str | None = None,
    sort: Literal["due", "overdue_first", "created"] = "due",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> Page[TaskOut]:
    """My pending tasks. ``due`` and ``overdue_first``: the most overdue first, then by due
    time, tasks without a due time last; ``created``: newest first."""
    rows, total = service.inbox(uow.session, uow.user.username, definition, node, sort,
                                limit, offset)
    paths = queries.inbox_paths(uow.session, [r.task.instance_id for r in rows])
    items = []
    for r in rows:
        t = r.task
        items.append(task_out(uow.definition(t.definition_key, r.definition_version),
                              task_id=t.id, instance_id=t.instance_id, node=t.node,
                              assignee=t.assignee, status=t.status, created_at=t.created_at,
                              due_at=t.due_at, instance_title=r.instance_title,
                              initiator=r.initiator, path=paths.get(t.instance_id, []),
                              now=uow.now))
    return Page[TaskOut](items=items, total=total)


@router.get("/{task_id}", response_model=TaskDetailOut)
def get_task(task_id: UUID, uow: ReaderDep) -> TaskDetailOut:
    """The task, with the whole request it belongs to."""
    row = service.get_task(uow.session, task_id)
    state = uow.read(row.instance_id)
    if row.assignee != uow.user.username and not uow.may_view(state):
        raise NotPermitted(uow.user.username, "view this task", "not involved in it")
    instance = uow.view(state)
    task = next(t for t in instance.tasks if t.id == task_id)
    return TaskDetailOut(**task.model_dump(), instance=instance)


def _on_task(writer: Writer, cmd: service.TaskCommand, key: str | None) -> InstanceOut:
    with writer.open() as uow:
        return uow.view(uow.on_task(cmd, key))


def _decide(writer: Writer, task_id: UUID, action: Action, body: CommentIn | None,
            key: str | None, to: str | None = None) -> InstanceOut:
    cmd = cmds.DecideTask(task_id=task_id, actor=writer.user.username, action=action,
                          comment=body.comment if body else None, return_to=to)
    return _on_task(writer, cmd, key)


@router.post("/{task_id}/approve", response_model=InstanceOut)
def approve(task_id: UUID, writer: WriterDep, key: IdempotencyKeyDep,
            body: CommentIn | None = None) -> InstanceOut:
    return _decide(writer, task_id, "approve", body, key)


@router.post("/{task_id}/reject", response_model=InstanceOut)
def reject(task_id: UUID, writer: WriterDep, key: IdempotencyKeyDep,
           body: CommentIn | None = None) -> InstanceOut:
    return _decide(writer, task_id, "reject", body, key)


@router.post("/{task_id}/return", response_model=InstanceOut)
def return_(task_id: UUID, writer: WriterDep, key: IdempotencyKeyDep,
            body: ReturnIn | None = None) -> InstanceOut:
    """Send back to the initiator (default) or to an earlier step (``to``)."""
    return _decide(writer, task_id, "return", body, key, body.to if body else None)


@router.post("/{task_id}/delegate", response_model=InstanceOut)
def delegate(task_id: UUID, body: DelegateIn, writer: WriterDep, key: IdempotencyKeyDep
             ) -> InstanceOut:
    cmd = cmds.DelegateTask(task_id=task_id, actor=writer.user.username, to_user=body.to,
                            comment=body.comment)
    return _on_task(writer, cmd, key)


@router.post("/{task_id}/add-signer", response_model=InstanceOut)
def add_signer(task_id: UUID, body: AddSignerIn, writer: WriterDep, key: IdempotencyKeyDep
               ) -> InstanceOut:
    cmd = cmds.AddSigner(task_id=task_id, actor=writer.user.username, user=body.user,
                         position=body.position, comment=body.comment)
    return _on_task(writer, cmd, key)


@router.post("/bulk-approve", response_model=BulkOut)
def bulk_approve(body: BulkApproveIn, writer: WriterDep, key: IdempotencyKeyDep) -> BulkOut:
    """Approve each task in its own transaction; one result per task, in order."""
    results = []
    with writer.open() as uow:
        for task_id in body.task_ids:
            cmd = cmds.DecideTask(task_id=task_id, actor=uow.user.username, action="approve",
                                  comment=body.comment)
            try:
                uow.on_task(cmd, f"{key}:{task_id}" if key else None)
            except EngineError as exc:
                results.append(BulkResultOut(task_id=task_id, ok=False,
                                             status=status_of(exc), detail=str(exc)))
                continue
            results.append(BulkResultOut(task_id=task_id, ok=True, status=200))
    return BulkOut(results=results)
