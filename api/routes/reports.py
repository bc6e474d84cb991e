"""The daily report (``report: {daily: ...}`` in a definition): ``GET
/reports/{key}/preview`` shows today's as the mail would (HTML, the chart inline), ``POST
/reports/{key}/send`` sends one now to its recipients. Process owners, product managers
and administrators."""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from api.board_views import ReportSentOut
from api.openapi import SIGNED_IN, problem_responses
from api.problems import Problem
from api.routes.board import sees_all
from api.unit_of_work import ReaderDep, UnitOfWork, WriterDep
from engine import daily_report
from engine.core.definition import ProcessDefinition
from engine.notify import Message, Recipient, render
from engine.notify.render import CHART_CID

router = APIRouter(prefix="/reports", tags=["reports"],
                   responses=problem_responses(*SIGNED_IN, 403, 404))


def _report_of(wf: UnitOfWork, key: str) -> ProcessDefinition:
    if not sees_all(wf.user):
        raise Problem(403, "Only process owners, product managers and administrators "
                           "see the daily report")
    defn = wf.catalog.get(key)
    if defn.report is None:
        raise Problem(404, f"process {key!r} has no daily report (report: daily: in YAML)")
    return defn


@router.get("/{key}/preview", response_class=HTMLResponse,
            responses={200: {"content": {"text/html": {"schema": {"type": "string"}}},
                             "description": "Today's report as the mail shows it"}})
def preview(key: str, wf: ReaderDep) -> HTMLResponse:
    defn = _report_of(wf, key)
    assert defn.report is not None
    today = wf.now.astimezone(ZoneInfo(defn.report.time_zone)).date()
    data = daily_report.message_data(wf.session, defn, today, wf.now,
                                     defn.report.time_zone, wf.zh, wf.directory)
    user = wf.user
    message = Message(id="preview", kind="daily_report",
                      recipient=Recipient(user.username, user.name or user.username,
                                          user.email, "zh" if wf.zh else "en"),
                      data=data, created_at=wf.now.astimezone(UTC))
    html = render(message, "").html.replace(
        CHART_CID, "data:image/png;base64," + str(data["chart_png"]))
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


@router.post("/{key}/send", response_model=ReportSentOut)
def send_now(key: str, writer: WriterDep) -> ReportSentOut:
    """Send the report to its recipients now (besides the daily one)."""
    with writer.open() as wf:
        defn = _report_of(wf, key)
        assert defn.report is not None
        today = wf.now.astimezone(ZoneInfo(defn.report.time_zone)).date()
        sent = daily_report.send(wf.session, defn, today, wf.now, wf.directory, force=True)
        wf.session.commit()
    return ReportSentOut(sent=sent)
