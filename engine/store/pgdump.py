"""PostgreSQL backups through ``pg_dump`` and ``pg_restore`` (custom format).

``pg_dump`` reads one ``REPEATABLE READ`` snapshot, so the copy of a live database is
consistent. Only the schema the app uses (``current_schema()``) is dumped. The password
travels in ``PGPASSWORD``, never on a command line. ``dump`` reports each table as
``pg_dump --verbose`` finishes it; ``restore`` leaves the schema's own entry out (the
target schema exists already) and runs in one transaction.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

MAGIC = b"PGDMP"


def available() -> bool:
    return shutil.which("pg_dump") is not None and shutil.which("pg_restore") is not None


def _conninfo(url: sa.URL) -> tuple[str, dict[str, str]]:
    """A libpq URI without the password, and the environment carrying it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(args: list[str], env: dict[str, str], on_line: Callable[[str], None]) -> None:
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    errors: list[str] = []
    for line in proc.stderr:
        on_line(line)
        if "error" in line.lower():
            errors.append(line.strip())
    if proc.wait() != 0:
        raise RuntimeError(f"{args[0]} failed: " + ("; ".join(errors[-5:]) or
                                                   f"exit status {proc.returncode}"))


_DUMPING = re.compile(r"dumping contents of table \"?([^\s\"]+)")


def dump(url: sa.URL, schema: str, out: Path,
         progress: Callable[[int], None] | None = None) -> None:
    conninfo, env = _conninfo(url)

    def on_line(line: str) -> None:
        if progress and _DUMPING.search(line):
            progress(1)

    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--verbose",
          f"--schema={schema}", f"--file={out}", f"--dbname={conninfo}"], env, on_line)


def _toc(path: Path) -> list[str]:
    return subprocess.run(["pg_restore", "--list", str(path)], capture_output=True,
                          text=True, check=True).stdout.splitlines()


def data_entries(path: Path) -> list[str]:
    """The dump's table-data entries (one per table with rows to restore)."""
    return [line for line in _toc(path) if " TABLE DATA " in line]


_SCHEMA_ENTRY = re.compile(r"^\d+;\s*\d+\s+\d+\s+(SCHEMA|COMMENT - SCHEMA)\s")


def _extensions(url: sa.URL) -> None:
    """A dump holds one schema and so no extension, but the list-search index names
    pg_trgm's operator class: create it in the target first, in ``public`` as migration
    0010 does (a restore into a new database failed without it). Where pg_trgm cannot be
    installed the restore fails on that index and says so."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            public = conn.execute(sa.text(
                "SELECT 1 FROM pg_namespace WHERE nspname = 'public'")).scalar()
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"
                                 + (" SCHEMA public" if public else "")))
    except sa.exc.DBAPIError:
        pass
    finally:
        engine.dispose()


def restore(url: sa.URL, path: Path, progress: Callable[[int], None] | None = None) -> None:
    _extensions(url)
    conninfo, env = _conninfo(url)
    kept = [line for line in _toc(path) if not _SCHEMA_ENTRY.match(line)]
    with tempfile.NamedTemporaryFile("w", suffix=".list", delete=False) as fh:
        fh.write("\n".join(kept) + "\n")
        listing = fh.name

    def on_line(line: str) -> None:
        if progress and "processing data for table" in line:
            progress(1)

    try:
        _run(["pg_restore", "--no-owner", "--no-privileges", "--single-transaction",
              "--exit-on-error", "--verbose", f"--use-list={listing}",
              f"--dbname={conninfo}", str(path)], env, on_line)
    finally:
        os.unlink(listing)


__all__ = ["MAGIC", "available", "data_entries", "dump", "restore"]
