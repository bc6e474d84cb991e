"""Writing projections: the rows changed by a command, or many histories in bulk.

``write(session, old, new)`` writes only what differs between the projection before a
command and after it, so a command costs a few statements whatever the history length.
``insert_all(session, projections, event_rows)`` writes fresh instances with executemany.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from engine.store.projections import Projection, changed, flatten
from engine.store.tables import metadata

_instance = metadata.tables["instance"]
_task = metadata.tables["task"]
_visit = metadata.tables["node_visit"]
_cc = metadata.tables["cc"]
_events = metadata.tables["event_log"]
PROJECTION_TABLES = (_cc, _visit, _task, _instance)  # children first, for deletes


def _insert(conn: sa.Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(table.insert(), list(rows))


def write(session: Session, old: Projection | None, new: Projection) -> None:
    """Bring the projection rows of one instance from ``old`` to ``new``."""
    conn = session.connection()
    iid = new.instance["id"]
    if old is None:
        _insert(conn, _instance, [new.instance])
    elif diff := changed(old.instance, new.instance):
        conn.execute(_instance.update().where(_instance.c.id == iid).values(**diff))
    fresh_tasks = []
    for tid, row in new.tasks.items():
        before = old.tasks.get(tid) if old else None
        if before is None:
            fresh_tasks.append(row)
        elif diff := changed(before, row):
            conn.execute(_task.update().where(_task.c.id == tid).values(**diff))
    _insert(conn, _task, fresh_tasks)
    fresh_visits = []
    for key, row in new.visits.items():
        before = old.visits.get(key) if old else None
        if before is None:
            fresh_visits.append(row)
        elif diff := changed(before, row):
            conn.execute(_visit.update().where(
                _visit.c.instance_id == iid, _visit.c.node == key[0],
                _visit.c.visit == key[1]).values(**diff))
    _insert(conn, _visit, fresh_visits)
    _insert(conn, _cc, new.cc[len(old.cc) if old else 0:])


def insert_all(session: Session, projections: Iterable[Projection],
               event_rows: Sequence[dict[str, Any]] = ()) -> None:
    """Insert the rows of instances that have none yet (and their events, if given)."""
    conn = session.connection()
    instances, tasks, visits, cc = flatten(projections)
    _insert(conn, _events, event_rows)
    _insert(conn, _instance, instances)
    _insert(conn, _task, tasks)
    _insert(conn, _visit, visits)
    _insert(conn, _cc, cc)


def delete_all_projections(session: Session) -> None:
    """Empty the projection tables (never ``event_log``); for ``rebuild``."""
    conn = session.connection()
    for table in PROJECTION_TABLES:
        conn.execute(table.delete())


__all__ = ["PROJECTION_TABLES", "delete_all_projections", "insert_all", "write"]
