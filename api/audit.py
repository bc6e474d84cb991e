"""Recording administrative actions from the API and the CLI, and their response shape.

``note(session, action, actor, subject, now, **detail)`` adds an ``audit_log`` row in the
caller's transaction; the row carries the current request's id (``api.context`` hands
it to ``engine.store.audit``). Commit after, with the action itself. ``detail`` carries
names and ids only: never a password, a token or form contents.
"""

from __future__ import annotations

import getpass
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from engine.store import audit
from engine.store.security_tables import AuditRecord


class AuditEntryOut(BaseModel):
    id: int
    at: datetime
    actor: str | None  # None: nobody signed in (a failed sign-in)
    action: str
    subject: str
    detail: dict[str, Any]
    request_id: str | None


def entry_out(row: AuditRecord) -> AuditEntryOut:
    return AuditEntryOut(id=row.id or 0, at=row.at, actor=row.actor, action=row.action,
                         subject=row.subject, detail=row.detail, request_id=row.request_id)


def note(session: Session, action: str, actor: str, subject: str, now: datetime,
         **detail: Any) -> None:
    audit.record(session, now, action, subject, actor=actor, detail=detail)


def cli_actor() -> str:
    """Who acts from the command line: the operating-system user."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


__all__ = ["AuditEntryOut", "cli_actor", "entry_out", "note"]
