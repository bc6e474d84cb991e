"""Batches of rows (``engine.store.bulk``): COPY on PostgreSQL, executemany on SQLite,
the same rows back on both, updating many rows by key and deleting many (task, timer)
pairs in one statement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import uuid4

import pytest
import sqlalchemy as sa

from engine.store import Database, OutboxRow, TimerRow, bulk

_outbox = OutboxRow.__table__  # type: ignore[attr-defined]
_timer = TimerRow.__table__  # type: ignore[attr-defined]
SHANGHAI = timezone(timedelta(hours=8))


def _rows(n: int) -> list[dict[str, Any]]:
    at = datetime(2026, 12, 1, 9, 30, 15, 123456, tzinfo=SHANGHAI)
    return [{"id": uuid4(), "kind": "reminder", "recipient": f"user{i}", "channel": "email",
             "payload": {"n": i, "text": "tab\there, 引号 \"q\" \\ back\nline", "none": None,
                         "list": [1, 2.5, True]},
             "created_at": at, "attempts": 0, "next_attempt_at": at + timedelta(minutes=i),
             "status": "pending", "last_error": None if i % 2 else "a\\b\tc", "sent_at": None}
            for i in range(n)]


@pytest.mark.parametrize("n", [1, bulk.COPY_FROM - 1, bulk.COPY_FROM, 150])
def test_insert_rows_stores_what_an_insert_would(db: Database, n: int) -> None:
    rows = _rows(n)
    with db.session() as s:
        bulk.insert_rows(s.connection(), _outbox, rows)
        s.commit()
    with db.session(write=False) as s:
        got = {r["id"]: dict(r) for r in s.connection().execute(sa.select(_outbox)).mappings()}
    assert got == {r["id"]: r for r in rows}
    assert all(r["created_at"].tzinfo == UTC for r in got.values())


def test_insert_rows_is_part_of_the_transaction(db: Database) -> None:
    with db.session() as s:
        bulk.insert_rows(s.connection(), _outbox, _rows(20))
        s.rollback()
    with db.session(write=False) as s:
        assert s.connection().execute(sa.select(sa.func.count()).select_from(_outbox)
                                      ).scalar_one() == 0


@pytest.mark.parametrize("n", [1, 40])
def test_delete_pairs_deletes_exactly_those(db: Database, n: int) -> None:
    now = datetime.now(UTC)
    tasks = [uuid4() for _ in range(n)]
    rows = [{"task_id": t, "timer": k, "instance_id": uuid4(), "due_at": now}
            for t in tasks for k in ("r0", "r1")]
    with db.session() as s:
        bulk.insert_rows(s.connection(), _timer, rows)
        bulk.delete_pairs(s.connection(), _timer, "task_id", "timer",
                          [(t, "r0") for t in tasks] + [(uuid4(), "r1")])
        s.commit()
    with db.session(write=False) as s:
        left = set(s.connection().execute(sa.select(_timer.c.task_id, _timer.c.timer)).all())
    assert left == {(t, "r1") for t in tasks}


@pytest.mark.parametrize("n", [1, bulk.COPY_FROM, 60])
def test_update_rows_sets_those_columns_of_those_rows(db: Database, n: int) -> None:
    rows = _rows(n + 1)
    with db.session() as s:
        bulk.insert_rows(s.connection(), _outbox, rows)
        later = datetime(2026, 12, 2, 1, 2, 3, 456789, tzinfo=SHANGHAI)
        bulk.update_rows(s.connection(), _outbox, "id", [
            {"id": r["id"], "attempts": i + 7, "next_attempt_at": later + timedelta(seconds=i)}
            for i, r in enumerate(rows[:n])])  # the last row stays as it was
        s.commit()
    with db.session(write=False) as s:
        got = {r["id"]: dict(r) for r in s.connection().execute(sa.select(_outbox)).mappings()}
    want = {r["id"]: r for r in rows}
    for i, r in enumerate(rows[:n]):
        want[r["id"]] = {**r, "attempts": i + 7, "next_attempt_at": later + timedelta(seconds=i)}
    assert got == want


@pytest.mark.parametrize("n", [1, 30])
def test_together_sends_the_same_writes_at_the_end(db: Database, n: int) -> None:
    rows, now = _rows(n + 2), datetime.now(UTC)
    timers = [{"task_id": uuid4(), "timer": "r0", "instance_id": uuid4(), "due_at": now}
              for _ in range(n + 1)]
    with db.session() as s:
        conn = s.connection()
        bulk.insert_rows(conn, _timer, timers)
        with bulk.together(conn):
            bulk.insert_rows(conn, _outbox, rows[:n])
            bulk.update_rows(conn, _outbox, "id", [{"id": r["id"], "attempts": 5}
                                                   for r in rows[:n]])  # sends the insert
            bulk.delete_pairs(conn, _timer, "task_id", "timer",
                              [(t["task_id"], "r0") for t in timers[:n]])
            bulk.insert_rows(conn, _outbox, rows[n:])  # the table again: sent in order
        s.commit()
    with db.session(write=False) as s:
        got = {r["id"]: dict(r) for r in s.connection().execute(sa.select(_outbox)).mappings()}
        left = s.connection().execute(sa.select(_timer.c.task_id)).scalars().all()
    assert got == {r["id"]: {**r, "attempts": 5 if i < n else 0} for i, r in enumerate(rows)}
    assert left == [timers[-1]["task_id"]]


def test_together_sends_nothing_when_the_block_fails_and_a_clash_still_raises(
        db: Database) -> None:
    rows = _rows(10)
    with db.session() as s, pytest.raises(RuntimeError), bulk.together(s.connection()):
        bulk.insert_rows(s.connection(), _outbox, rows)
        raise RuntimeError("stop")
    with db.session() as s:
        bulk.insert_rows(s.connection(), _outbox, rows[:1])
        s.commit()
    with db.session() as s, pytest.raises(sa.exc.IntegrityError), bulk.together(s.connection()):
        bulk.insert_rows(s.connection(), _outbox, rows)
    with db.session(write=False) as s:
        assert s.connection().execute(sa.select(_outbox.c.id)).scalars().all() == [rows[0]["id"]]
