"""The live status board: ``GET /board`` (every running request, filtered, sorted and
paged on the server), ``GET /board.xlsx`` (the same rows as an Excel sheet),
``GET /instances.xlsx`` (a request list: mine, copied to me, all), ``GET /tasks.xlsx``
(the inbox), each with its list's filters, and
``POST /board/refresh`` (recompute the forecasts now).

Process owners, administrators and people with the role ``product_manager`` see every
request (``scope=all``, the default for them); everyone else sees their own requests
(``scope=mine``) with the same facts, predicted finish included.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from api.board_live import board_events
from api.board_views import (
    BoardPageOut,
    RefreshOut,
    board_out,
    instances_xlsx_response,
    tasks_xlsx_response,
    xlsx_response,
)
from api.deps import NowDep, RuntimeDep
from api.list_params import AnyOffset, FiltersDep, Status
from api.openapi import SIGNED_IN, problem_responses
from api.problems import Problem
from api.routes.instances import RequestSort, found_requests, summaries
from api.routes.tasks import TaskSort, found_tasks, tasks_out
from api.unit_of_work import ReaderDep, UnitOfWork, WriterDep
from engine import forecast
from engine.board import BoardQuery, BoardQueryInvalid, board
from engine.core.directory import User

router = APIRouter(tags=["board"], responses=problem_responses(*SIGNED_IN, 403, 422))
BOARD_ROLE = "product_manager"
XLSX_LIMIT = 10_000
XLSX_RESPONSE: dict[str, Any] = {
    "description": "An Excel workbook", "content": {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
            "schema": {"type": "string", "format": "binary"}}}}

Scope = Annotated[Literal["all", "mine"] | None, Query(
    description="all: every running request (owners, product managers, admins); "
                "mine: the caller's own. Default: all for those who may, else mine.")]
Fields = Annotated[list[str], Query(
    alias="field", description="Form field filters, name:value (e.g. region:North)")]
Sort = Annotated[str, Query(
    description="started, since, due, deadline, finish, median, title, process, step or "
                "requester; prefix - for descending", max_length=20)]


def sees_all(user: User) -> bool:
    return user.is_admin or user.is_process_owner or BOARD_ROLE in user.roles


def _query(wf: UnitOfWork, scope: str | None, definition: str | None, node: str | None,
           holder: str | None, field: list[str], at_risk: bool | None,
           overdue: bool | None, q: str | None, sort: str, limit: int, offset: int
           ) -> BoardQuery:
    everyone = sees_all(wf.user)
    if scope == "all" and not everyone:
        raise Problem(403, "Only process owners, product managers and administrators "
                           "may see every request")
    mine = scope == "mine" or not everyone
    fields: dict[str, str] = {}
    for item in field:
        name, sep, value = item.partition(":")
        if not sep or not name:
            raise Problem(422, f"field filter {item!r} must read name:value")
        fields[name] = value
    return BoardQuery(definition=definition, node=node, holder=holder,
                      initiator=wf.user.username if mine else None, fields=fields,
                      at_risk=at_risk, overdue=overdue, search=q, sort=sort, limit=limit,
                      offset=offset)


def _rows(wf: UnitOfWork, query: BoardQuery) -> BoardPageOut:
    try:
        rows, total, exact = board(wf.session, query, wf.now)
    except BoardQueryInvalid as exc:
        raise Problem(422, str(exc)) from None
    return board_out(wf, rows, total, exact)


@router.get("/board", response_model=BoardPageOut)
def get_board(
    wf: ReaderDep, scope: Scope = None, definition: str | None = None,
    node: str | None = None, holder: str | None = None, field: Fields = [],  # noqa: B006
    at_risk: bool | None = None, overdue: bool | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None, sort: Sort = "-started",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: AnyOffset = 0,
) -> BoardPageOut:
    """Every running request: where it is, who holds it since when, due, deadline,
    predicted finish (median and 80th percentile), at risk and overdue."""
    return _rows(wf, _query(wf, scope, definition, node, holder, field, at_risk, overdue,
                            q, sort, limit, offset))


@router.get("/board.xlsx", response_class=Response,
            responses={200: XLSX_RESPONSE})
def board_xlsx(
    wf: ReaderDep, scope: Scope = None, definition: str | None = None,
    node: str | None = None, holder: str | None = None, field: Fields = [],  # noqa: B006
    at_risk: bool | None = None, overdue: bool | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None, sort: Sort = "-started",
) -> Response:
    """The board with the same filters as an Excel workbook (at most 10,000 rows)."""
    page = _rows(wf, _query(wf, scope, definition, node, holder, field, at_risk, overdue,
                            q, sort, XLSX_LIMIT, 0))
    return xlsx_response(page, wf.zh, "board", wf.now)


@router.get("/instances.xlsx", response_class=Response,
            responses={200: XLSX_RESPONSE})
def instances_xlsx(
    wf: ReaderDep, f: FiltersDep, scope: Literal["mine", "cc", "all"] = "mine",
    status: Status = None, sort: RequestSort = "-started",
) -> Response:
    """A request list (mine, copied to me, all) with the same filters as an Excel
    workbook (at most 10,000 rows)."""
    found = found_requests(wf, scope, status, f, sort, XLSX_LIMIT, 0)
    return instances_xlsx_response(wf, summaries(wf, found.rows))


@router.get("/tasks.xlsx", response_class=Response, responses={200: XLSX_RESPONSE})
def tasks_xlsx(wf: ReaderDep, f: FiltersDep, sort: TaskSort = "due") -> Response:
    """My inbox with the same filters as an Excel workbook (at most 10,000 rows)."""
    found = found_tasks(wf, f, sort, XLSX_LIMIT, 0)
    return tasks_xlsx_response(wf, tasks_out(wf, found.rows))


@router.get("/board/events", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}},
                             "description": "Server-Sent Events"}})
async def board_stream(request: Request, runtime: RuntimeDep, now: NowDep,
                       ticket: Annotated[str | None, Query(description=(
                           "A ticket from POST /api/events/ticket, for EventSource (no "
                           "headers)"))] = None) -> StreamingResponse:
    """Live board: ``ready`` once, then ``board`` whenever some request moved (read
    the board again); a comment line every 15 s."""
    from api.routes.notifications import _stream_user

    await asyncio.to_thread(_stream_user, request, runtime, now, ticket)
    return StreamingResponse(board_events(runtime.db, request),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


@router.post("/board/refresh", response_model=RefreshOut)
def refresh_board(writer: WriterDep) -> RefreshOut:
    """Recompute every running request's forecast now and raise new at-risk warnings
    (the worker does it by itself every few minutes). Owners and administrators."""
    user = writer.user
    if not (user.is_admin or user.is_process_owner):
        raise Problem(403, "Only administrators and process owners may refresh forecasts")
    with writer.open() as wf:
        found = forecast.refresh(wf.session, wf.catalog, wf.directory, wf.now)
        wf.session.commit()
    return RefreshOut(forecasts=found.forecasts, flagged=found.flagged,
                      messages=found.messages, at=writer.now)
