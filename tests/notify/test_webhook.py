"""Webhooks signed per the Standard Webhooks spec, checked by a real local receiver that
verifies the signature with the spec's algorithm (and with the reference library)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from standardwebhooks import Webhook

from engine.notify import DeliveryFailed, WebhookChannel, deliver, render
from tests.notify.conftest import message
from tests.notify.servers import HttpReceiver, Received, Responder, closed_port

SECRET = "whsec_" + base64.b64encode(b"a 24-byte signing secret").decode()
PUBLIC = "https://signoff.example.com"


def spec_verify(secret: str, headers: dict[str, str], body: bytes,
                tolerance: int = 300) -> bool:
    """Verification as the Standard Webhooks spec describes it, written out here so the
    test does not trust the library that signed."""
    msg_id, ts = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(time.time() - int(ts)) > tolerance:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = base64.b64encode(
        hmac.new(key, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()).decode()
    candidates = [s.split(",", 1) for s in headers["webhook-signature"].split(" ")]
    return any(v == "v1" and hmac.compare_digest(sig, expected) for v, sig in candidates)


def verifying(secret: str) -> Responder:
    def respond(got: Received) -> tuple[int, dict[str, str], bytes]:
        if not spec_verify(secret, got.headers, got.body):
            return 401, {}, b"bad signature"
        Webhook(secret).verify(got.body, got.headers)  # raises if the library disagrees
        return 204, {}, b""
    return respond


def fixed(status: int, headers: dict[str, str] | None = None) -> Responder:
    return lambda got: (status, headers or {}, b"nope")


def _deliver(url: str, secret: str | None = SECRET, **kwargs: object) -> None:
    m = message()
    ch = WebhookChannel(url, secret, **kwargs)  # type: ignore[arg-type]
    try:
        deliver(ch, render(m, PUBLIC), m)
    finally:
        ch.close()


def test_signed_webhook_verifies_and_carries_the_message(
        receiver: Callable[[Responder], HttpReceiver]) -> None:
    r = receiver(verifying(SECRET))
    _deliver(r.url + "/hooks/signoff")
    [got] = r.requests
    assert got.path == "/hooks/signoff"
    assert got.headers["webhook-id"] == "0f8c5a8e-6f7d-4bde-9a8e-3c1c2b1a0d01"
    assert got.headers["content-type"].startswith("application/json")
    body = json.loads(got.body)
    assert body["type"] == "signoff.task_assigned"
    assert body["timestamp"] == "2026-12-01T02:00:00+00:00"
    data = body["data"]
    assert data["id"] == got.headers["webhook-id"]
    assert data["subject"] == "Approval needed: SO-0042 Shanghai Jing'an store"
    assert data["url"] == f"{PUBLIC}/tasks/7f3e"
    assert data["recipient"] == {"user_id": "li.na", "name": "Li Na",
                                 "email": "li.na@example.com"}
    assert {"label": "Step", "value": "Regional director"} in data["fields"]
    assert data["data"]["request_number"] == "SO-0042"


def test_retries_keep_the_id_and_sign_again(
        receiver: Callable[[Responder], HttpReceiver]) -> None:
    r = receiver(verifying(SECRET))
    _deliver(r.url)
    _deliver(r.url)
    first, second = r.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body


def test_wrong_secret_is_refused_by_the_receiver(
        receiver: Callable[[Responder], HttpReceiver]) -> None:
    r = receiver(verifying(SECRET))
    other = "whsec_" + base64.b64encode(b"another secret entirely!").decode()
    with pytest.raises(DeliveryFailed) as failed:
        _deliver(r.url, other)
    assert not failed.value.retryable and "401" in failed.value.reason


def test_a_stale_signature_fails_verification(
        receiver: Callable[[Responder], HttpReceiver]) -> None:
    r = receiver(verifying(SECRET))
    late = datetime.now(UTC) - timedelta(minutes=10)  # replayed: outside the tolerance
    with pytest.raises(DeliveryFailed):
        _deliver(r.url, clock=lambda: late)


def test_without_a_secret_the_webhook_is_unsigned(
        receiver: Callable[[Responder], HttpReceiver]) -> None:
    r = receiver(fixed(200))
    _deliver(r.url, None)
    [got] = r.requests
    assert "webhook-signature" not in got.headers and got.headers["webhook-id"]


@pytest.mark.parametrize(("status", "retryable"), [
    (500, True), (502, True), (503, True), (429, True), (408, True),
    (400, False), (401, False), (404, False), (410, False), (301, False)])
def test_status_codes_map_to_retryable(receiver: Callable[[Responder], HttpReceiver],
                                       status: int, retryable: bool) -> None:
    r = receiver(fixed(status))
    with pytest.raises(DeliveryFailed) as failed:
        _deliver(r.url)
    assert failed.value.retryable is retryable
    assert str(status) in failed.value.reason


def test_429_passes_on_retry_after(receiver: Callable[[Responder], HttpReceiver]) -> None:
    r = receiver(fixed(429, {"Retry-After": "30"}))
    with pytest.raises(DeliveryFailed) as failed:
        _deliver(r.url)
    assert failed.value.retryable and failed.value.retry_after == 30.0


def test_unreachable_port_is_retryable() -> None:
    with pytest.raises(DeliveryFailed) as failed:
        _deliver(f"http://127.0.0.1:{closed_port()}/hook")
    assert failed.value.retryable


def test_a_receiver_that_never_answers_times_out_retryably(
        receiver: Callable[[Responder], HttpReceiver]) -> None:
    def slow(got: Received) -> tuple[int, dict[str, str], bytes]:
        time.sleep(1.0)
        return 200, {}, b""
    r = receiver(slow)
    with pytest.raises(DeliveryFailed) as failed:
        _deliver(r.url, timeout=httpx.Timeout(0.2))
    assert failed.value.retryable and "timed out" in failed.value.reason


def test_a_bad_url_is_not_retryable() -> None:
    with pytest.raises(DeliveryFailed) as failed:
        _deliver("ftp://example.invalid/hook")
    assert not failed.value.retryable


def test_a_malformed_secret_is_refused_at_construction() -> None:
    with pytest.raises(ValueError):  # binascii.Error from the library
        WebhookChannel("http://127.0.0.1:9/", "whsec_not base64!!")
