"""Read side of the live status board: every running request, where it is, who holds it,
since when, due, its deadline and predicted finish (``forecast`` rows, refreshed by
``engine.forecast``), at risk and overdue. Nothing here writes.

``board(session, query, now) -> (rows, total, exact)``: ``BoardQuery`` filters by process
(``definition``), step (``node``), holder, form fields (``fields``: field name -> value,
compared as text), ``at_risk``, ``overdue`` (a pending task past its due time or the
request past its deadline), a search text (number, title, form values, as the lists); ``initiator``
restricts to one requester's requests (a requester's own board). ``sort`` is one of
``SORTS`` (``-`` prefix: descending); paging by ``limit`` and ``offset``. Rows with no
value for the sort key come last either way. Requests not forecast yet show no
prediction. ``total`` is exact up to ``engine.queries.COUNT_CAP`` rows (``exact``), else
PostgreSQL's estimate.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Session

from engine.queries import count_capped, late, search_terms
from engine.store.board_tables import ForecastRow
from engine.store.tables import RUNNING_SQL, Instance, Task

_i = Instance.__table__.c  # type: ignore[attr-defined]
_t = Task.__table__  # type: ignore[attr-defined]
_f = ForecastRow.__table__.c  # type: ignore[attr-defined]
_inst = Instance.__table__  # type: ignore[attr-defined]
_fc = ForecastRow.__table__  # type: ignore[attr-defined]
RUNNING = ("running", "returned")
FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
SORTS: Mapping[str, Any] = {
    "started": _i.started_at, "since": _i.node_since, "title": _i.title,
    "process": _i.definition_key, "step": _i.node, "requester": _i.initiator,
    "due": _f.due_at, "deadline": _f.deadline_at, "finish": _f.p80_at,
    "median": _f.median_at,
}


@dataclass(frozen=True, slots=True)
class BoardQuery:
    definition: str | None = None
    node: str | None = None
    holder: str | None = None
    initiator: str | None = None
    fields: Mapping[str, str] = field(default_factory=dict)
    at_risk: bool | None = None
    overdue: bool | None = None
    search: str | None = None
    sort: str = "-started"
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True, slots=True)
class BoardRow:
    id: UUID
    number: str | None
    definition_key: str
    definition_version: int
    title: str
    initiator: str
    status: str
    node: str | None
    since: datetime | None
    started_at: datetime
    data: Mapping[str, Any]
    holders: list[str]
    due_at: datetime | None
    deadline_at: datetime | None
    median_at: datetime | None
    p80_at: datetime | None
    at_risk: bool
    deadline_risk: bool
    sla_risk: bool
    overdue: bool
    forecast_at: datetime | None


class BoardQueryInvalid(ValueError):
    """A filter or sort the board does not know."""


# Literal SQL, not bound values: the planner matches them to the partial indexes
# ix_instance_running_started even in a generic plan.
_RUNNING = sa.text(f"instance.{RUNNING_SQL}")


def _overdue(now: datetime) -> Any:
    return late(now)  # engine.queries.late: one probe per row in index order


def _where(q: BoardQuery, now: datetime) -> list[Any]:
    where: list[Any] = [_RUNNING]
    if q.definition:
        where.append(_i.definition_key == q.definition)
    if q.node:
        where.append(_i.node == q.node)
    if q.initiator:
        where.append(_i.initiator == q.initiator)
    if q.holder:
        # one IN over a union (not an OR), so the database can semi-join on the indexes
        holding = sa.union(
            sa.select(_t.c.instance_id).where(_t.c.assignee == q.holder,
                                              _t.c.status == "pending"),
            sa.select(_inst.c.id).where(_i.status == "returned", _i.initiator == q.holder))
        where.append(_i.id.in_(holding))
    for name, value in q.fields.items():
        if not FIELD_NAME.fullmatch(name):
            raise BoardQueryInvalid(f"form field {name!r} is not a field name")
        where.append(sa.cast(_i.data[name].as_string(), sa.String) == value)
    if q.at_risk:
        where.append(_f.at_risk.is_(True))  # ix_forecast_risk, in p80_at order
    elif q.at_risk is not None:
        where.append(sa.func.coalesce(_f.at_risk, False).is_(False))
    if q.overdue is not None:
        where.append(_overdue(now) if q.overdue else sa.not_(_overdue(now)))
    if q.search and q.search.strip():
        where += search_terms(q.search)  # number, title, form values (pg_trgm index)
    return where


def _order(sort: str) -> list[Any]:
    desc = sort.startswith("-")
    column = SORTS.get(sort.lstrip("-"))
    if column is None:
        raise BoardQueryInvalid(f"unknown sort {sort!r}: use one of {', '.join(SORTS)} "
                                "(prefix - for descending)")
    # NULLS LAST only where a column has NULLs (the forecast's): on a NOT NULL column
    # it would keep the database from reading an index backwards for DESC
    key = column.desc() if desc else column.asc()
    if column.nullable:
        key = key.nulls_last()
    return [key, _i.id.desc() if desc else _i.id.asc()]


def board(session: Session, q: BoardQuery, now: datetime
          ) -> tuple[list[BoardRow], int, bool]:
    where = _where(q, now)
    joined = _inst.outerjoin(_fc, _f.instance_id == _i.id)
    conn = session.connection()
    query = (sa.select(_i.id, _i.number, _i.definition_key, _i.definition_version, _i.title,
                       _i.initiator, _i.status, _i.node, _i.node_since, _i.started_at,
                       _i.data, _f.due_at, _f.deadline_at, _f.median_at, _f.p80_at,
                       _f.at_risk, _f.deadline_risk, _f.sla_risk, _f.computed_at)
             .select_from(joined).where(*where).order_by(*_order(q.sort))
             .limit(q.limit).offset(q.offset))
    found = conn.execute(query).all()
    ids = [r.id for r in found]
    holders: dict[UUID, list[str]] = {}
    due: dict[UUID, datetime] = {}
    if ids:
        for iid, who, at in conn.execute(
                sa.select(_t.c.instance_id, _t.c.assignee, _t.c.due_at)
                .where(_t.c.instance_id.in_(ids), _t.c.status == "pending")
                .order_by(_t.c.instance_id, _t.c.created_at)).all():
            holders.setdefault(iid, [])
            if who not in holders[iid]:
                holders[iid].append(who)
            if at is not None and (iid not in due or at < due[iid]):
                due[iid] = at
    rows = []
    for r in found:
        who = [r.initiator] if r.status == "returned" else holders.get(r.id, [])
        due_at = due.get(r.id, r.due_at if r.status != "returned" else None)
        late = (due_at is not None and due_at < now) or (
            r.deadline_at is not None and r.deadline_at < now)
        rows.append(BoardRow(
            r.id, r.number, r.definition_key, r.definition_version, r.title, r.initiator, r.status,
            r.node, r.node_since, r.started_at, r.data or {}, who, due_at, r.deadline_at,
            r.median_at, r.p80_at, bool(r.at_risk), bool(r.deadline_risk),
            bool(r.sla_risk), late, r.computed_at))
    if q.offset == 0 and len(found) < q.limit:
        return rows, len(found), True
    # the total joins the forecasts only when a filter reads them; exact up to
    # COUNT_CAP rows, an estimate beyond (engine.queries.count_capped)
    needs = q.at_risk is not None or q.overdue is not None
    total, exact = count_capped(conn, joined if needs else _inst, where)
    return rows, total, exact


__all__ = ["RUNNING", "SORTS", "BoardQuery", "BoardQueryInvalid", "BoardRow", "board"]
