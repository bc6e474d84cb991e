"""Fresh, migrated databases for the benchmarks: a SQLite file, or a PostgreSQL schema.

PostgreSQL is reached through ``BENCH_PG_URL`` (default: the local server's
``signoff_bench`` database, created when missing). Each fresh database is a new schema
selected through the connection's ``search_path``, dropped by ``drop_all``.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

import sqlalchemy as sa

from engine.store import upgrade

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/signoff_bench"
_made: list[str] = []
_tmp = Path(tempfile.mkdtemp(prefix="signoff-bench-"))


def pg_base() -> str:
    return os.environ.get("BENCH_PG_URL", DEFAULT_PG)


def pg_available() -> str | None:
    """Why PostgreSQL cannot be used, or None when it can (creating the database)."""
    base = sa.make_url(pg_base())
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :d"),
                                  {"d": base.database}).first()
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{base.database}"'))
    except sa.exc.OperationalError as exc:
        return f"PostgreSQL unreachable at {base.render_as_string()}: {exc.orig}"
    finally:
        admin.dispose()
    return None


def fresh(kind: str, migrate: bool = True) -> str:
    """The URL of a new, empty database of ``kind`` (``sqlite`` | ``postgresql``)."""
    if kind == "sqlite":
        url = f"sqlite:///{_tmp / f'b-{uuid.uuid4().hex[:10]}.db'}"
    else:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(pg_base(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        sep = "&" if "?" in pg_base() else "?"
        url = f"{pg_base()}{sep}options=-csearch_path%3D{schema}"
    _made.append(url)
    if migrate:
        upgrade(url)
    return url


def drop_all() -> None:
    """Remove every database ``fresh`` made in this process."""
    for url in _made:
        if url.startswith("sqlite"):
            for suffix in ("", "-wal", "-shm", "-startup.lock"):
                Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        else:
            schema = url.rsplit("%3D", 1)[1]
            admin = sa.create_engine(pg_base(), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()
    _made.clear()
