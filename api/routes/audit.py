"""``GET /api/admin/audit``: administrative actions, newest first, for administrators;
filters by actor, action (exact, or a prefix ending in ``.``), subject and time;
``format=csv`` exports every matching row."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from api.audit import AuditEntryOut, entry_out
from api.deps import AdminDep, ReadSessionDep
from api.list_params import AnyOffset
from api.openapi import SIGNED_IN, problem_responses
from api.problems import Problem
from api.schemas import Page
from engine.store import audit
from engine.store.security_tables import AuditRecord

router = APIRouter(prefix="/admin", tags=["admin"],
                   responses=problem_responses(*SIGNED_IN, 403))
CSV_COLUMNS = ("at", "actor", "action", "subject", "detail", "request_id", "id")


def csv_lines(rows: Iterator[AuditRecord]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow([r.at.isoformat(), r.actor or "", r.action, r.subject,
                         json.dumps(r.detail, ensure_ascii=False, sort_keys=True),
                         r.request_id or "", r.id])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


@router.get("/audit", response_model=Page[AuditEntryOut],
            responses={200: {"content": {"text/csv": {}}}})
def list_audit(
    admin: AdminDep,
    session: ReadSessionDep,
    actor: str | None = None,
    action: Annotated[str | None, Query(description="Exact, or a prefix ending in '.' "
                                                    "(token.)")] = None,
    subject: str | None = None,
    since: datetime | None = None,
    until: Annotated[datetime | None, Query(description="Exclusive")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: AnyOffset = 0,
    format: Literal["json", "csv"] = "json",
) -> Page[AuditEntryOut] | StreamingResponse:
    """Who did what, when, from which request. ``format=csv``: every matching row."""
    naive = [{"parameter": name, "in": "query", "message": "needs a UTC offset"}
             for name, t in (("since", since), ("until", until))
             if t is not None and t.tzinfo is None]
    if naive:
        raise Problem(422, "Times need a UTC offset (2026-03-01T00:00:00Z)", errors=naive)
    q = audit.AuditQuery(actor, action, subject, since, until)
    if format == "csv":
        rows = list(audit.iter_entries(session, q))  # read before the session closes
        return StreamingResponse(csv_lines(iter(rows)), media_type="text/csv",
                                 headers={"Content-Disposition":
                                          'attachment; filename="audit.csv"'})
    return Page[AuditEntryOut](items=[entry_out(r) for r in audit.entries(
        session, q, limit, offset)], total=audit.count(session, q))
