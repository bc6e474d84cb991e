"""Is this database ready to serve? ``readiness(db, now, ...)`` answers per check.

- ``database``: a connection answers ``select 1``;
- ``migrations``: the schema is at the newest revision this code knows;
- ``worker`` (when workers are expected): some worker wrote its heartbeat within
  ``stale_after``.

Each check is ``"ok"`` or a short reason; the first failure of the connection skips the
checks that need it.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

import sqlalchemy as sa

from engine.store.database import Database
from engine.store.heartbeat import last_beat
from engine.store.migrate import head

OK = "ok"


@functools.cache
def _head() -> str | None:
    return head()


def _revision(conn: sa.Connection) -> str | None:
    """The schema's revision (read directly: Alembic's context logs on every call)."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    found: str | None = conn.execute(sa.text("select version_num from alembic_version")
                                     ).scalar()
    return found


def readiness(db: Database, now: datetime, *, workers_expected: bool,
              stale_after: timedelta) -> dict[str, str]:
    checks: dict[str, str] = {}
    try:
        with db.read_engine.connect() as conn:
            conn.execute(sa.text("select 1"))
            checks["database"] = OK
            at, newest = _revision(conn), _head()
            checks["migrations"] = (OK if at == newest else
                                    f"database at {at or 'base'}, newest is {newest}: "
                                    "run `signoff db upgrade`")
            if workers_expected:
                seen = last_beat(conn) if checks["migrations"] == OK else None
                checks["worker"] = (
                    OK if seen is not None and now - seen <= stale_after else
                    "no worker heard from yet" if seen is None else
                    f"no worker heard from since {seen.isoformat()}")
    except sa.exc.SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc
        checks["database"] = f"unreachable: {type(cause).__name__}"
    return checks


__all__ = ["OK", "readiness"]
