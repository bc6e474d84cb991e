"""One process at a time prepares a database: ``startup_lock(url)``.

Several ``signoff serve`` processes started at once on one empty database must migrate
it once (Alembic's ``alembic_version`` is not safe against two upgrades racing) and
sync the org directory and definitions once. The lock spans processes and hosts:

- PostgreSQL: a session advisory lock keyed by the schema (``current_schema()``), held
  on a connection of its own while the caller works on others.
- SQLite: an exclusive ``flock`` on a file beside the database (``<file>-startup.lock``);
  SQLite databases live on one host, and ``flock`` is released if the process dies.

The lock is reentrant within a process (an inner ``startup_lock`` on the same database,
from any function the holder calls, does not wait for itself).
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import make_url

_held: dict[str, threading.RLock] = {}
_depth: dict[str, int] = {}
_guard = threading.Lock()
_PG_KEY = "hashtext('signoff.startup:' || current_schema())"


def _process_lock(key: str) -> threading.RLock:
    with _guard:
        return _held.setdefault(key, threading.RLock())


@contextmanager
def startup_lock(url: str | sa.URL) -> Iterator[None]:
    """Hold the database's startup lock (waits for another process holding it)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    key = (os.path.realpath(parsed.database or "") if backend == "sqlite"
           else parsed.render_as_string(hide_password=True))
    with _process_lock(key):
        depth = _depth.get(key, 0)
        _depth[key] = depth + 1
        try:
            if depth:
                yield
            elif backend == "sqlite":
                with _file_lock(parsed):
                    yield
            elif backend == "postgresql":
                with _advisory_lock(parsed):
                    yield
            else:
                yield
        finally:
            _depth[key] = depth


@contextmanager
def _file_lock(url: sa.URL) -> Iterator[None]:
    if url.database in (None, "", ":memory:"):
        yield
        return
    path = f"{os.path.realpath(url.database or '')}-startup.lock"
    with open(path, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


@contextmanager
def _advisory_lock(url: sa.URL) -> Iterator[None]:
    if url.get_driver_name() != "psycopg":
        url = url.set(drivername="postgresql+psycopg")
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f"SELECT pg_advisory_lock({_PG_KEY})"))
            try:
                yield
            finally:
                conn.execute(sa.text(f"SELECT pg_advisory_unlock({_PG_KEY})"))
    finally:
        engine.dispose()


@contextmanager
def sqlite_worker_turn(url: str | sa.URL, stop: threading.Event,
                       poll_seconds: float = 2.0) -> Iterator[bool]:
    """On SQLite, wait for this process's turn to run the one worker of a database file.

    SQLite has one writer, and the outbox's claims are not row locks there, so two
    workers on one file (``signoff serve --workers 2``, or ``signoff worker`` beside a
    server) could deliver a message twice. Each worker waits for an exclusive ``flock`` on
    ``<file>-worker.lock``; the first takes it, the others stand by and take over if its
    process dies. Yields False when ``stop`` was set before the turn came. Elsewhere
    (PostgreSQL claims with SKIP LOCKED) every worker runs at once: yields True.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        yield True
        return
    path = f"{os.path.realpath(parsed.database or '')}-worker.lock"
    with open(path, "a+b") as fh:
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if stop.wait(poll_seconds):
                    yield False
                    return
        try:
            yield True
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


__all__ = ["sqlite_worker_turn", "startup_lock"]
