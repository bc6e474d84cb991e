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

from engine.store import bulk, prepared
from engine.store.projections import Projection, Row, changed, flatten
from engine.store.tables import metadata

_instance = metadata.tables["instance"]
_task = metadata.tables["task"]
_visit = metadata.tables["node_visit"]
_cc = metadata.tables["cc"]
_events = metadata.tables["event_log"]
PROJECTION_TABLES = (_cc, _visit, _task, _instance)  # children first, for deletes
_insert = prepared.insert  # compiled once per shape (``engine.store.prepared``)


def _update(conn: sa.Connection, table: sa.Table, keys: tuple[str, ...],
            changes: list[tuple[dict[str, Any], Row, Row]]) -> None:
    """UPDATE rows given as (key values, changed columns, new row): one executemany that
    sets, on every row, each column changed on any of them (to that row's new value)."""
    if not changes:
        return
    cols = tuple(sorted({c for _, diff, _ in changes for c in diff}))
    prepared.update(conn, table, keys, cols, [{**{f"k_{k}": v for k, v in key.items()},
                                               **{c: row[c] for c in cols}}
                                              for key, _, row in changes])


class _Changes:
    """Rows to insert and update per projection table, gathered over instances."""

    def __init__(self) -> None:
        self.inserts: dict[str, list[dict[str, Any]]] = {t.name: [] for t in PROJECTION_TABLES}
        self.updates: dict[str, list[tuple[dict[str, Any], Row, Row]]] = {
            t.name: [] for t in PROJECTION_TABLES}

    def add(self, old: Projection | None, new: Projection) -> None:
        iid = new.instance["id"]
        if old is None:
            self.inserts["instance"].append(new.instance)
        elif diff := changed(old.instance, new.instance):
            self.updates["instance"].append(({"id": iid}, diff, new.instance))
        for tid, row in new.tasks.items():
            before = old.tasks.get(tid) if old else None
            if before is None:
                self.inserts["task"].append(row)
            elif diff := changed(before, row):
                self.updates["task"].append(({"id": tid}, diff, row))
        for (node, visit), row in new.visits.items():
            before = old.visits.get((node, visit)) if old else None
            if before is None:
                self.inserts["node_visit"].append(row)
            elif diff := changed(before, row):
                self.updates["node_visit"].append(
                    ({"instance_id": iid, "node": node, "visit": visit}, diff, row))
        self.inserts["cc"] += new.cc[len(old.cc) if old else 0:]

    def execute(self, conn: sa.Connection) -> None:
        _insert(conn, _instance, self.inserts["instance"])
        _update(conn, _instance, ("id",), self.updates["instance"])
        _update(conn, _task, ("id",), self.updates["task"])
        _insert(conn, _task, self.inserts["task"])
        _update(conn, _visit, ("instance_id", "node", "visit"), self.updates["node_visit"])
        _insert(conn, _visit, self.inserts["node_visit"])
        _insert(conn, _cc, self.inserts["cc"])


def write(session: Session, old: Projection | None, new: Projection,
          conn: sa.Connection | None = None) -> None:
    """Bring the projection rows of one instance from ``old`` to ``new`` (through
    ``conn``, the session's connection, when the caller has it at hand)."""
    write_many(session, [(old, new)], conn)


def write_many(session: Session, pairs: Iterable[tuple[Projection | None, Projection]],
               conn: sa.Connection | None = None) -> None:
    """``write`` for many instances at once: one statement per table and change shape."""
    changes = _Changes()
    for old, new in pairs:
        changes.add(old, new)
    changes.execute(conn or session.connection())


def advance(conn: sa.Connection, instances: Sequence[tuple[Any, int, Any]]) -> None:
    """Set ``seq`` and ``updated_at`` of instances, given as (id, seq, updated_at): all
    that events which change nothing else in the projections (reminders) do to them."""
    bulk.update_rows(conn, _instance, "id", [{"id": iid, "seq": seq, "updated_at": at}
                                             for iid, seq, at in instances])


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


__all__ = ["PROJECTION_TABLES", "advance", "delete_all_projections", "insert_all", "write",
           "write_many"]
