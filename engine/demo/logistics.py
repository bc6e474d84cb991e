"""A simulated logistics system for the demo (and the tests of service steps): a real
small HTTP service on a local port, outside Signoff in everything but the process.

It accepts the signed calls of service steps (``POST /shipments``; the Standard Webhooks
signature checked with the ``standardwebhooks`` package and the shared secret, a wrong
one answered 401), and answers each shipment later through Signoff's real callback
endpoint, signing every callback with the same secret: ``shipped``, then ``in_transit``,
then ``arrived`` (``auto``; ``pace`` seconds apart). ``fail_next`` makes the next calls
fail with 503, so the outbox's retries can be watched; ``callback`` sends one by hand.
"""

from __future__ import annotations

import json
import secrets
import threading
from base64 import b64encode
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from uuid import uuid4

import httpx
from standardwebhooks import Webhook, WebhookVerificationError

from engine.notify.service import ServiceSystem, sign_callback
from engine.notify.transport import dumps

STATUSES = ("shipped", "in_transit", "arrived")
Post = Callable[[str, bytes, dict[str, str]], httpx.Response]


def new_secret() -> str:
    return "whsec_" + b64encode(secrets.token_bytes(24)).decode("ascii")


def tracking_number(call_id: Any) -> str:
    """The tracking number the system gives the shipment of a call (the simulated
    history's answers use it too)."""
    return "LX" + str(call_id).replace("-", "")[:10].upper()


@dataclass
class Shipment:
    """A call received: its body as sent, and the headers it came with."""

    body: dict[str, Any]
    headers: dict[str, str]

    @property
    def tracking(self) -> str:
        return tracking_number(self.body["call_id"])


@dataclass
class LogisticsSystem:
    secret: str = field(default_factory=new_secret)
    name: str = "logistics"
    auto: bool = False  # answer each shipment by itself: shipped, in transit, arrived
    pace: float = 20.0  # seconds between the automatic answers
    post: Post | None = None  # how callbacks are sent (default: plain HTTP with httpx)
    fail_next: int = 0  # answer the next calls 503 (the caller retries)
    shipments: list[Shipment] = field(default_factory=list)
    refused: int = 0  # calls whose signature did not verify
    attempts: int = 0  # calls received, failed ones included
    _server: ThreadingHTTPServer | None = field(default=None, repr=False)
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def url(self) -> str:
        assert self._server is not None, "not started"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/shipments"

    def system(self) -> ServiceSystem:
        """How Signoff is configured to call this system."""
        return ServiceSystem(self.name, self.url, self.secret)

    def start(self) -> LogisticsSystem:
        system = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(min(length, 1_000_000))
                status = system._received(body, {k.lower(): v for k, v in self.headers.items()})
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True,
                         name="demo-logistics").start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _received(self, body: bytes, headers: dict[str, str]) -> int:
        self.attempts += 1
        try:
            Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError:
            self.refused += 1
            return 401
        if self.fail_next > 0:
            self.fail_next -= 1
            return 503
        shipment = Shipment(json.loads(body), headers)
        if any(s.body["call_id"] == shipment.body["call_id"] for s in self.shipments):
            return 200  # a retry of a call already taken (its answer was lost)
        self.shipments.append(shipment)
        if self.auto:
            threading.Thread(target=self._answer_all, args=(shipment,), daemon=True).start()
        return 202

    def _answer_all(self, shipment: Shipment, statuses: Sequence[str] = STATUSES) -> None:
        for status in statuses:
            if self._stop.wait(self.pace):
                return
            try:
                self.callback(shipment, status)
            except httpx.HTTPError:
                continue  # Signoff is away; the demo simply skips this update

    def callback(self, shipment: Shipment, status: str, *, callback_id: str | None = None,
                 **extra: Any) -> httpx.Response:
        """Tell Signoff about ``shipment``: ``status`` and the tracking number (plus
        ``extra`` fields), signed with the secret, to the callback URL of the call."""
        body = dumps({"call_id": shipment.body["call_id"],
                      "instance_id": shipment.body["instance_id"],
                      "step": shipment.body["step"],
                      "data": {"status": status, "tracking_number": shipment.tracking,
                               **extra}})
        headers = {"content-type": "application/json",
                   **sign_callback(self.system(), callback_id or f"cb_{uuid4().hex}", body)}
        url = str(shipment.body["callback_url"])
        if self.post is not None:
            return self.post(url, body, headers)
        return httpx.post(url, content=body, headers=headers, timeout=10.0)


__all__ = ["STATUSES", "LogisticsSystem", "Shipment", "new_secret", "tracking_number"]
