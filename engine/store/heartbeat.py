"""Worker heartbeats: each worker writes ``worker_heartbeat`` every loop, so any API
process can tell (readiness) whether some worker was heard from recently.

``beat(session, worker_id, now)`` records one (in the caller's transaction; commit after);
``last_beat(conn)`` is the newest time any worker was heard from, or None.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel

from engine.store.tables import metadata  # noqa: F401  (sets the naming convention first)
from engine.store.types import AwareDateTime


class WorkerHeartbeat(SQLModel, table=True):
    __tablename__ = "worker_heartbeat"
    worker_id: str = Field(primary_key=True, max_length=200)
    seen_at: datetime = Field(sa_type=AwareDateTime, nullable=False)


_table = WorkerHeartbeat.__table__  # type: ignore[attr-defined]


FORGET_AFTER = timedelta(days=7)


def beat(session: Session, worker_id: str, now: datetime) -> None:
    """Record that ``worker_id`` is alive at ``now``; forget workers silent for a week
    (a restarted worker comes back under a new id)."""
    conn = session.connection()
    done = conn.execute(_table.update().where(_table.c.worker_id == worker_id)
                        .values(seen_at=now))
    if done.rowcount == 0:
        conn.execute(_table.insert().values(worker_id=worker_id, seen_at=now))
        conn.execute(_table.delete().where(_table.c.seen_at < now - FORGET_AFTER))


def last_beat(conn: sa.Connection) -> datetime | None:
    found: datetime | None = conn.execute(sa.select(sa.func.max(_table.c.seen_at))).scalar()
    return found


__all__ = ["WorkerHeartbeat", "beat", "last_beat"]
