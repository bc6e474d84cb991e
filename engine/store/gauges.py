"""Numbers an operator watches, read from the database at scrape time.

``outbox_stats(conn, now)``: messages waiting to leave, dead letters, and the age of the
oldest waiting one; ``timer_stats(conn, now, late_after)``: timers due and timers late
(a ``timer`` row exists while its timer is pending; firing deletes it). Each is one
aggregate query over indexed columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from engine.store.messaging_tables import OutboxRow, TimerRow

_outbox: sa.Table = OutboxRow.__table__  # type: ignore[attr-defined]
_timer: sa.Table = TimerRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class OutboxStats:
    depth: int  # pending
    dead: int
    oldest_age_seconds: float  # of the oldest pending message; 0 when none


@dataclass(frozen=True, slots=True)
class TimerStats:
    due: int
    late: int


def outbox_stats(conn: sa.Connection, now: datetime) -> OutboxStats:
    pending = _outbox.c.status == "pending"
    row = conn.execute(sa.select(
        sa.func.count().filter(pending),
        sa.func.count().filter(_outbox.c.status == "dead"),
        sa.func.min(_outbox.c.created_at).filter(pending)).where(
            _outbox.c.status.in_(("pending", "dead")))).one()
    oldest = row[2]
    age = (now - oldest).total_seconds() if oldest is not None else 0.0
    return OutboxStats(int(row[0]), int(row[1]), max(age, 0.0))


def timer_stats(conn: sa.Connection, now: datetime, late_after: timedelta) -> TimerStats:
    due = _timer.c.due_at
    row = conn.execute(sa.select(sa.func.count(),
                                 sa.func.count().filter(due <= now - late_after))
                       .where(due <= now)).one()
    return TimerStats(int(row[0]), int(row[1]))


__all__ = ["OutboxStats", "TimerStats", "outbox_stats", "timer_stats"]
