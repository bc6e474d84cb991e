"""What a notification is (``Message``), what it looks like once rendered (``Rendered``),
and how a delivery fails (``DeliveryFailed``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast, get_args

Kind = Literal[
    "task_assigned", "reminder", "escalated", "returned", "approved", "rejected",
    "now_with", "copied", "at_risk", "daily_report", "test", "digest",
]
KINDS: tuple[str, ...] = get_args(Kind)
Language = Literal["zh", "en"]
LANGUAGES: tuple[str, ...] = get_args(Language)

# Dot-separated runs of letters, digits, ``_`` and ``-`` (at most 128 characters): valid
# as the left part of a Message-ID (RFC 5322 dot-atom), a ``webhook-id`` and in a URL, so
# the same id reaches every receiver unchanged. A UUID is fine.
_ID = re.compile(r"(?=.{1,128}\Z)[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*")


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who a message is for. ``timezone`` (IANA name) is used to show times."""

    user_id: str
    name: str
    email: str = ""
    language: Language = "en"
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, not {self.language!r}")


@dataclass(frozen=True, slots=True)
class Message:
    """One notification to one person.

    ``id`` is the idempotency id: written once with the outbox row and kept across every
    retry, it becomes the e-mail's ``Message-ID`` and the webhook's ``webhook-id`` so a
    receiver that sees it twice can drop the repeat. ``data`` must be JSON-serialisable
    (it lives in the outbox row); the keys each kind reads are listed in ``render``.
    """

    id: str
    kind: Kind
    recipient: Recipient
    data: Mapping[str, Any]
    created_at: datetime

    def __post_init__(self) -> None:
        if not _ID.fullmatch(self.id):
            raise ValueError(f"message id must match {_ID.pattern}, not {self.id!r}")
        if self.kind not in KINDS:
            raise ValueError(f"unknown message kind {self.kind!r}")
        if self.created_at.tzinfo is None:
            raise ValueError("created_at must be timezone-aware")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form, for the outbox row; ``from_dict`` reads it back."""
        r = self.recipient
        return {"id": self.id, "kind": self.kind, "created_at": self.created_at.isoformat(),
                "recipient": {"user_id": r.user_id, "name": r.name, "email": r.email,
                              "language": r.language, "timezone": r.timezone},
                "data": dict(self.data)}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Message:
        rec = raw["recipient"]
        recipient = Recipient(
            user_id=str(rec["user_id"]), name=str(rec.get("name") or rec["user_id"]),
            email=str(rec.get("email") or ""),
            language=cast(Language, rec.get("language") or "en"),
            timezone=str(rec.get("timezone") or "UTC"))
        return cls(id=str(raw["id"]), kind=cast(Kind, raw["kind"]), recipient=recipient,
                   data=dict(raw.get("data") or {}),
                   created_at=datetime.fromisoformat(str(raw["created_at"])))


@dataclass(frozen=True, slots=True)
class Rendered:
    """A message in the recipient's language, in every shape a channel needs.

    ``subject`` is one line; ``text`` and ``html`` are the e-mail bodies; ``title``,
    ``sentence``, ``fields``, ``items`` (report lines, digest entries: text and link) and
    ``link`` build chat cards; ``markdown`` is the body for
    robots that take Markdown. Every value from ``Message.data`` in ``html`` is escaped.
    """

    subject: str
    title: str
    sentence: str
    fields: tuple[tuple[str, str], ...]
    link: str | None
    link_label: str
    items: tuple[tuple[str, str | None], ...]
    text: str
    html: str
    markdown: str
    tone: Literal["info", "good", "bad", "warn"] = "info"


class DeliveryFailed(Exception):
    """A channel could not deliver. ``retryable`` says whether trying the same message
    again later may succeed (timeouts, 5xx, 429, SMTP 4xx) or not (4xx, SMTP 5xx, bad
    configuration); ``retry_after`` is the receiver's own hint in seconds, if it gave one."""

    def __init__(self, retryable: bool, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.retryable = retryable
        self.reason = reason
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"DeliveryFailed(retryable={self.retryable}, reason={self.reason!r})"


__all__ = ["KINDS", "LANGUAGES", "DeliveryFailed", "Kind", "Language", "Message",
           "Recipient", "Rendered"]
