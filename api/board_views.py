"""Shapes of the board: ``BoardRowOut`` per running request, the page, and the Excel
workbooks (openpyxl, write-only) of the board and of a request list."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from fastapi import Response
from pydantic import Field

from api.i18n import request_title
from api.schemas import InstanceSummaryOut, TaskOut, _Out
from api.views import node_title
from engine.board import BoardRow

if TYPE_CHECKING:
    from api.unit_of_work import UnitOfWork

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class BoardRowOut(_Out):
    id: UUID
    number: str | None = None
    definition: str
    definition_title: str
    title: str
    initiator: str
    status: str
    current_node: str | None
    current_node_title: str | None
    holders: list[str]
    since: datetime | None
    started_at: datetime
    due_at: datetime | None
    deadline_at: datetime | None
    predicted_median: datetime | None
    predicted_p80: datetime | None
    at_risk: bool
    deadline_risk: bool
    sla_risk: bool
    overdue: bool
    forecast_at: datetime | None
    data: dict[str, Any]


class BoardPageOut(_Out):
    items: list[BoardRowOut]
    total: int  # exact when total_exact, else an estimate (beyond 10,000 rows)
    total_exact: bool = True
    now: datetime  # the server's time the page was read at (the "updated" time)
    # per process on the page: the chance of missing the deadline at which a request is
    # at risk (chosen by the worker with the backtest's rule; docs/prediction.md)
    risk_thresholds: dict[str, float] = Field(default_factory=dict)


class RefreshOut(_Out):
    forecasts: int
    flagged: int
    messages: int
    at: datetime


class ReportSentOut(_Out):
    sent: int  # messages written to the outbox


def board_out(wf: UnitOfWork, rows: Sequence[BoardRow], total: int, exact: bool = True
              ) -> BoardPageOut:
    items = []
    for r in rows:
        defn = wf.definition(r.definition_key, r.definition_version)
        items.append(BoardRowOut(
            id=r.id, number=r.number, definition=r.definition_key,
            definition_title=defn.title, title=request_title(defn, r.title, r.data, wf.zh),
            initiator=r.initiator, status=r.status, current_node=r.node,
            current_node_title=node_title(defn, r.node), holders=r.holders, since=r.since,
            started_at=r.started_at, due_at=r.due_at, deadline_at=r.deadline_at,
            predicted_median=r.median_at, predicted_p80=r.p80_at, at_risk=r.at_risk,
            deadline_risk=r.deadline_risk, sla_risk=r.sla_risk, overdue=r.overdue,
            forecast_at=r.forecast_at, data=dict(r.data)))
    from engine.analytics.live import stored_warn_chance

    conn = wf.session.connection()
    thresholds = {k: stored_warn_chance(conn, k) for k in sorted({r.definition_key
                                                                  for r in rows})}
    return BoardPageOut(items=items, total=total, total_exact=exact, now=wf.now,
                        risk_thresholds=thresholds)


_BOARD_HEAD = {
    "en": ["Request", "Title", "Process", "Step", "With", "Since", "Due", "Deadline",
           "Predicted finish (median)", "Predicted finish (p80)", "At risk", "Overdue",
           "Requester", "Started", "Status"],
    "zh": ["申请编号", "标题", "流程", "环节", "当前处理人", "到达时间", "截止时间",
           "申请期限", "预计完成（中位）", "预计完成（80%）", "有风险", "已超时",
           "申请人", "发起时间", "状态"],
}
_LIST_HEAD = {
    "en": ["Request", "Title", "Process", "Step", "With", "Requester", "Status", "Outcome",
           "Started", "Finished"],
    "zh": ["申请编号", "标题", "流程", "环节", "当前处理人", "申请人", "状态", "结果",
           "发起时间", "完成时间"],
}
_TASK_HEAD = {
    "en": ["Request", "Title", "Process", "Step", "Requester", "Arrived", "Due", "Overdue"],
    "zh": ["申请编号", "标题", "流程", "环节", "申请人", "到达时间", "截止时间", "已超时"],
}
_YES = {"en": ("yes", ""), "zh": ("是", "")}


def _cell(t: datetime | None) -> datetime | None:
    """Excel has no time zones: times are written in UTC without an offset."""
    return t.replace(tzinfo=None) if t is not None else None


def _workbook(title: str, head: list[str], rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(head)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _response(body: bytes, name: str, now: datetime) -> Response:
    filename = f"{name}-{now.strftime('%Y%m%d-%H%M')}.xlsx"
    return Response(body, media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def xlsx_response(page: BoardPageOut, zh: bool, name: str, now: datetime) -> Response:
    lang = "zh" if zh else "en"
    yes, no = _YES[lang]
    rows = [[r.number or str(r.id), r.title, r.definition_title, r.current_node_title or "",
             ", ".join(r.holders), _cell(r.since), _cell(r.due_at), _cell(r.deadline_at),
             _cell(r.predicted_median), _cell(r.predicted_p80), yes if r.at_risk else no,
             yes if r.overdue else no, r.initiator, _cell(r.started_at), r.status]
            for r in page.items]
    return _response(_workbook("Board" if lang == "en" else "看板", _BOARD_HEAD[lang], rows),
                     name, now)


def list_xlsx(wf: UnitOfWork, name: str, sheet: tuple[str, str],
              head: dict[str, list[str]], rows: list[list[Any]]) -> Response:
    """Any list as an Excel workbook: ``sheet`` (en, zh) names the sheet, ``head`` the
    columns per language, ``rows`` the cells (times as given by ``_cell``)."""
    lang = "zh" if wf.zh else "en"
    return _response(_workbook(sheet[0] if lang == "en" else sheet[1], head[lang], rows),
                     name, wf.now)


def instances_xlsx_response(wf: UnitOfWork, rows: Sequence[InstanceSummaryOut]) -> Response:
    out = [[r.number or str(r.id), r.title, r.definition_title, r.current_node_title or "",
            ", ".join(r.holders), r.initiator, r.status, r.outcome or "",
            _cell(r.started_at), _cell(r.finished_at)] for r in rows]
    return list_xlsx(wf, "requests", ("Requests", "申请"), _LIST_HEAD, out)


def tasks_xlsx_response(wf: UnitOfWork, rows: Sequence[TaskOut]) -> Response:
    yes, no = _YES["zh" if wf.zh else "en"]
    out = [[r.number or str(r.instance_id), r.instance_title, r.definition_title,
            r.node_title, r.initiator, _cell(r.created_at), _cell(r.due_at),
            yes if r.overdue else no] for r in rows]
    return list_xlsx(wf, "inbox", ("Inbox", "待办"), _TASK_HEAD, out)


__all__ = ["XLSX", "BoardPageOut", "BoardRowOut", "RefreshOut", "ReportSentOut", "board_out",
           "instances_xlsx_response", "list_xlsx", "tasks_xlsx_response", "xlsx_response"]
