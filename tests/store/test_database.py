"""``open_database``: SQLite's pragmas and one-writer rule; PostgreSQL through psycopg 3."""

from __future__ import annotations

import sqlite3
import threading

import pytest
import sqlalchemy as sa

from engine.store import Database, open_database


def test_sqlite_connections_are_set_up(db: Database) -> None:
    if db.dialect != "sqlite":
        assert db.engine.dialect.driver == "psycopg"
        plain = open_database(db.url.set(drivername="postgresql"))
        assert plain.engine.dialect.driver == "psycopg"
        plain.dispose()
        return
    with db.session(write=False) as s:
        pragma = {name: s.connection().exec_driver_sql(f"PRAGMA {name}").scalar()
                  for name in ("journal_mode", "foreign_keys", "busy_timeout")}
    assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 10_000}


def test_a_write_session_holds_the_write_lock_from_its_first_statement(db: Database) -> None:
    if db.dialect != "sqlite":
        pytest.skip("SQLite's file lock only")
    other = sqlite3.connect(str(db.url.database), timeout=0, isolation_level=None)
    with db.session() as s:
        s.connection().exec_driver_sql("SELECT 1")  # a read, yet BEGIN IMMEDIATE took the lock
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        # readers are not blocked (WAL), and another thread's writer waits its turn
        assert other.execute("SELECT count(*) FROM instance").fetchone() == (0,)
        entered = threading.Event()

        def second_writer() -> None:
            with db.session() as s2:
                entered.set()
                s2.connection().exec_driver_sql("SELECT 1")

        t = threading.Thread(target=second_writer)
        t.start()
        assert not entered.wait(0.2)  # held back by the process write lock
        s.rollback()
    t.join(timeout=10)
    assert entered.is_set()
    other.execute("BEGIN IMMEDIATE")  # free again
    other.execute("ROLLBACK")
    other.close()


def test_read_sessions_do_not_take_the_write_lock(db: Database) -> None:
    with db.session() as writer:
        writer.connection().exec_driver_sql("SELECT 1")
        done = []

        def read() -> None:
            with db.session(write=False) as r:
                done.append(r.connection().execute(sa.text("SELECT count(*) FROM task"))
                            .scalar())

        t = threading.Thread(target=read)
        t.start()
        t.join(timeout=10)
        assert done == [0]
