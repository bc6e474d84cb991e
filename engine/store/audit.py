"""``audit_log``: append a record; read the latest ones."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from engine.store.security_tables import AuditRecord


def record(session: Session, at: datetime, action: str, subject: str = "", *,
           actor: str | None = None, detail: Mapping[str, Any] | None = None) -> None:
    """Add one record in the caller's transaction."""
    session.add(AuditRecord(at=at, actor=actor, action=action[:64], subject=subject[:200],
                            detail=dict(detail or {})))


def latest(session: Session, action: str | None = None, subject: str | None = None,
           limit: int = 100) -> list[AuditRecord]:
    query = select(AuditRecord)
    if action is not None:
        query = query.where(AuditRecord.action == action)
    if subject is not None:
        query = query.where(AuditRecord.subject == subject)
    return list(session.exec(query.order_by(col(AuditRecord.id).desc()).limit(limit)).all())


__all__ = ["latest", "record"]
