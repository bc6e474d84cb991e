"""Out-of-office periods (``out_of_office`` rows): who is away when, and to whom their
new work goes. Plain state, not events; ``engine.core.absence`` decides the rerouting.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, delete, select

from engine.core.absence import Absence
from engine.store.tables import OutOfOffice

_table = OutOfOffice.__table__  # type: ignore[attr-defined]
_AWAY = (sa.select(_table.c.username, _table.c.delegate_to, _table.c.ends_at)
         .where(_table.c.starts_at <= sa.bindparam("now"), _table.c.ends_at > sa.bindparam("now")))


def away(conn: sa.Connection, now: datetime) -> dict[str, Absence]:
    """Everyone away at ``now``, by username (in the caller's transaction)."""
    return {r.username: Absence(r.username, r.delegate_to, r.ends_at)
            for r in conn.execute(_AWAY, {"now": now})}


def next_period(session: Session, username: str, now: datetime) -> OutOfOffice | None:
    """``username``'s current or next period (None when there is none)."""
    return session.exec(select(OutOfOffice).where(
        OutOfOffice.username == username, col(OutOfOffice.ends_at) > now)
        .order_by(col(OutOfOffice.starts_at))).first()


def clear(session: Session, username: str, now: datetime) -> None:
    """Remove ``username``'s current and future periods (past ones stay, as a record)."""
    session.exec(delete(OutOfOffice).where(
        col(OutOfOffice.username) == username, col(OutOfOffice.ends_at) > now))


def replace(session: Session, username: str, delegate_to: str, starts_at: datetime,
            ends_at: datetime, now: datetime) -> OutOfOffice:
    """``clear`` then add the period ``starts_at``..``ends_at`` (not committed)."""
    clear(session, username, now)
    row = OutOfOffice(username=username, delegate_to=delegate_to, starts_at=starts_at,
                      ends_at=ends_at)
    session.add(row)
    session.flush()
    return row


__all__ = ["away", "clear", "next_period", "replace"]
