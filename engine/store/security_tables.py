"""Tables for sign-in security and the audit trail: ``sign_in_throttle`` (failed sign-ins
counted per user and per client address, shared by every app process) and
``audit_log`` (who did what to whom, and when; written by sign-in and password changes,
open to any other operation worth a record).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from engine.store.types import AwareDateTime, JSONDoc


class SignInThrottle(SQLModel, table=True):
    """One counter of failed sign-ins: ``key`` is ``user:<name>`` or ``client:<address>``."""

    __tablename__ = "sign_in_throttle"
    key: str = Field(primary_key=True, max_length=200)
    failures: int = 0  # failures in the window that began at window_start
    window_start: datetime = Field(sa_type=AwareDateTime, nullable=False)
    locked_until: datetime | None = Field(default=None, sa_type=AwareDateTime, nullable=True)
    lockouts: int = 0  # lockouts in a row: each one lasts twice as long as the last
    updated_at: datetime = Field(sa_type=AwareDateTime, nullable=False, index=True)


class AuditRecord(SQLModel, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_subject_at", "subject", "at"),
                      sa.Index("ix_audit_log_action_at", "action", "at"),
                      sa.Index("ix_audit_log_actor_at", "actor", "at"),
                      sa.Index("ix_audit_log_at", "at"))
    id: int | None = Field(default=None, sa_type=sa.BigInteger().with_variant(sa.Integer(),
                           "sqlite"), primary_key=True)
    at: datetime = Field(sa_type=AwareDateTime, nullable=False)
    actor: str | None = Field(default=None, max_length=100)  # None: nobody signed in
    action: str = Field(max_length=64)  # e.g. sign_in.failed, sign_in.locked
    subject: str = Field(default="", max_length=200)  # what or whom it was about
    detail: dict[str, Any] = Field(sa_column=sa.Column(JSONDoc, nullable=False))
    request_id: str | None = Field(default=None, max_length=128)  # the request's log lines


__all__ = ["AuditRecord", "SignInThrottle"]
