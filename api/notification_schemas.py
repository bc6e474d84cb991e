"""Request and response bodies of the notification routes (``routes/notifications.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, field_validator

from engine.notify import Message, render

Channel = Literal["app", "email", "webhook", "dingtalk", "feishu", "wecom"]
_HHMM = r"^(([01]\d|2[0-3]):[0-5]\d)?$"  # "" clears it


class NotificationOut(BaseModel):
    id: UUID
    kind: str = Field(description="task_assigned, reminder, escalated, returned, approved, "
                                  "rejected, now_with, copied")
    instance_id: UUID | None
    payload: dict[str, Any] = Field(description="request_title, process, step, actor, "
                                                "reason, holders, due, path, task_id...")
    created_at: datetime
    read_at: datetime | None


class UnreadOut(BaseModel):
    count: int


class MarkReadIn(BaseModel):
    ids: list[UUID] = Field(default_factory=list, max_length=500)
    all: bool = Field(default=False, description="Mark every notification of the caller read")


class MarkReadOut(BaseModel):
    marked: int
    unread: int


class PreferencesIn(BaseModel):
    channels: list[Channel] | None = Field(default=None, max_length=6, description=(
        "Where messages go besides the bell: app only, or email, webhook, dingtalk, "
        "feishu, wecom (each must be configured by the operator to leave the outbox)"))
    language: Literal["zh", "en"] | None = None
    quiet_start: str | None = Field(default=None, pattern=_HHMM,
                                    description="HH:MM local; \"\" clears")
    quiet_end: str | None = Field(default=None, pattern=_HHMM,
                                  description="HH:MM local; \"\" clears")
    timezone: str | None = Field(default=None, max_length=64, description="IANA name")
    digest: bool | None = Field(default=None, description="One digest at 09:00 local "
                                                          "instead of one message each")

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except Exception as exc:
                raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class PreferencesOut(BaseModel):
    username: str
    channels: list[str]
    language: str | None
    quiet_start: str | None
    quiet_end: str | None
    timezone: str
    digest: bool


class OutboxOut(BaseModel):
    id: UUID = Field(description="The idempotency id receivers dedupe on")
    kind: str
    recipient: str
    channel: str
    payload: dict[str, Any]
    created_at: datetime
    attempts: int
    next_attempt_at: datetime | None
    status: Literal["pending", "sent", "dead"]
    last_error: str | None
    sent_at: datetime | None
    subject: str | None = Field(default=None, description="Rendered as the recipient reads it")
    text: str | None = Field(default=None, description="The plain-text body, rendered")


class OutboxPageOut(BaseModel):
    items: list[OutboxOut]
    counts: dict[str, int] = Field(description="Messages per status")


def outbox_out(row: Any, public_url: str) -> OutboxOut:
    """An outbox row with its message rendered (subject and plain text), as it is or
    will be sent; a payload that no longer renders is shown without them."""
    out = OutboxOut.model_validate(row, from_attributes=True)
    try:
        rendered = render(Message.from_dict(out.payload), public_url)
    except (KeyError, TypeError, ValueError):
        return out
    return out.model_copy(update={"subject": rendered.subject, "text": rendered.text})


class ChannelsOut(BaseModel):
    available: list[str] = Field(description="Every channel a person may choose")
    configured: list[str] = Field(description="Those the operator has set up ('app' always)")


class ChannelTestMessageOut(BaseModel):
    id: UUID = Field(description="The outbox message")
    channel: str
    configured: bool = Field(description="False: kept in the outbox until it is set up")


class ChannelTestOut(BaseModel):
    messages: list[ChannelTestMessageOut]


class EventsTicketOut(BaseModel):
    ticket: str = Field(description="Opens GET /api/events?ticket= (the stream only)")
    expires_at: datetime


class RetryIn(BaseModel):
    ids: list[UUID] | None = Field(default=None, max_length=1000,
                                   description="Default: every dead message")


class RetryOut(BaseModel):
    queued: int


__all__ = ["ChannelTestMessageOut", "ChannelTestOut", "ChannelsOut", "EventsTicketOut",
           "MarkReadIn", "MarkReadOut", "NotificationOut", "OutboxOut", "OutboxPageOut",
           "PreferencesIn", "PreferencesOut", "RetryIn", "RetryOut", "UnreadOut", "outbox_out"]
