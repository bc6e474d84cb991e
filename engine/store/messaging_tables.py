"""Tables of timers and messages (``engine.store.messaging`` writes them).

- ``timer``: one row per pending (task, timer), written with the command that makes it
  pending and deleted with the one that fires it or closes its task (a projection of the
  event log plus the definition and the calendar: ``service.recompute_timers``
  recomputes it).
- ``timer_basis``: one row, the working calendar the timer rows were computed on; when
  the org calendar differs at start-up, the rows are recomputed.
- ``outbox``: messages to deliver outside (email, webhook, chat); the id is the
  message's idempotency id. ``status`` pending | sent | dead.
- ``notification``: the in-app channel, one row per message (the bell).
- ``user_preference``: how each person wants to be told.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from engine.store.types import AwareDateTime, JSONDoc


def _time(nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_type=AwareDateTime, nullable=nullable, index=index)


class TimerRow(SQLModel, table=True):
    __tablename__ = "timer"
    task_id: UUID = Field(primary_key=True)
    timer: str = Field(primary_key=True, max_length=40)
    instance_id: UUID = Field(index=True)
    due_at: datetime = _time(index=True)


class TimerBasis(SQLModel, table=True):
    __tablename__ = "timer_basis"
    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    calendar: str = Field(sa_type=sa.Text)


class OutboxRow(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_status_next", "status", "next_attempt_at"),)
    id: UUID = Field(primary_key=True)  # the message id, sent as the idempotency id
    kind: str = Field(max_length=40)
    recipient: str = Field(max_length=100, index=True)
    channel: str = Field(max_length=40)
    payload: dict[str, Any] = Field(sa_column=sa.Column(JSONDoc, nullable=False))
    created_at: datetime = _time()
    attempts: int = 0
    next_attempt_at: datetime | None = _time(nullable=True)
    status: str = Field(default="pending", max_length=20)  # pending | sent | dead
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    sent_at: datetime | None = _time(nullable=True)


class NotificationRow(SQLModel, table=True):
    __tablename__ = "notification"
    __table_args__ = (sa.Index("ix_notification_user", "username", "read_at", "created_at"),)
    id: UUID = Field(primary_key=True)  # the message id
    username: str = Field(max_length=100)
    kind: str = Field(max_length=40)
    instance_id: UUID | None = None
    payload: dict[str, Any] = Field(sa_column=sa.Column(JSONDoc, nullable=False))
    created_at: datetime = _time()
    read_at: datetime | None = _time(nullable=True)


class UserPreference(SQLModel, table=True):
    __tablename__ = "user_preference"
    username: str = Field(primary_key=True, max_length=100)
    channels: list[str] = Field(sa_column=sa.Column(JSONDoc, nullable=False))
    language: str = Field(default="en", max_length=5)  # en | zh
    quiet_start: str | None = Field(default=None, max_length=5)  # "22:00" local
    quiet_end: str | None = Field(default=None, max_length=5)
    timezone: str = Field(default="Asia/Shanghai", max_length=64)
    digest: bool = False  # one daily digest instead of one message per task
    updated_at: datetime = _time()


__all__ = ["NotificationRow", "OutboxRow", "TimerRow", "UserPreference"]
