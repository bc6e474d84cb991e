"""``check``: do the projections agree with the event log? ``rebuild``: make them agree.

``check`` replays every instance's history and compares the ``instance``, ``task``,
``node_visit`` and ``cc`` rows it implies with the rows stored, reporting every
disagreement. It only reads, in batches, so operators can run it on a live database
(``signoff db check``); on a busy database use one read transaction per run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Session

from engine.store import event_log
from engine.store.projections import Projection, Row, cc_key, project
from engine.store.writer import _cc, _instance, _task, _visit, delete_all_projections, insert_all

_events = event_log._table


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """One disagreement. ``column`` is None when a whole row is missing or extra."""

    instance_id: UUID
    table: str
    key: str
    column: str | None
    expected: Any
    actual: Any

    def __str__(self) -> str:
        where = f"{self.table}[{self.key}]" + (f".{self.column}" if self.column else "")
        return (f"instance {self.instance_id}: {where}: expected {self.expected!r}, "
                f"found {self.actual!r}")


def _rows(session: Session, table: sa.Table, column: sa.Column[Any],
          ids: list[UUID]) -> list[Row]:
    result = session.connection().execute(sa.select(table).where(column.in_(ids)))
    return [dict(r._mapping) for r in result]


def _compare(iid: UUID, table: str, expected: dict[Any, Row], actual: dict[Any, Row],
             skip: Iterable[str] = ()) -> list[Discrepancy]:
    out = []
    for key in sorted(expected.keys() | actual.keys(), key=str):
        want, have = expected.get(key), actual.get(key)
        if want is None or have is None:
            out.append(Discrepancy(iid, table, str(key), None,
                                   "a row" if want else None, "a row" if have else None))
            continue
        out += [Discrepancy(iid, table, str(key), col, want[col], have.get(col))
                for col in want if col not in skip and want[col] != have.get(col)]
    return out


def _by_instance(rows: list[Row]) -> dict[UUID, list[Row]]:
    out: dict[UUID, list[Row]] = defaultdict(list)
    for r in rows:
        out[r["instance_id"]].append(r)
    return out


def _check_batch(session: Session, ids: list[UUID]) -> list[Discrepancy]:
    histories = event_log.load_many(session, ids)
    instances = {r["id"]: r for r in _rows(session, _instance, _instance.c.id, ids)}
    tasks = _by_instance(_rows(session, _task, _task.c.instance_id, ids))
    visits = _by_instance(_rows(session, _visit, _visit.c.instance_id, ids))
    ccs = _by_instance(_rows(session, _cc, _cc.c.instance_id, ids))
    out: list[Discrepancy] = []
    for iid in ids:
        p: Projection = project(histories[iid])
        out += _compare(iid, "instance", {iid: p.instance},
                        {iid: instances[iid]} if iid in instances else {})
        out += _compare(iid, "task", p.tasks, {t["id"]: t for t in tasks[iid]})
        out += _compare(iid, "node_visit", p.visits,
                        {(v["node"], v["visit"]): v for v in visits[iid]})
        want = sorted(map(cc_key, p.cc), key=str)
        have = sorted(map(cc_key, ccs[iid]), key=str)
        if want != have:
            out.append(Discrepancy(iid, "cc", "*", None, want, have))
    return out


def _orphans(session: Session) -> list[Discrepancy]:
    """Projection rows of instances that have no events at all."""
    logged = sa.select(_events.c.instance_id).where(_events.c.seq == 1)
    out = []
    for table, column in ((_instance, _instance.c.id), (_task, _task.c.instance_id),
                          (_visit, _visit.c.instance_id), (_cc, _cc.c.instance_id)):
        query = sa.select(column).where(column.not_in(logged)).distinct()
        out += [Discrepancy(iid, table.name, "*", None, None, "rows without events")
                for iid in session.connection().execute(query).scalars()]
    return out


def check(session: Session, batch: int = 500,
          progress: Callable[[int], None] | None = None) -> list[Discrepancy]:
    """Every disagreement between the projections and a replay of the event log."""
    if session.get_bind().dialect.name == "postgresql" and not session.in_transaction():
        # One snapshot for the whole run: commands committing meanwhile on a live
        # database must not show up as half-seen disagreements.
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    out: list[Discrepancy] = []
    for ids in event_log.instance_ids(session, batch):
        out += _check_batch(session, ids)
        if progress:
            progress(len(ids))
    return out + _orphans(session)


def rebuild(session: Session, batch: int = 500,
            progress: Callable[[int], None] | None = None) -> int:
    """Recompute every projection row from the event log; return the number of instances.
    Runs in the caller's transaction (commit afterwards). A maintenance operation: run it
    with the app stopped, since commands committing meanwhile could be overwritten."""
    conn = session.connection()
    # request numbers are plain state on the instance rows, not in the log: keep them
    kept = conn.execute(sa.select(_instance.c.id, _instance.c.number)
                        .where(_instance.c.number.is_not(None))).all()
    delete_all_projections(session)
    count = 0
    for ids in event_log.instance_ids(session, batch):
        histories = event_log.load_many(session, ids)
        insert_all(session, [project(histories[i]) for i in ids])
        count += len(ids)
        if progress:
            progress(len(ids))
    if kept:
        conn.execute(_instance.update().where(_instance.c.id == sa.bindparam("k_id"))
                     .values(number=sa.bindparam("n")), [{"k_id": i, "n": n} for i, n in kept])
    return count


__all__ = ["Discrepancy", "check", "rebuild"]
