"""Read side: what the API and analytics ask of the store. Nothing here writes.

- ``inbox(session, username, definition=None, node=None, sort="due", limit=50, offset=0)
  -> (rows, total)``: the user's pending tasks as ``InboxRow``. ``sort``: ``due`` (and its
  alias ``overdue_first``: the most overdue first, tasks without a due time last) or
  ``created`` (newest first). Served by the index ``ix_task_inbox``. ``inbox_paths(session,
  instance_ids) -> {instance_id: [node, ...]}``: the nodes each went through, in order.
- ``list_instances(session, username, scope, status=None, definition=None, limit=50,
  offset=0) -> (rows, total)``: ``scope`` ``mine`` (initiated), ``cc`` (copied to me) or
  ``all`` (callers check who may); ``status`` an instance status or ``finished``.
- ``get_instance(session, id) -> InstanceState`` (a replay of the log; InstanceNotFound),
  ``instance_events(session, id) -> list[Event]``, ``instance_visits(session, id) ->
  list[NodeVisit]`` (in entry order), ``get_task(session, task_id) -> Task`` (TaskNotFound),
  ``just_committed(session, instance_id,
  seq) -> Committed | None``: the events, visits and definition of that history when a
  command of this process just committed it, without a query.
- ``holders(session, instance_ids)``: who holds each one's pending tasks; ``users(session)``:
  the directory's users; ``account``, ``api_token``, ``api_tokens`` (credentials, from
  ``engine.store.credentials``); ``out_of_office(session, username, now)`` (the current or
  next period, from ``engine.store.absences``).
- ``forecast(read_engine, defn, state, events, now) -> Forecast``: the request's deadline,
  predicted finish and at-risk flag (``engine.analytics.live``; learned step times cached
  per process for a few minutes).
- ``node_visits(session, definition_key, since=None, until=None) -> list[NodeVisit]`` for
  analytics (index ``ix_node_visit_definition_node``).

Lists that scale (the inbox, my requests, all requests), filtered, sorted and paged on
the server by a ``ListFilter``:

- ``find_requests(session, username, scope, f, now) -> Found[RequestRow]``: ``scope``
  ``mine``, ``cc`` or ``all``; sorts ``REQUEST_SORTS``.
- ``find_tasks(session, username, f, now) -> Found[InboxRow]``: the user's pending
  tasks; sorts ``TASK_SORTS``; the dates filter when the task arrived.

``search``: every word must appear in the request number, title or a form value (case
folded; ``SEARCH_SQL``, on PostgreSQL served by the pg_trgm index ``ix_instance_search``).
``overdue``: a pending task past its due time or the request past its deadline.
``Found.total`` is exact up to ``COUNT_CAP`` rows; beyond it ``exact`` is False and the
total is PostgreSQL's estimate (or ``COUNT_CAP + 1`` on SQLite): counting a million rows
exactly on every page costs more than the page (``count_capped``).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from engine.analytics.live import Forecast
from engine.core.definition import ProcessDefinition
from engine.core.directory import User
from engine.core.errors import TaskNotFound
from engine.core.events import Event
from engine.core.state import InstanceState, replay
from engine.store import definitions as defs
from engine.store import event_log, numbers, recent
from engine.store.absences import next_period as out_of_office
from engine.store.board_tables import ForecastRow
from engine.store.credentials import account, api_token, api_tokens
from engine.store.definitions import cached as cached_definition
from engine.store.org import user_of
from engine.store.tables import (
    RUNNING_SQL,
    AppUser,
    CarbonCopy,
    DefinitionVersion,
    Instance,
    NodeVisit,
    Task,
)

Scope = Literal["mine", "cc", "all"]
InboxSort = Literal["due", "overdue_first", "created"]


@dataclass(frozen=True, slots=True)
class InboxTask:
    """The task columns an inbox row shows."""

    id: UUID
    instance_id: UUID
    definition_key: str
    node: str
    assignee: str
    status: str
    created_at: datetime
    due_at: datetime | None


@dataclass(frozen=True, slots=True)
class InboxRow:
    task: InboxTask
    instance_title: str
    initiator: str
    definition_version: int
    instance_status: str
    number: str | None = None
    seq: int = 0  # the instance's version: every event on it raises it
    digest: str | None = None  # the definition version's (None if not stored)


_task = Task.__table__  # type: ignore[attr-defined]
_instance = Instance.__table__  # type: ignore[attr-defined]


def inbox(session: Session, username: str, definition: str | None = None,
          node: str | None = None, sort: InboxSort | str = "due", limit: int = 50,
          offset: int = 0) -> tuple[list[InboxRow], int]:
    where: list[Any] = [Task.assignee == username, Task.status == "pending"]
    if definition is not None:
        where.append(Task.definition_key == definition)
    if node is not None:
        where.append(Task.node == node)
    order: list[Any]
    if sort in ("due", "overdue_first"):
        order = [col(Task.due_at).asc().nulls_last(), col(Task.created_at).asc(),
                 col(Task.id)]
    elif sort == "created":
        order = [col(Task.created_at).desc(), col(Task.id)]
    else:
        raise ValueError(f"unknown inbox sort {sort!r}: use due, overdue_first or created")
    # Core rather than ORM entities (a page is read on every inbox request), and only the
    # instance columns the row shows (not its form data, a JSON document).
    t, i = _task.c, _instance.c
    query = (sa.select(t.id, t.instance_id, t.definition_key, t.node, t.assignee, t.status,
                       t.created_at, t.due_at, i.title, i.initiator, i.definition_version,
                       i.status)
             .join_from(_task, _instance, i.id == t.instance_id)
             .where(*where).order_by(*order).limit(limit).offset(offset))
    conn = session.connection()
    rows = [InboxRow(InboxTask(*r[:8]), title, initiator, version, status)
            for r in conn.execute(query).all()
            for title, initiator, version, status in [r[8:]]]
    total = conn.execute(sa.select(sa.func.count()).select_from(_task).where(*where))
    return rows, int(total.scalar_one())


@dataclass(frozen=True, slots=True)
class ListFilter:
    """Filters, sort and page of a list (``find_requests``, ``find_tasks``)."""

    search: str | None = None
    status: str | None = None  # an instance status, ``open`` or ``finished``
    definition: str | None = None
    node: str | None = None
    overdue: bool | None = None
    since: datetime | None = None  # started (requests) or arrived (tasks) at or after
    until: datetime | None = None  # ... before
    sort: str | None = None
    limit: int = 50
    offset: int = 0
    after: str | None = None  # a cursor (``Found.next``; the inbox only)


class ListFilterInvalid(ValueError):
    """A sort or status a list does not know."""


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Found(Generic[T]):
    rows: list[T]
    total: int
    exact: bool
    next: str | None = None  # a cursor for the page after this one, when it is full


@dataclass(frozen=True, slots=True)
class RequestRow:
    """The instance columns a request list shows (not its form data)."""

    id: UUID
    number: str | None
    definition_key: str
    definition_version: int
    title: str
    initiator: str
    status: str
    outcome: str | None
    node: str | None
    node_since: datetime | None
    started_at: datetime
    finished_at: datetime | None
    updated_at: datetime


COUNT_CAP = 10_000
STATUSES = ("running", "returned", "open", "finished", "approved", "rejected", "withdrawn",
            "cancelled")
# The searched text; migration 0010 indexes exactly this expression (pg_trgm GIN).
SEARCH_SQL = "lower(coalesce(instance.number, '')) || ' ' || instance.search"
_i = _instance.c
_f = ForecastRow.__table__.c  # type: ignore[attr-defined]
REQUEST_SORTS: dict[str, Any] = {"started": _i.started_at, "updated": _i.updated_at,
                                 "number": _i.number, "title": _i.title}
TASK_SORTS = ("due", "overdue_first", "created", "-created", "started")
_REQUEST_COLUMNS = (_i.id, _i.number, _i.definition_key, _i.definition_version, _i.title,
                    _i.initiator, _i.status, _i.outcome, _i.node, _i.node_since,
                    _i.started_at, _i.finished_at, _i.updated_at)


WHOLE_NUMBER = re.compile(r"[a-z][a-z0-9]{0,9}-\d{4}-\d{5,}")


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_terms(text: str, indexed: bool = True) -> list[Any]:
    """One condition per word of ``text`` (at most 8): the word in the number, title or
    a form value (``instance.search``, lower-cased like the words). ``indexed=False``
    for lists already narrowed to a few thousand rows (one person's requests, an
    inbox): the expression then differs from the trigram index's, so the database reads
    those rows instead of every request holding a common word."""
    sql = SEARCH_SQL if indexed else f"({SEARCH_SQL}) || ''"
    searched: sa.ColumnElement[str] = sa.literal_column(sql, sa.String)
    # a whole request number is looked up by ix_instance_number, not by its trigrams
    return [_i.number == word.upper() if WHOLE_NUMBER.fullmatch(word)
            else searched.like(_like(word), escape="\\") for word in text.lower().split()[:8]]


def late(now: datetime) -> Any:
    """A request with a pending task past its due time or past its own deadline: one
    EXISTS over a UNION ALL, probed per row through ix_task_instance_id and the forecast's
    key while a page is read in index order (an OR of two EXISTS lets PostgreSQL hash
    every late task first, which costs more than the page)."""
    t = _task.alias("late_task")
    f = ForecastRow.__table__.alias("late_forecast")  # type: ignore[attr-defined]
    late_task = sa.select(sa.literal(1)).where(
        t.c.instance_id == _i.id, t.c.status == sa.literal_column("'pending'"),
        t.c.due_at < now)
    late_request = sa.select(sa.literal(1)).where(f.c.instance_id == _i.id,
                                                  f.c.deadline_at < now)
    return sa.exists(sa.union_all(late_task, late_request))


def _overdue(now: datetime) -> Any:
    # literal 'pending' and status list: the planner matches the partial indexes
    return sa.and_(sa.text(f"instance.{RUNNING_SQL}"), late(now))


def _instance_where(f: ListFilter, now: datetime, indexed: bool = True) -> list[Any]:
    where: list[Any] = []
    if f.status == "finished":
        where.append(_i.finished_at.is_not(None))
    elif f.status == "open":
        where.append(sa.text(f"instance.{RUNNING_SQL}"))
    elif f.status is not None:
        if f.status not in STATUSES:
            raise ListFilterInvalid(f"unknown status {f.status!r}: use one of "
                                    f"{', '.join(STATUSES)}")
        where.append(_i.status == f.status)
    if f.definition:
        where.append(_i.definition_key == f.definition)
    if f.node:
        where.append(_i.node == f.node)
    if f.overdue is not None:
        where.append(_overdue(now) if f.overdue else sa.not_(_overdue(now)))
    if f.search and f.search.strip():
        where += search_terms(f.search, indexed)
    return where


def count_capped(conn: sa.Connection, source: Any, where: list[Any]) -> tuple[int, bool]:
    """The number of rows and whether it is exact: on PostgreSQL the planner's estimate
    when that passes ``COUNT_CAP`` (counting a million rows costs more than the page),
    else a count that stops after ``COUNT_CAP + 1`` rows."""
    if conn.dialect.name == "postgresql":
        query = sa.select(sa.literal(1)).select_from(source).where(*where)
        compiled = query.compile(dialect=conn.dialect)
        plan = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + str(compiled),
                                    compiled.params).scalar_one()
        doc = json.loads(plan) if isinstance(plan, str) else plan
        estimate = int(doc[0]["Plan"]["Plan Rows"])
        if estimate > COUNT_CAP:
            return estimate, False
    capped = sa.select(sa.literal(1)).select_from(source).where(*where).limit(COUNT_CAP + 1)
    n = int(conn.execute(sa.select(sa.func.count()).select_from(capped.subquery()))
            .scalar_one())
    return n, n <= COUNT_CAP


def _page_total(conn: sa.Connection, source: Any, where: list[Any], f: ListFilter,
                found: int) -> tuple[int, bool]:
    if found < f.limit and (f.offset == 0 or found > 0):
        return f.offset + found, True
    return count_capped(conn, source, where)


def find_requests(session: Session, username: str, scope: Scope | str, f: ListFilter,
                  now: datetime) -> Found[RequestRow]:
    where = _instance_where(f, now, indexed=scope == "all")
    if scope == "mine":
        where.append(_i.initiator == username)
    elif scope == "cc":
        cc = CarbonCopy.__table__.c  # type: ignore[attr-defined]
        where.append(_i.id.in_(sa.select(cc.instance_id).where(cc.username == username)))
    elif scope != "all":
        raise ListFilterInvalid(f"unknown scope {scope!r}: use mine, cc or all")
    if f.since is not None:
        where.append(_i.started_at >= f.since)
    if f.until is not None:
        where.append(_i.started_at < f.until)
    sort = f.sort or "-started"
    column = REQUEST_SORTS.get(sort.lstrip("-"))
    if column is None:
        raise ListFilterInvalid(f"unknown sort {sort!r}: use one of "
                                f"{', '.join(REQUEST_SORTS)} (prefix - for descending)")
    # plain ASC / DESC (these columns hold no NULLs once numbered): the order of the
    # indexes (ix_instance_started, ix_instance_title, ...), so no sort of every row
    desc = sort.startswith("-")
    order = [column.desc(), _i.id.desc()] if desc else [column.asc(), _i.id.asc()]
    conn = session.connection()
    rows = [RequestRow(*r) for r in conn.execute(  # type: ignore[call-arg]
        sa.select(*_REQUEST_COLUMNS).where(*where).order_by(*order)
        .limit(f.limit).offset(f.offset)).all()]
    total, exact = _page_total(conn, _instance, where, f, len(rows))
    return Found(rows, total, exact)


def find_tasks(session: Session, username: str, f: ListFilter, now: datetime
               ) -> Found[InboxRow]:
    """One query for the page and its total (a capped count as a scalar subquery, so a
    full page costs no second round trip; the planner's estimate only past ``COUNT_CAP``).
    ``f.after``: a cursor from ``Found.next`` (keyset paging: the rows after that one in
    the same sort, however deep), else ``f.offset``."""
    t = _task.c
    where = _task_where(username, f, now)
    sort = f.sort or "due"
    keys = _TASK_ORDER.get(sort)
    if keys is None:
        raise ListFilterInvalid(f"unknown inbox sort {sort!r}: use one of "
                                f"{', '.join(TASK_SORTS)}")
    order = [(c.desc() if desc else c.asc().nulls_last() if c is t.due_at else c.asc())
             for c, desc in keys]
    source = _task.join(_instance, _i.id == t.instance_id)
    page = list(where)
    if f.after is not None:
        if f.offset:
            raise ListFilterInvalid("give either a cursor (after) or an offset, not both")
        page.append(_beyond(keys, cursor_values(f.after, sort)))
    capped = sa.select(sa.literal(1)).select_from(source).where(*where).limit(COUNT_CAP + 1)
    counted = sa.select(sa.func.count()).select_from(capped.subquery()).scalar_subquery()
    d = _definitions.c
    query = (sa.select(t.id, t.instance_id, t.definition_key, t.node, t.assignee, t.status,
                       t.created_at, t.due_at, _i.title, _i.initiator,
                       _i.definition_version, _i.status, _i.number, _i.seq, d.digest,
                       _i.started_at, counted)
             .select_from(source.outerjoin(_definitions, sa.and_(
                 d.key == t.definition_key, d.version == _i.definition_version)))
             .where(*page).order_by(*order).limit(f.limit).offset(f.offset))
    conn = session.connection()
    found = conn.execute(query).all()
    rows = [InboxRow(InboxTask(*r[:8]), *r[8:15]) for r in found]
    total = int(found[0][-1]) if found else None
    if total is None or total > COUNT_CAP:  # an empty page, or past the cap
        total, exact = count_capped(conn, source, where)
    else:
        exact = True
    nxt = (_cursor(sort, found[-1], keys) if len(found) == f.limit else None)
    return Found(rows, total, exact, nxt)


def _task_where(username: str, f: ListFilter, now: datetime) -> list[Any]:
    t = _task.c
    where: list[Any] = [t.assignee == username, t.status == "pending"]
    if f.definition is not None:
        where.append(t.definition_key == f.definition)
    if f.node is not None:
        where.append(t.node == f.node)
    if f.overdue is not None:
        where.append(t.due_at < now if f.overdue
                     else sa.or_(t.due_at.is_(None), t.due_at >= now))
    if f.since is not None:
        where.append(t.created_at >= f.since)
    if f.until is not None:
        where.append(t.created_at < f.until)
    if f.search and f.search.strip():
        where += search_terms(f.search, indexed=False)  # within one person's tasks
    if f.status is not None:
        raise ListFilterInvalid("the inbox holds pending tasks only: no status filter")
    return where


_definitions = DefinitionVersion.__table__  # type: ignore[attr-defined]
_t = _task.c
# Each inbox sort as (column, descending) pairs, the task id last (unique): ``due`` puts
# tasks without a due time last.
_TASK_ORDER: dict[str, list[tuple[Any, bool]]] = {
    "due": [(_t.due_at, False), (_t.created_at, False), (_t.id, False)],
    "overdue_first": [(_t.due_at, False), (_t.created_at, False), (_t.id, False)],
    "created": [(_t.created_at, True), (_t.id, False)],
    "-created": [(_t.created_at, False), (_t.id, False)],
    "started": [(_i.started_at, True), (_t.id, False)],
}
_CURSOR_COLUMNS = {"due_at": 7, "created_at": 6, "id": 0, "started_at": 15}


def _cursor(sort: str, row: Any, keys: list[tuple[Any, bool]]) -> str:
    """An opaque cursor naming ``row``'s place in ``sort``."""
    values = [row[_CURSOR_COLUMNS[c.name]] for c, _ in keys]
    text = json.dumps([sort, *[v.isoformat() if isinstance(v, datetime) else
                               str(v) if v is not None else None for v in values]])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def cursor_values(cursor: str, sort: str) -> list[Any]:
    """The sort values a cursor of ``sort`` names (ListFilterInvalid if it is not one)."""
    keys = _TASK_ORDER[sort]
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        named, *raw = decoded
        if named != sort or len(raw) != len(keys):
            raise ValueError(sort)
        return [None if v is None and c is _t.due_at else
                UUID(v) if c is _t.id else datetime.fromisoformat(v) for (c, _), v in
                zip(keys, raw, strict=True)]
    except (ValueError, TypeError, UnicodeDecodeError):
        raise ListFilterInvalid(f"the cursor is not one of this list's sort {sort!r}: "
                                "use the page's next") from None


def _beyond(keys: list[tuple[Any, bool]], values: list[Any]) -> Any:
    """The rows after ``values`` in the order of ``keys`` (a NULL sorts last)."""
    cond: Any = None
    for (c, desc), v in reversed(list(zip(keys, values, strict=True))):
        strictly: Any
        if v is None:  # after a NULL come only NULLs
            strictly, equal = sa.false(), c.is_(None)
        else:
            strictly = c < v if desc else c > v
            if c is _t.due_at:
                strictly = sa.or_(strictly, c.is_(None))
            equal = c == v
        cond = strictly if cond is None else sa.or_(strictly, sa.and_(equal, cond))
    return cond


def number_of(session: Session, instance_id: UUID, read: bool = True) -> str | None:
    """A request's number (``engine.store.numbers``), read once per process; with
    ``read=False`` only from memory (right after a command, on its write session)."""
    found = numbers.known(instance_id)
    if found is None and read:
        found = session.connection().execute(
            sa.select(_i.number).where(_i.id == instance_id)).scalar()
        if found is not None:
            numbers.remember(instance_id, found)
    return found


def inbox_paths(session: Session, instance_ids: list[UUID]) -> dict[UUID, list[str]]:
    """The nodes each instance went through, in order (for an inbox page's return
    targets)."""
    v = NodeVisit.__table__.c  # type: ignore[attr-defined]
    rows = session.connection().execute(
        sa.select(v.instance_id, v.node).where(v.instance_id.in_(instance_ids))
        .order_by(v.instance_id, v.entered_seq)).all()
    paths: dict[UUID, list[str]] = {}
    for iid, node in rows:
        paths.setdefault(iid, []).append(node)
    return paths


def list_instances(session: Session, username: str, scope: Scope | str,
                   status: str | None = None, definition: str | None = None, limit: int = 50,
                   offset: int = 0) -> tuple[list[Instance], int]:
    where: list[Any] = []
    if scope == "mine":
        where.append(Instance.initiator == username)
    elif scope == "cc":
        copied = select(CarbonCopy.instance_id).where(CarbonCopy.username == username)
        where.append(col(Instance.id).in_(copied))
    elif scope != "all":
        raise ValueError(f"unknown scope {scope!r}: use mine, cc or all")
    if status == "finished":
        where.append(col(Instance.finished_at).is_not(None))
    elif status is not None:
        where.append(Instance.status == status)
    if definition is not None:
        where.append(Instance.definition_key == definition)
    query = (select(Instance).where(*where)
             .order_by(col(Instance.started_at).desc(), col(Instance.id))
             .limit(limit).offset(offset))
    total = session.exec(select(func.count()).select_from(Instance).where(*where)).one()
    return list(session.exec(query).all()), int(total)


def get_instance(session: Session, instance_id: UUID) -> InstanceState:
    return replay(event_log.load(session, instance_id))


def instance_events(session: Session, instance_id: UUID) -> list[Event]:
    return event_log.load(session, instance_id)


def instance_visits(session: Session, instance_id: UUID) -> list[NodeVisit]:
    return list(session.exec(select(NodeVisit).where(NodeVisit.instance_id == instance_id)
                             .order_by(col(NodeVisit.entered_seq))).all())


def holders(session: Session, instance_ids: list[UUID]) -> dict[UUID, list[str]]:
    """Who holds a pending task of each instance (sorted, each name once)."""
    rows = session.exec(select(Task.instance_id, Task.assignee).where(
        col(Task.instance_id).in_(instance_ids), Task.status == "pending")).all()
    found: dict[UUID, set[str]] = {}
    for iid, assignee in rows:
        found.setdefault(iid, set()).add(assignee)
    return {iid: sorted(names) for iid, names in found.items()}


def form_data(session: Session, instance_ids: Sequence[UUID]) -> dict[UUID, dict[str, Any]]:
    """The form data of each of ``instance_ids`` (one query; none when none asked)."""
    if not instance_ids:
        return {}
    rows = session.exec(select(Instance.id, Instance.data).where(
        col(Instance.id).in_(list(instance_ids)))).all()
    return {iid: dict(data or {}) for iid, data in rows}


def users(session: Session) -> list[User]:
    """Every user of the directory, by username."""
    return [user_of(r) for r in session.exec(select(AppUser).order_by(col(AppUser.username)))]


def get_task(session: Session, task_id: UUID) -> Task:
    task = session.get(Task, task_id)
    if task is None:
        raise TaskNotFound(task_id)
    return task


def node_visits(session: Session, definition_key: str, since: datetime | None = None,
                until: datetime | None = None) -> list[NodeVisit]:
    where: list[Any] = [NodeVisit.definition_key == definition_key]
    if since is not None:
        where.append(col(NodeVisit.entered_at) >= since)
    if until is not None:
        where.append(col(NodeVisit.entered_at) < until)
    return list(session.exec(select(NodeVisit).where(*where).order_by(
        col(NodeVisit.node), col(NodeVisit.entered_at))).all())


def forecast(engine: sa.Engine, defn: ProcessDefinition, state: InstanceState,
             events: Sequence[Event], now: datetime) -> Forecast:
    """A request's deadline and, while it runs, its predicted finish (median, p80) and
    whether it is at risk (``engine.analytics.live``): the process's learned step times
    are read through ``engine`` (a reading engine) at most every few minutes."""
    from engine.analytics.calendar import WorkingCalendar
    from engine.analytics.live import CACHE
    from engine.analytics.live import forecast as run
    from engine.store.messaging import calendar_of

    cal = calendar_of(engine)
    calendar = cal if isinstance(cal, WorkingCalendar) else WorkingCalendar()
    return run(defn, CACHE.get(engine, defn, calendar), state, events, now)


@dataclass(frozen=True, slots=True)
class Committed:
    """What a command of this process just committed for one instance."""

    events: list[Event]
    visits: list[NodeVisit]
    definition: ProcessDefinition | None  # None when not parsed in this process


def just_committed(session: Session, instance_id: UUID, seq: int) -> Committed | None:
    """The first ``seq`` events of ``instance_id``, their node visits and the definition,
    without a query, when a command of this process on ``session``'s database committed
    exactly that history last (``engine.store.recent``); else None (read them with
    ``instance_events``...). Matched by value: the log is append-only, so the first
    ``seq`` events of an instance, once committed, are the same wherever they are read."""
    entry = _committed(session, instance_id, seq)
    if entry is None or entry.projection is None:
        return None
    visits = sorted((NodeVisit(**row) for row in entry.projection.visits.values()),
                    key=lambda v: v.entered_seq)
    return Committed(list(entry.events), visits, _definition_of(entry))


def committed_definition(session: Session, instance_id: UUID, seq: int
                         ) -> tuple[bool, ProcessDefinition | None]:
    """``just_committed``'s answer without the events and visits: (whether a command of
    this process just committed that history, its definition when parsed here)."""
    entry = _committed(session, instance_id, seq)
    return entry is not None, _definition_of(entry) if entry is not None else None


def _committed(session: Session, instance_id: UUID, seq: int) -> recent.Loaded | None:
    bind = session.get_bind()
    entry = recent.of(bind).get(instance_id) if isinstance(bind, sa.Engine) else None
    if entry is None or entry.projection is None or entry.projection.state.seq != seq:
        return None
    return entry


def _definition_of(entry: recent.Loaded) -> ProcessDefinition | None:
    assert entry.projection is not None
    state = entry.projection.state
    key, number, digest = entry.version or (None, None, None)
    return (defs.cached(state.definition_key, state.definition_version, digest)
            if digest is not None
            and (key, number) == (state.definition_key, state.definition_version)
            else None)


__all__ = ["COUNT_CAP", "REQUEST_SORTS", "SEARCH_SQL", "STATUSES", "TASK_SORTS", "Committed",
           "Forecast", "Found", "InboxRow", "InboxTask", "ListFilter", "ListFilterInvalid",
           "RequestRow", "account", "api_token", "api_tokens", "cached_definition",
           "committed_definition", "count_capped", "cursor_values", "find_requests",
           "find_tasks", "forecast", "get_instance", "get_task", "holders", "inbox", "inbox_paths",
           "instance_events", "instance_visits", "just_committed", "late", "list_instances",
           "node_visits", "number_of", "out_of_office", "search_terms", "users"]
