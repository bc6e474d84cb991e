"""Backup and restore of a live database.

``backup(url, out, method="auto", progress=None)`` writes a consistent copy:

- SQLite: SQLite's online backup API, page by page, inside one read transaction on the
  source (WAL keeps that snapshot still while writers go on), into a new SQLite file;
- PostgreSQL: ``pg_dump`` (custom format; one snapshot) when it is installed, else, or
  with ``method="logical"``, a logical export of every table read in one
  ``REPEATABLE READ`` transaction (``engine.store.logical``).

``restore(url, path, progress=None)`` loads any of these into an empty database: a SQLite
file into SQLite by the same backup API, a ``pg_dump`` file through ``pg_restore``, a
logical export (or a SQLite file) into either database at the backup's schema revision;
then migrations bring the schema to the newest revision. ``progress(done, total)`` is
called as work advances (pages, tables or rows).

Attachment files live outside the database (``engine.store.attachment_blobs``): the
backup holds their rows, and the attachment store is copied on its own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from engine.store import logical, pgdump
from engine.store.database import open_database
from engine.store.migrate import upgrade

Progress = Callable[[int, int | None], None]
Method = Literal["auto", "logical"]
SQLITE_MAGIC = b"SQLite format 3\x00"
GZIP_MAGIC = b"\x1f\x8b"


@dataclass
class Outcome:
    """What a backup or restore did: its ``method`` (``sqlite``, ``pg_dump``,
    ``logical``), the schema ``revision`` and, for logical copies, rows per table."""

    method: str
    revision: str | None = None
    rows: dict[str, int] = field(default_factory=dict)


class NotEmpty(Exception):
    """The database to restore into already holds tables."""


class _Counter:
    def __init__(self, progress: Progress | None, total: int | None) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def __call__(self, n: int) -> None:
        self.done += n
        if self.progress:
            self.progress(self.done, self.total)


def detect(path: Path) -> str:
    """``sqlite``, ``pg_dump`` or ``logical``, from the file's first bytes."""
    with path.open("rb") as fh:
        start = fh.read(16)
    if start.startswith(SQLITE_MAGIC):
        return "sqlite"
    if start.startswith(pgdump.MAGIC):
        return "pg_dump"
    if start.startswith(GZIP_MAGIC):
        return "logical"
    raise ValueError(f"{path} is not a Signoff backup (SQLite, pg_dump or logical export)")


def _sqlite_file(url: sa.URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise ValueError("SQLite backups need a database file")
    return Path(url.database)


def backup(url: str | sa.URL, out: Path, method: Method = "auto",
           progress: Progress | None = None) -> Outcome:
    parsed = make_url(url)
    if out.exists():
        raise FileExistsError(f"{out} exists: choose a new file name")
    backend = parsed.get_backend_name()
    try:
        if backend == "sqlite" and method == "auto":
            return _backup_sqlite(_sqlite_file(parsed), out, progress)
        if backend == "postgresql" and method == "auto" and pgdump.available():
            return _backup_pg_dump(parsed, out, progress)
        return _backup_logical(parsed, out, progress)
    except BaseException:
        out.unlink(missing_ok=True)
        raise


def _backup_pg_dump(url: sa.URL, out: Path, progress: Progress | None) -> Outcome:
    db = open_database(url)
    try:
        with db.read_engine.connect() as conn:
            schema = str(conn.execute(sa.text("select current_schema()")).scalar())
            count, revision = len(logical.tables(conn)), logical.revision(conn)
    finally:
        db.dispose()
    pgdump.dump(db.url, schema, out, _Counter(progress, count))
    return Outcome("pg_dump", revision)


def _backup_logical(url: sa.URL, out: Path, progress: Progress | None) -> Outcome:
    db = open_database(url)
    try:
        with db.read_engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():  # one snapshot for every table
                if conn.dialect.name == "postgresql":
                    conn.execute(sa.text("SET TRANSACTION READ ONLY"))
                header, rows = logical.read(conn)
                logical.write(out, header, rows, _Counter(progress, header.total_rows))
    finally:
        db.dispose()
    return Outcome("logical", header.revision, {t.name: t.rows for t in header.tables})


def _backup_sqlite(source: Path, out: Path, progress: Progress | None) -> Outcome:
    if not source.exists():
        raise FileNotFoundError(f"no database at {source}")
    src = sqlite3.connect(source, isolation_level=None)
    dst = sqlite3.connect(out)
    try:
        src.execute("BEGIN")  # one snapshot: pages written meanwhile are not seen
        revision = _sqlite_revision(src)

        def step(_status: int, remaining: int, total: int) -> None:
            if progress:
                progress(total - remaining, total)

        src.backup(dst, pages=256, progress=step)
        src.execute("COMMIT")
    except BaseException:
        dst.close()
        out.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    dst.close()
    return Outcome("sqlite", revision)


def _sqlite_revision(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("select version_num from alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    return str(row[0]) if row else None


def is_empty(url: str | sa.URL) -> bool:
    """No table in the database (or, on PostgreSQL, in its current schema)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = _sqlite_file(parsed)
        if not path.exists() or path.stat().st_size == 0:
            return True
    db = open_database(parsed)
    try:
        with db.read_engine.connect() as conn:
            return not sa.inspect(conn).get_table_names()
    finally:
        db.dispose()


def restore(url: str | sa.URL, path: Path, progress: Progress | None = None) -> Outcome:
    parsed = make_url(url)
    kind = detect(path)
    if not is_empty(parsed):
        raise NotEmpty("the database to restore into already holds tables: restore into "
                       "an empty database (a new file, database or schema)")
    backend = parsed.get_backend_name()
    if kind == "pg_dump":
        if backend != "postgresql":
            raise ValueError("a pg_dump backup restores into PostgreSQL only; take a "
                             "logical backup (--logical) to move to SQLite")
        pgdump.restore(parsed, path, _Counter(progress, len(pgdump.data_entries(path))))
        upgrade(parsed)
        return Outcome("pg_dump")
    if kind == "sqlite" and backend == "sqlite":
        return _restore_sqlite(path, _sqlite_file(parsed), parsed, progress)
    return _restore_logical(parsed, path, kind, progress)


def _restore_sqlite(path: Path, target: Path, url: sa.URL,
                    progress: Progress | None) -> Outcome:
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        revision = _sqlite_revision(src)

        def step(_status: int, remaining: int, total: int) -> None:
            if progress:
                progress(total - remaining, total)

        src.backup(dst, pages=256, progress=step)
    finally:
        src.close()
        dst.close()
    upgrade(url)
    return Outcome("sqlite", revision)


def _restore_logical(url: sa.URL, path: Path, kind: str,
                     progress: Progress | None) -> Outcome:
    # A logical export, or a SQLite backup file read table by table (into PostgreSQL).
    source = (logical.load_file(path) if kind == "logical"
              else logical.read_database(f"sqlite:///{path}"))
    with source as (header, rows):
        if header.revision is None:
            raise ValueError(f"{path} holds no schema revision: not a Signoff database")
        upgrade(url, header.revision)
        db = open_database(url)
        try:
            with db.session() as session:
                done = logical.load(session.connection(), header, rows,
                                    progress=_Counter(progress, header.total_rows))
                session.commit()
        finally:
            db.dispose()
    upgrade(url)
    return Outcome("logical", header.revision, done)


__all__ = ["Method", "NotEmpty", "Outcome", "Progress", "backup", "detect", "is_empty",
           "restore"]
