"""Connecting to the database: ``open_database(url) -> Database``.

``Database.session()`` is a context manager giving a ``sqlmodel.Session`` for one unit of
work; commit inside it (the service functions do). It is closed, and rolled back if not
committed, on exit.

SQLite (the embedded default): WAL, foreign keys on, a busy timeout, and one writer per
process. SQLite allows one writer at a time; threads racing for its file lock with a busy
timeout gave a p99 near one second under load, while one writer per process (an in-process
lock taken before ``BEGIN IMMEDIATE``) kept it at 40 ms (see STYLE.md). So
``session()`` takes the process-wide write lock for that database file and starts its
transaction with ``BEGIN IMMEDIATE``: a transaction that reads then writes can never be
refused halfway. Read-only work (the inbox, reports) should use ``session(write=False)``:
no lock, a deferred ``BEGIN``, and readers run alongside the writer thanks to WAL.
Do not nest two write sessions in one thread: the second would wait on the first.

PostgreSQL (``postgresql+psycopg://...``): psycopg 3 with a connection pool; several
processes may write at once, and the per-instance sequence number in ``event_log`` makes
the loser of a race fail cleanly (``ConcurrentUpdate``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

SQLITE_BUSY_TIMEOUT_MS = 10_000
_write_locks: dict[str, threading.RLock] = {}
_write_locks_guard = threading.Lock()


def _write_lock_for(url: sa.URL) -> threading.RLock:
    # One lock per database file, however its URL spells the path.
    key = os.path.realpath(url.database or "")
    with _write_locks_guard:
        return _write_locks.setdefault(key, threading.RLock())


def _sqlite_engine(url: sa.URL, begin: str) -> Engine:
    engine = sa.create_engine(url, connect_args={"check_same_thread": False,
                                                 "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, emit BEGIN (transactional DDL, and the
        # BEGIN IMMEDIATE below); recipe from SQLAlchemy's SQLite dialect docs.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # In WAL mode NORMAL syncs the WAL at checkpoints, not at every commit: a commit
        # survives the application crashing; only an OS crash or power loss may lose the
        # last commits (never corrupting the file). FULL would fsync every commit.
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql(begin)

    return engine


@dataclass
class Database:
    """An open database: ``engine`` (the writer), ``session()`` and ``dispose()``."""

    url: sa.URL
    engine: Engine
    read_engine: Engine
    _write_lock: threading.RLock | None = field(default=None, repr=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self, write: bool = True) -> Iterator[Session]:
        if not write:
            with Session(self.read_engine, expire_on_commit=False) as session:
                yield session
            return
        with self.write_lock(), Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Hold this process's write lock (SQLite only; a no-op on PostgreSQL)."""
        if self._write_lock is None:
            yield
            return
        with self._write_lock:
            yield

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()


def open_database(url: str | sa.URL) -> Database:
    """Connect to ``url`` (``sqlite:///path.db`` or ``postgresql+psycopg://...``).

    The schema is not touched: run ``engine.store.upgrade(url)`` (or ``signoff db
    upgrade``) first.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return Database(parsed, _sqlite_engine(parsed, "BEGIN IMMEDIATE"),
                        _sqlite_engine(parsed, "BEGIN"), _write_lock_for(parsed))
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() != "psycopg":
        parsed = parsed.set(drivername="postgresql+psycopg")
    engine = sa.create_engine(parsed, pool_size=10, max_overflow=20, pool_pre_ping=True,
                              pool_recycle=1800)
    return Database(parsed, engine, engine)


__all__ = ["Database", "open_database"]
