"""A webhook signed per the Standard Webhooks specification (standardwebhooks.com).

Headers: ``webhook-id`` (the message's idempotency id, the same on every retry),
``webhook-timestamp`` (Unix seconds of this attempt) and ``webhook-signature``
(``v1,<base64 HMAC-SHA256 of "id.timestamp.body">`` keyed with the base64 secret after
``whsec_``). Signing uses the maintained ``standardwebhooks`` package; receivers can verify
with it (``Webhook(secret).verify(body, headers)``) or with the few lines in
docs/notifications.md.

Body::

    {"type": "signoff.task_assigned", "timestamp": "<created_at ISO 8601>",
     "data": {"id", "kind", "language", "recipient": {...}, "subject", "text", "url",
              "fields": [{"label", "value"}], "data": {...the message data}}}
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from standardwebhooks import Webhook

from engine.notify.message import Message, Rendered
from engine.notify.transport import Clock, HttpPoster, dumps, utc_now


class WebhookChannel:
    name = "webhook"

    def __init__(self, url: str, secret: str | None = None, *,
                 timeout: float | httpx.Timeout | None = None,
                 client: httpx.Client | None = None, clock: Clock = utc_now):
        self.url = url
        self._signer = Webhook(secret) if secret else None  # raises on a malformed secret
        self._clock = clock
        self._http = HttpPoster(self.name, timeout, client)

    def send(self, rendered: Rendered, message: Message) -> None:
        body = dumps(payload(rendered, message))
        headers = signed_headers(self._signer, message.id, self._clock(), body)
        self._http.post(self.url, body, headers)

    def close(self) -> None:
        self._http.close()


def signed_headers(signer: Webhook | None, msg_id: str, at: datetime,
                   body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers for ``body`` sent at ``at`` (aware datetime);
    without a secret, the id and timestamp alone."""
    timestamp = int(at.timestamp())
    headers = {"webhook-id": msg_id, "webhook-timestamp": str(timestamp)}
    if signer is not None:
        # the library reads the timestamp as UTC wall time: give it the instant in UTC
        moment = datetime.fromtimestamp(timestamp, UTC)
        headers["webhook-signature"] = signer.sign(msg_id, moment, body.decode("utf-8"))
    return headers


def payload(rendered: Rendered, message: Message) -> dict[str, Any]:
    r = message.recipient
    return {
        "type": f"signoff.{message.kind}",
        "timestamp": message.created_at.isoformat(),
        "data": {
            "id": message.id, "kind": message.kind, "language": r.language,
            "recipient": {"user_id": r.user_id, "name": r.name, "email": r.email},
            "subject": rendered.subject, "text": rendered.sentence, "url": rendered.link,
            "fields": [{"label": k, "value": v} for k, v in rendered.fields],
            "items": [{"text": t, "url": u} for t, u in rendered.items],
            "data": dict(message.data),
        },
    }


__all__ = ["WebhookChannel", "payload", "signed_headers"]
