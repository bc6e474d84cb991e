"""Numbers an operator watches, read from the database at scrape time.

``outbox_stats(conn, now)``: messages waiting to leave and the age of the oldest;
``timer_stats(conn, now, late_after)``: timers due and timers late. Both return None while
their table does not exist (the tables arrive with the worker), so ``/metrics`` simply
leaves the gauges out. Each is one aggregate query over an indexed column.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from engine.store.types import AwareDateTime


@dataclass(frozen=True, slots=True)
class OutboxStats:
    depth: int
    oldest_age_seconds: float


@dataclass(frozen=True, slots=True)
class TimerStats:
    due: int
    late: int


def _columns(conn: sa.Connection, table: str) -> set[str] | None:
    inspector = sa.inspect(conn)
    if not inspector.has_table(table):
        return None
    return {c["name"] for c in inspector.get_columns(table)}


def _first(cols: set[str], *names: str) -> str | None:
    return next((n for n in names if n in cols), None)


def _table(name: str, cols: set[str], times: tuple[str | None, ...]) -> sa.Table:
    return sa.Table(name, sa.MetaData(), *(
        sa.Column(c, AwareDateTime if c in times else sa.String) for c in sorted(cols)))


def _pending(t: sa.Table, cols: set[str], done: tuple[str, ...]) -> list[Any]:
    """Rows not finished: no completion time set, and (if there is one) a status that is
    not a final one."""
    where: list[Any] = [t.c[c].is_(None) for c in done if c in cols]
    if "status" in cols:
        where.append(t.c.status.not_in(("delivered", "sent", "done", "fired", "dead",
                                        "failed", "cancelled")))
    return where


def outbox_stats(conn: sa.Connection, now: datetime) -> OutboxStats | None:
    cols = _columns(conn, "outbox")
    if cols is None:
        return None
    created = _first(cols, "created_at", "at", "enqueued_at")
    t = _table("outbox", cols, (created,))
    oldest = sa.func.min(t.c[created]) if created else sa.null()
    row = conn.execute(sa.select(sa.func.count(), oldest).select_from(t).where(
        *_pending(t, cols, ("delivered_at", "sent_at", "dead_at")))).one()
    age = (now - row[1]).total_seconds() if row[1] is not None else 0.0
    return OutboxStats(int(row[0]), max(age, 0.0))


def timer_stats(conn: sa.Connection, now: datetime, late_after: timedelta
                ) -> TimerStats | None:
    cols = _columns(conn, "timer")
    due_col = _first(cols or set(), "due_at", "fire_at", "at")
    if cols is None or due_col is None:
        return None
    t = _table("timer", cols, (due_col,))
    pending = _pending(t, cols, ("fired_at", "cancelled_at", "done_at"))
    due = t.c[due_col]
    row = conn.execute(sa.select(
        sa.func.count().filter(due <= now),
        sa.func.count().filter(due <= now - late_after)).select_from(t).where(*pending)).one()
    return TimerStats(int(row[0]), int(row[1]))


__all__ = ["OutboxStats", "TimerStats", "outbox_stats", "timer_stats"]
