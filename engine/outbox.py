"""Reads and small writes over messages: the outbox (admins), in-app notifications and
notification preferences (each person). The worker (``engine.worker``) delivers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Session, col, select

from engine.core.directory import OrgDirectory
from engine.store import messaging
from engine.store.messaging_tables import NotificationRow, OutboxRow, UserPreference

CHANNELS = ("app", "email", "webhook", "dingtalk", "feishu", "wecom")


def list_messages(session: Session, *, status: str | None = None,
                  recipient: str | None = None, limit: int = 50,
                  offset: int = 0) -> list[OutboxRow]:
    q = select(OutboxRow).order_by(col(OutboxRow.created_at).desc(), col(OutboxRow.id))
    if status:
        q = q.where(OutboxRow.status == status)
    if recipient:
        q = q.where(OutboxRow.recipient == recipient)
    return list(session.exec(q.offset(offset).limit(limit)))


def count_messages(session: Session) -> dict[str, int]:
    rows = session.exec(select(OutboxRow.status, sa.func.count())
                        .group_by(OutboxRow.status))
    return {status: int(n) for status, n in rows}


def retry(session: Session, ids: Sequence[UUID] | None = None,
          now: datetime | None = None) -> int:
    """Queue dead messages (or the given ones, unless already sent) again: attempts 0,
    due now; wakes the workers when committed."""
    table = OutboxRow.__table__  # type: ignore[attr-defined]
    q = table.update().values(status="pending", attempts=0,
                              next_attempt_at=now or datetime.now(UTC))
    q = q.where(table.c.id.in_(list(ids))) if ids else q.where(table.c.status == "dead")
    q = q.where(table.c.status != "sent")
    count = session.connection().execute(q).rowcount
    messaging.notify(session, work=True)
    return int(count or 0)


def notifications(session: Session, username: str, *, unread_only: bool = False,
                  limit: int = 50, before: datetime | None = None) -> list[NotificationRow]:
    q = select(NotificationRow).where(NotificationRow.username == username)
    if unread_only:
        q = q.where(col(NotificationRow.read_at).is_(None))
    if before is not None:
        q = q.where(NotificationRow.created_at < before)
    q = q.order_by(col(NotificationRow.created_at).desc(), col(NotificationRow.id))
    return list(session.exec(q.limit(limit)))


def unread_count(session: Session, username: str) -> int:
    q = select(sa.func.count()).select_from(NotificationRow).where(
        NotificationRow.username == username, col(NotificationRow.read_at).is_(None))
    return int(session.exec(q).one())


def mark_read(session: Session, username: str, ids: Sequence[UUID] | None,
              now: datetime) -> int:
    """Mark the caller's notifications read (``ids``, or all when None)."""
    table = NotificationRow.__table__  # type: ignore[attr-defined]
    q = table.update().values(read_at=now).where(table.c.username == username,
                                                 table.c.read_at.is_(None))
    if ids is not None:
        q = q.where(table.c.id.in_(list(ids)))
    count = int(session.connection().execute(q).rowcount or 0)
    messaging.notify(session, work=False, users=[username])
    return count


def send_test(session: Session, username: str, channels: Sequence[str],
              directory: OrgDirectory, now: datetime) -> list[tuple[UUID, str]]:
    """Queue a ``test`` message to ``username`` on each of ``channels``: the worker sends
    it (never the caller), and wakes when committed. (id, channel) each."""
    written = messaging.write_test_messages(session.connection(), username, channels,
                                            directory, now)
    messaging.notify(session, work=True)
    return written


DEFAULTS: dict[str, Any] = {"channels": ["app", "email"], "language": None,
                            "quiet_start": None, "quiet_end": None,
                            "timezone": "Asia/Shanghai", "digest": False}


def preferences(session: Session, username: str) -> dict[str, Any]:
    row = session.get(UserPreference, username)
    if row is None:
        return {"username": username, **DEFAULTS}
    return {"username": username, "channels": list(row.channels), "language": row.language,
            "quiet_start": row.quiet_start, "quiet_end": row.quiet_end,
            "timezone": row.timezone, "digest": row.digest}


def save_preferences(session: Session, username: str, values: dict[str, Any],
                     now: datetime) -> dict[str, Any]:
    """Store a person's preferences (validated by the caller)."""
    row = session.get(UserPreference, username) or UserPreference(
        username=username, channels=list(DEFAULTS["channels"]), updated_at=now)
    for key in ("channels", "language", "quiet_start", "quiet_end", "timezone", "digest"):
        if key in values and values[key] is not None:
            value = values[key]
            setattr(row, key, (value or None) if key.startswith("quiet") else value)
    row.updated_at = now
    session.add(row)
    session.flush()
    return preferences(session, username)


__all__ = ["CHANNELS", "count_messages", "list_messages", "mark_read", "notifications",
           "preferences", "retry", "save_preferences", "send_test", "unread_count"]
