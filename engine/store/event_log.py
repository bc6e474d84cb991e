"""The append-only event log: ``append`` and ``load``. Nothing here updates or deletes.

Each instance's events are numbered ``seq`` 1, 2, ... with a unique (instance_id, seq).
A writer appends after the ``seq`` it read; if another writer got there first the insert
clashes and ``append`` raises ``ConcurrentUpdate`` (after rolling the session back: on
PostgreSQL the transaction is dead at that point anyway).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Session

from engine.core.errors import ConcurrentUpdate, InstanceNotFound
from engine.core.events import Event, from_record, to_record
from engine.store import prepared
from engine.store.tables import metadata

_table = metadata.tables["event_log"]
_instance = metadata.tables["instance"]
_task = metadata.tables["task"]
_version = metadata.tables["definition_version"]


def _history(where: sa.ColumnElement[bool]) -> sa.Select[Any]:
    """An instance's events in order, each row with the digest of the instance's definition
    version (NULL when the version is not stored): one round trip for the command path."""
    t, i, v = _table, _instance, _version
    return (sa.select(t.c.instance_id, t.c.seq, t.c.kind, t.c.payload, t.c.at,
                      i.c.definition_key, i.c.definition_version, v.c.digest)
            .select_from(t.outerjoin(i, i.c.id == t.c.instance_id).outerjoin(
                v, sa.and_(v.c.key == i.c.definition_key,
                           v.c.version == i.c.definition_version)))
            .where(where).order_by(t.c.seq))


_BY_INSTANCE = _history(_table.c.instance_id == sa.bindparam("instance_id"))
_FROM_SEQ = _history(sa.and_(_table.c.instance_id == sa.bindparam("instance_id"),
                             _table.c.seq >= sa.bindparam("seq")))
_BY_TASK = _history(_table.c.instance_id == sa.select(_task.c.instance_id).where(
    _task.c.id == sa.bindparam("task_id")).scalar_subquery())


def records(instance_id: UUID, after: int, events: Sequence[Event]) -> list[dict[str, Any]]:
    """The ``event_log`` rows for ``events`` appended after ``seq == after``."""
    rows = []
    for i, event in enumerate(events, start=after + 1):
        if event.instance_id != instance_id:
            raise ValueError(f"event {event.kind} belongs to {event.instance_id}, "
                             f"not {instance_id}")
        kind, payload = to_record(event)
        rows.append({"instance_id": instance_id, "seq": i, "kind": kind, "payload": payload,
                     "at": event.at})
    return rows


def append(session: Session, instance_id: UUID, after: int, events: Sequence[Event],
           conn: sa.Connection | None = None) -> int:
    """Append ``events`` after ``seq == after``; return the new last seq."""
    if not events:
        return after
    try:
        rows = records(instance_id, after, events)
        prepared.insert(conn or session.connection(), _table, rows)
    except sa.exc.IntegrityError:
        session.rollback()
        raise ConcurrentUpdate(instance_id, after + 1) from None
    return after + len(events)


#: (definition key, version, digest) as the instance row names them; digest None when
#: that version is not stored
VersionRow = tuple[str | None, int | None, str | None]


def for_command(conn: sa.Connection, *, instance_id: UUID | None = None,
                task_id: UUID | None = None, from_seq: int = 1
                ) -> tuple[list[Event], VersionRow | None]:
    """The events of the instance ``instance_id`` (from ``seq == from_seq`` on), or the
    whole history of the one owning ``task_id``, with the instance's definition version
    (one round trip). Empty when there is no such instance (or no such events)."""
    if task_id is not None:
        rows = conn.execute(_BY_TASK, {"task_id": task_id}).all()
    elif from_seq > 1:
        rows = conn.execute(_FROM_SEQ, {"instance_id": instance_id, "seq": from_seq}).all()
        if rows and rows[0].seq != from_seq:
            return [], None  # the log does not continue what the caller knows
    else:
        rows = conn.execute(_BY_INSTANCE, {"instance_id": instance_id}).all()
    if not rows:
        return [], None
    first = rows[0]
    return [_event(r) for r in rows], (first.definition_key, first.definition_version,
                                       first.digest)


def _event(row: Any) -> Event:
    return from_record(row.kind, row.payload, row.instance_id, row.at)


def load(session: Session, instance_id: UUID, upto: int | None = None) -> list[Event]:
    """The instance's events in order (up to ``seq == upto``); InstanceNotFound if none."""
    query = sa.select(_table.c.instance_id, _table.c.kind, _table.c.payload, _table.c.at
                      ).where(_table.c.instance_id == instance_id).order_by(_table.c.seq)
    if upto is not None:
        query = query.where(_table.c.seq <= upto)
    events = [_event(r) for r in session.connection().execute(query)]
    if not events:
        raise InstanceNotFound(instance_id)
    return events


def load_many(session: Session, instance_ids: Iterable[UUID]) -> dict[UUID, list[Event]]:
    """Histories of several instances in one query (missing ones are left out)."""
    ids = list(instance_ids)
    out: dict[UUID, list[Event]] = defaultdict(list)
    if not ids:
        return out
    query = sa.select(_table.c.instance_id, _table.c.kind, _table.c.payload, _table.c.at
                      ).where(_table.c.instance_id.in_(ids)).order_by(_table.c.instance_id,
                                                                     _table.c.seq)
    for row in session.connection().execute(query):
        out[row.instance_id].append(_event(row))
    return out


def instance_ids(session: Session, batch: int = 500) -> Iterable[list[UUID]]:
    """Every instance id in the log, in batches (keyset pagination: fine on a live DB)."""
    last: UUID | None = None
    while True:
        query = sa.select(_table.c.instance_id).where(_table.c.seq == 1)
        if last is not None:
            query = query.where(_table.c.instance_id > last)
        ids = list(session.connection().execute(
            query.order_by(_table.c.instance_id).limit(batch)).scalars())
        if not ids:
            return
        yield ids
        last = ids[-1]


__all__ = ["append", "for_command", "instance_ids", "load", "load_many", "records"]
