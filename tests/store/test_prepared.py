"""Statements compiled once (``engine.store.prepared``) send the driver exactly what
``Connection.execute`` sends for the same statement and rows, on SQLite and PostgreSQL
(single rows as driver SQL there too; several rows go through ``Connection.execute``):
the same SQL, the same parameters after each column type's processing (aware datetimes,
JSON including a JSON null, UUIDs), one row or many."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import uuid4

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from engine.store import Database
from engine.store.prepared import Prepared
from engine.store.tables import metadata

_task = metadata.tables["task"]
_events = metadata.tables["event_log"]
SHANGHAI = timezone(timedelta(hours=8))
AT = datetime(2026, 12, 1, 9, 30, 15, 123456, tzinfo=SHANGHAI)


def _plain(value: Any) -> Any:
    """Parameters as values: psycopg's ``Json`` wrappers compare by identity."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return ("json", value.obj) if type(value).__name__ == "Json" else value


def _sent(db: Database, work: Callable[[sa.Connection], None]) -> list[tuple[str, Any]]:
    """The (SQL, driver parameters) ``work`` sends, rolled back afterwards."""
    seen: list[tuple[str, Any]] = []

    def on_execute(_c: Any, _cur: Any, sql: str, params: Any, *_: Any) -> None:
        seen.append((sql, _plain(params)))

    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        with db.session() as s:
            work(s.connection())
            s.rollback()
    finally:
        event.remove(db.engine, "before_cursor_execute", on_execute)
    return [x for x in seen if not x[0].lstrip().upper().startswith(("BEGIN", "SAVEPOINT"))]


def _event_rows(n: int) -> list[dict[str, Any]]:
    iid = uuid4()
    return [{"instance_id": iid, "seq": i + 1, "kind": "comment_added",
             "payload": None if i == 1 else {"text": "引号 \"q\" \\", "n": [1, 2.5, True]},
             "at": AT + timedelta(seconds=i)} for i in range(n)]


@pytest.mark.parametrize("n", [1, 3])
def test_an_insert_sends_what_execute_sends(db: Database, n: int) -> None:
    rows = _event_rows(n)
    names = tuple(rows[0])
    statement = _events.insert()
    plain = _sent(db, lambda c: c.execute(statement, rows[0] if n == 1 else rows))
    fast = _sent(db, lambda c: Prepared(statement, names).run(c, rows))
    assert fast == plain and len(fast) == 1


@pytest.mark.parametrize("n", [1, 2])
def test_an_update_sends_what_execute_sends(db: Database, n: int) -> None:
    statement = _task.update().where(_task.c.id == sa.bindparam("k_id")).values(
        status=sa.bindparam("status"), decided_at=sa.bindparam("decided_at"))
    rows = [{"k_id": uuid4(), "status": "done", "decided_at": None if i else AT.astimezone(UTC)}
            for i in range(n)]
    plain = _sent(db, lambda c: c.execute(statement, rows[0] if n == 1 else rows))
    fast = _sent(db, lambda c: Prepared(statement, ("k_id", "status", "decided_at")).run(c, rows))
    assert fast == plain and len(fast) == 1


def test_prepared_rows_are_stored_and_read_back(db: Database) -> None:
    rows = _event_rows(3)
    with db.session() as s:
        Prepared(_events.insert(), tuple(rows[0])).run(s.connection(), rows)
        s.commit()
    with db.session(write=False) as s:
        got = s.connection().execute(sa.select(_events.c.seq, _events.c.payload, _events.c.at)
                                     .order_by(_events.c.seq)).all()
    assert [(r.seq, r.payload, r.at) for r in got] == [(r["seq"], r["payload"], r["at"])
                                                      for r in rows]
    assert all(r.at.tzinfo is not None for r in got)


def test_a_time_bound_again_sends_what_execute_sends(db: Database) -> None:
    """The remembered ``AwareDateTime`` processing: the same instant in other zones, again
    and again, still sends what ``Connection.execute`` sends, and naive times still fail."""
    rows = [{"k_id": uuid4(), "status": "done", "decided_at": at}
            for at in (AT, AT.astimezone(UTC), AT, AT + timedelta(microseconds=1), AT)]
    statement = _task.update().where(_task.c.id == sa.bindparam("k_id")).values(
        status=sa.bindparam("status"), decided_at=sa.bindparam("decided_at"))
    fast = Prepared(statement, ("k_id", "status", "decided_at"))
    for row in rows:
        plain = _sent(db, lambda c, row=row: c.execute(statement, row))
        assert _sent(db, lambda c, row=row: fast.run(c, [row])) == plain
    naive = {**rows[0], "decided_at": AT.replace(tzinfo=None)}
    for _ in range(2):
        with pytest.raises((ValueError, sa.exc.StatementError), match="naive"):
            _sent(db, lambda c: fast.run(c, [naive]))
