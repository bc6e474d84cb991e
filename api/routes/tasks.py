"""The inbox: my pending tasks, a task's detail, and the decisions on it (approve, reject,
return, delegate, add signer, bulk approve). Every POST accepts an ``Idempotency-Key``."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from api.conditional import HEADERS, etag, not_modified
from api.deps import IdempotencyKeyDep
from api.i18n import ZhDep
from api.list_params import FiltersDep, Limit, Offset
from api.messages import to_zh
from api.openapi import SIGNED_IN, problem_responses
from api.problems import Problem, status_of
from api.schemas import (
    AddSignerIn,
    BulkApproveIn,
    BulkOut,
    BulkResultOut,
    CommentIn,
    DecisionOut,
    DelegateIn,
    InstanceOut,
    ReturnIn,
    TaskDetailOut,
    TaskOut,
    TaskPageOut,
)
from api.unit_of_work import ReaderDep, UnitOfWork, Writer, WriterDep
from api.views import answer, task_out
from engine import queries, service
from engine.core import commands as cmds
from engine.core.errors import EngineError, NotPermitted
from engine.core.events import Action
from engine.core.sla import due_flags
from engine.queries import ListFilter

router = APIRouter(prefix="/tasks", tags=["tasks"],
                   responses=problem_responses(*SIGNED_IN, 403, 404, 409))


TaskSort = Literal["due", "overdue_first", "created", "-created", "started"]


def found_tasks(uow: UnitOfWork, f: ListFilter, sort: str, limit: int, offset: int
                ) -> queries.Found[queries.InboxRow]:
    try:
        return service.find_tasks(uow.session, uow.user.username,
                                  replace(f, sort=sort, limit=limit, offset=offset), uow.now)
    except queries.ListFilterInvalid as exc:
        raise Problem(422, str(exc)) from None


def tasks_out(uow: UnitOfWork, rows: list[queries.InboxRow]) -> list[TaskOut]:
    paths = queries.inbox_paths(uow.session, [r.task.instance_id for r in rows])
    defns = [uow.definition(r.task.definition_key, r.definition_version, r.digest)
             for r in rows]  # with the digest: no query for a definition parsed already
    titles = uow.titles((r.task.instance_id, defn, r.instance_title)
                        for r, defn in zip(rows, defns, strict=True))
    items = []
    for r, defn in zip(rows, defns, strict=True):
        t = r.task
        out = task_out(defn, task_id=t.id, instance_id=t.instance_id, node=t.node,
                       assignee=t.assignee, status=t.status, created_at=t.created_at,
                       due_at=t.due_at, instance_title=titles[t.instance_id],
                       initiator=r.initiator, path=paths.get(t.instance_id, []), now=uow.now)
        out.number = r.number
        items.append(out)
    return items


def page_tag(uow: UnitOfWork, found: queries.Found[queries.InboxRow], query: str) -> str:
    """The inbox page's validator. Everything a page shows comes from its rows (each
    carries its request's ``seq``, which every event raises, so also the return targets,
    and its definition's digest), the total, the caller, the language, the query and the
    due flags at this moment."""
    return etag([uow.user.username, uow.zh, query, found.total, found.exact, found.next,
                 *((r, due_flags(r.task.due_at, r.task.created_at, True, uow.now))
                   for r in found.rows)])


After = Annotated[str | None, Query(
    max_length=1000, description="A cursor: the page after the one whose `next` this is, "
    "in the same sort (keyset paging, as deep as needed; not with offset)")]


@router.get("", response_model=TaskPageOut, responses=problem_responses(422))
def inbox(
    request: Request, uow: ReaderDep, f: FiltersDep, sort: TaskSort = "due",
    limit: Limit = 50, offset: Offset = 0, after: After = None,
) -> Response:
    """My pending tasks, searched and filtered. ``due`` and ``overdue_first``: the most
    overdue first, then by due time, tasks without a due time last; ``created``: newest
    first (``-created`` oldest first); ``started``: the newest request first. Pages by
    ``offset`` or by the cursor ``after`` (a full page's ``next``). The answer carries an
    ``ETag``: sent back in ``If-None-Match``, an unchanged page is a 304 with no body."""
    found = found_tasks(uow, replace(f, after=after), sort, limit, offset)
    tag = page_tag(uow, found, request.url.query)
    unchanged = not_modified(request, tag)
    if unchanged is not None:
        return unchanged
    page = TaskPageOut(items=tasks_out(uow, found.rows), total=found.total,
                       total_exact=found.exact, next=found.next)
    return answer(page, headers={"ETag": tag, **HEADERS})


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


View = Annotated[Literal["compact", "full"], Query(
    description="compact: what the decision changed (`DecisionOut`); full: the whole "
                "request (`InstanceOut`, with its timeline, visits and diagram)")]
DECIDED: dict[int | str, dict[str, Any]] = {
    200: {"description": "`DecisionOut` (view=compact) or `InstanceOut` (view=full)"}}


def _on_task(writer: Writer, cmd: service.TaskCommand, key: str | None,
             view: str = "full") -> Response:
    out: DecisionOut | InstanceOut
    with writer.open() as uow:
        state = uow.on_task(cmd, key)
        if view == "compact" and isinstance(cmd, cmds.DecideTask):
            out = uow.decision(state, cmd.task_id, cmd.action)
        else:
            out = uow.view(state)
    return answer(out)  # serialised once the write session is closed


def _decide(writer: Writer, task_id: UUID, action: Action, body: CommentIn | None,
            key: str | None, to: str | None = None, view: str = "full") -> Response:
    cmd = cmds.DecideTask(task_id=task_id, actor=writer.user.username, action=action,
                          comment=body.comment if body else None, return_to=to)
    return _on_task(writer, cmd, key, view)


@router.post("/{task_id}/approve", response_model=DecisionOut | InstanceOut,
             responses=DECIDED)
def approve(task_id: UUID, writer: WriterDep, key: IdempotencyKeyDep,
            body: CommentIn | None = None, view: View = "compact") -> Response:
    """Approve. The answer is compact by default (``DecisionOut``: the request's status,
    the step it waits in now, who holds it, its version); ``view=full`` answers the whole
    request as reject and return do."""
    return _decide(writer, task_id, "approve", body, key, view=view)


@router.post("/{task_id}/reject", response_model=DecisionOut | InstanceOut,
             responses=DECIDED)
def reject(task_id: UUID, writer: WriterDep, key: IdempotencyKeyDep,
           body: CommentIn | None = None, view: View = "full") -> Response:
    return _decide(writer, task_id, "reject", body, key, view=view)


@router.post("/{task_id}/return", response_model=DecisionOut | InstanceOut,
             responses=DECIDED)
def return_(task_id: UUID, writer: WriterDep, key: IdempotencyKeyDep,
            body: ReturnIn | None = None, view: View = "full") -> Response:
    """Send back to the initiator (default) or to an earlier step (``to``)."""
    return _decide(writer, task_id, "return", body, key, body.to if body else None, view)


@router.post("/{task_id}/delegate", response_model=InstanceOut)
def delegate(task_id: UUID, body: DelegateIn, writer: WriterDep, key: IdempotencyKeyDep
             ) -> Response:
    cmd = cmds.DelegateTask(task_id=task_id, actor=writer.user.username, to_user=body.to,
                            comment=body.comment)
    return _on_task(writer, cmd, key)


@router.post("/{task_id}/add-signer", response_model=InstanceOut)
def add_signer(task_id: UUID, body: AddSignerIn, writer: WriterDep, key: IdempotencyKeyDep
               ) -> Response:
    cmd = cmds.AddSigner(task_id=task_id, actor=writer.user.username, user=body.user,
                         position=body.position, comment=body.comment)
    return _on_task(writer, cmd, key)


@router.post("/bulk-approve", response_model=BulkOut)
def bulk_approve(body: BulkApproveIn, writer: WriterDep, key: IdempotencyKeyDep, zh: ZhDep
                 ) -> BulkOut:
    """Approve each task in its own transaction; one result per task, in order (why one
    failed in the caller's language)."""
    results = []
    with writer.open() as uow:
        for task_id in body.task_ids:
            cmd = cmds.DecideTask(task_id=task_id, actor=uow.user.username, action="approve",
                                  comment=body.comment)
            try:
                uow.on_task(cmd, f"{key}:{task_id}" if key else None)
            except EngineError as exc:
                results.append(BulkResultOut(task_id=task_id, ok=False,
                                             status=status_of(exc),
                                             detail=to_zh(str(exc)) if zh else str(exc)))
                continue
            results.append(BulkResultOut(task_id=task_id, ok=True, status=200))
    return BulkOut(results=results)
