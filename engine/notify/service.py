"""Calls of service steps to outside systems, signed like the outgoing webhooks.

The worker hands each ``service_call`` row of the outbox to ``ServiceCaller.send``: a
POST of a JSON body to the system's URL with the Standard Webhooks headers
(``webhook-id`` = the call's id, the same on every retry; ``webhook-timestamp``;
``webhook-signature`` keyed with the system's secret). A failure raises
``DeliveryFailed`` and the outbox retries with backoff. The system answers later at the
callback URL in the body, signing its callback with the same secret
(``verify_callback``).

Body::

    {"type": "signoff.service_call", "call_id", "instance_id", "step", "system",
     "callback_url", "data": {...the request fields sent}, "created_at"}
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from standardwebhooks import Webhook, WebhookVerificationError

from engine.notify.message import DeliveryFailed
from engine.notify.transport import Clock, HttpPoster, dumps, utc_now
from engine.notify.webhook import signed_headers

CALLBACK_PATH = "/api/services/{system}/callback"
TOLERANCE = timedelta(minutes=5)  # a callback signed longer ago (or ahead) is refused


@dataclass(frozen=True, slots=True)
class ServiceSystem:
    """An outside system a service step may call: where, and the shared secret
    (``whsec_<base64>``) that signs the calls and the callbacks."""

    name: str
    url: str
    secret: str


def callback_url(public_url: str, system: str) -> str:
    return public_url.rstrip("/") + CALLBACK_PATH.format(system=system)


def call_body(payload: Mapping[str, Any], public_url: str) -> dict[str, Any]:
    """The JSON sent to the system for an outbox row's payload."""
    system = str(payload["system"])
    return {"type": "signoff.service_call", "call_id": payload["call_id"],
            "instance_id": payload["instance_id"], "step": payload["step"], "system": system,
            "callback_url": callback_url(public_url, system), "data": payload["data"],
            "created_at": payload.get("created_at")}


class ServiceCaller:
    """Sends the calls to the configured systems (one pooled HTTP client)."""

    def __init__(self, systems: Mapping[str, ServiceSystem], public_url: str, *,
                 timeout: float | httpx.Timeout | None = None, clock: Clock = utc_now):
        self.systems, self.public_url, self._clock = dict(systems), public_url, clock
        self._signers = {name: Webhook(s.secret) for name, s in self.systems.items()}
        self._http = HttpPoster("service", timeout)

    def send(self, call_id: str, payload: Mapping[str, Any]) -> None:
        name = str(payload.get("system"))
        system = self.systems.get(name)
        if system is None:  # configured later, the retry goes through
            raise DeliveryFailed(True, f"service: system {name!r} is not configured")
        body = dumps(call_body(payload, self.public_url))
        headers = signed_headers(self._signers[name], call_id, self._clock(), body)
        self._http.post(system.url, body, headers)

    def close(self) -> None:
        self._http.close()


def verify_callback(system: ServiceSystem, body: bytes, headers: Mapping[str, str],
                    now: datetime | None = None) -> str:
    """The callback's id (``webhook-id``) when ``body`` is signed by ``system``'s secret
    within ``TOLERANCE`` of ``now``; ``WebhookVerificationError`` saying why if not."""
    wanted = ("webhook-id", "webhook-timestamp", "webhook-signature")
    found = {k: headers.get(k) for k in wanted}
    missing = [k for k, v in found.items() if not v]
    if missing:
        raise WebhookVerificationError(f"missing header(s): {', '.join(missing)}")
    try:
        stamp = datetime.fromtimestamp(int(str(found["webhook-timestamp"])), UTC)
    except (ValueError, OverflowError, OSError):
        raise WebhookVerificationError("invalid webhook-timestamp") from None
    moment = now or utc_now()
    if abs(moment - stamp) > TOLERANCE:
        raise WebhookVerificationError("webhook-timestamp too old or too new (a replay?)")
    expected = Webhook(system.secret).sign(str(found["webhook-id"]), stamp, body.decode("utf-8"))
    given = str(found["webhook-signature"]).split(" ")
    if not any(hmac.compare_digest(expected, sig) for sig in given):
        raise WebhookVerificationError("signature does not match")
    return str(found["webhook-id"])


def sign_callback(system: ServiceSystem, callback_id: str, body: bytes,
                  at: datetime | None = None) -> dict[str, str]:
    """The headers a system sends with a callback (what ``verify_callback`` checks)."""
    return signed_headers(Webhook(system.secret), callback_id, at or utc_now(), body)


__all__ = ["CALLBACK_PATH", "TOLERANCE", "ServiceCaller", "ServiceSystem", "call_body",
           "callback_url", "sign_callback", "verify_callback"]
