"""``audit_log``: who did what to whom, when, and from which request.

``record(session, at, action, subject, actor=..., detail=...)`` adds a row in the
caller's transaction (commit after, with the action it records). The row carries the id
of the request being served (``request_id``, set by the API's request middleware), so an
audit row leads to that request's log lines. ``detail`` holds names, ids and versions:
never a password, a token or form contents.

Actions (``ACTIONS``): ``sign_in.failed``, ``sign_in.locked``, ``password.changed`` (by
the user), ``password.reset`` (by an administrator or the CLI), ``definition.published``,
``token.issued``, ``token.revoked``, ``outbox.retried``.

Reading: ``latest(session, action, subject, limit)``; ``entries(session, query, limit,
offset)`` newest first with the filters of ``AuditQuery``, ``count`` and
``iter_entries`` (every matching row, in pages, for exports).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from engine.store.security_tables import AuditRecord

ACTIONS = ("sign_in.failed", "sign_in.locked", "password.changed", "password.reset",
           "definition.published", "token.issued", "token.revoked", "outbox.retried")

#: The id of the request being served, set by the API's request middleware.
request_id: ContextVar[str | None] = ContextVar("signoff_audit_request_id", default=None)


def record(session: Session, at: datetime, action: str, subject: str = "", *,
           actor: str | None = None, detail: Mapping[str, Any] | None = None) -> None:
    """Add one record in the caller's transaction."""
    session.add(AuditRecord(at=at, actor=actor[:100] if actor else actor,
                            action=action[:64], subject=subject[:200],
                            detail=dict(detail or {}), request_id=request_id.get()))


def latest(session: Session, action: str | None = None, subject: str | None = None,
           limit: int = 100) -> list[AuditRecord]:
    query = select(AuditRecord)
    if action is not None:
        query = query.where(AuditRecord.action == action)
    if subject is not None:
        query = query.where(AuditRecord.subject == subject)
    return list(session.exec(query.order_by(col(AuditRecord.id).desc()).limit(limit)).all())


@dataclass(frozen=True, slots=True)
class AuditQuery:
    actor: str | None = None
    action: str | None = None  # exact, or a prefix ending in "." ("token.")
    subject: str | None = None
    since: datetime | None = None
    until: datetime | None = None  # exclusive


def _where(q: AuditQuery) -> list[Any]:
    where: list[Any] = []
    if q.actor:
        where.append(col(AuditRecord.actor) == q.actor)
    if q.action:
        where.append(col(AuditRecord.action).startswith(q.action, autoescape=True)
                     if q.action.endswith(".") else col(AuditRecord.action) == q.action)
    if q.subject:
        where.append(col(AuditRecord.subject) == q.subject)
    if q.since:
        where.append(col(AuditRecord.at) >= q.since)
    if q.until:
        where.append(col(AuditRecord.at) < q.until)
    return where


def entries(session: Session, q: AuditQuery, limit: int | None = 100, offset: int = 0
            ) -> list[AuditRecord]:
    query = (select(AuditRecord).where(*_where(q))
             .order_by(col(AuditRecord.at).desc(), col(AuditRecord.id).desc()).offset(offset))
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query).all())


def iter_entries(session: Session, q: AuditQuery, batch: int = 1000) -> Iterator[AuditRecord]:
    """Every matching row, newest first, read in pages (for exports)."""
    offset = 0
    while page := entries(session, q, batch, offset):
        yield from page
        offset += len(page)


def count(session: Session, q: AuditQuery) -> int:
    return int(session.exec(select(sa.func.count()).select_from(AuditRecord)
                            .where(*_where(q))).one())


__all__ = ["ACTIONS", "AuditQuery", "count", "entries", "iter_entries", "latest", "record",
           "request_id"]
