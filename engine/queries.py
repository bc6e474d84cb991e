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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
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
from engine.store import event_log, recent
from engine.store.absences import next_period as out_of_office
from engine.store.credentials import account, api_token, api_tokens
from engine.store.org import user_of
from engine.store.tables import AppUser, CarbonCopy, Instance, NodeVisit, Task

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
    bind = session.get_bind()
    entry = recent.of(bind).get(instance_id) if isinstance(bind, sa.Engine) else None
    if entry is None or entry.projection is None or entry.projection.state.seq != seq:
        return None
    state = entry.projection.state
    visits = sorted((NodeVisit(**row) for row in entry.projection.visits.values()),
                    key=lambda v: v.entered_seq)
    key, number, digest = entry.version or (None, None, None)
    defn = (defs.cached(state.definition_key, state.definition_version, digest)
            if digest is not None
            and (key, number) == (state.definition_key, state.definition_version)
            else None)
    return Committed(list(entry.events), visits, defn)


__all__ = ["Committed", "Forecast", "InboxRow", "InboxTask", "account", "api_token",
           "api_tokens", "forecast", "get_instance", "get_task", "holders", "inbox",
           "inbox_paths", "instance_events", "instance_visits", "just_committed",
           "list_instances", "node_visits", "out_of_office", "users"]
