"""``deliver`` turns any channel error into ``DeliveryFailed``; ``Retry-After`` in both
of its forms."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.notify import DeliveryFailed, Message, Rendered, deliver, render
from engine.notify.transport import retry_after
from tests.notify.conftest import message


class Broken:
    name = "broken"

    def __init__(self, exc: Exception):
        self.exc = exc

    def send(self, rendered: Rendered, message: Message) -> None:
        raise self.exc

    def close(self) -> None:
        pass


def test_an_unexpected_error_is_reported_as_retryable() -> None:
    m = message()
    with pytest.raises(DeliveryFailed) as failed:
        deliver(Broken(KeyError("oops")), render(m), m)
    assert failed.value.retryable and "broken: KeyError" in failed.value.reason


def test_a_channel_verdict_passes_unchanged() -> None:
    m = message()
    verdict = DeliveryFailed(False, "no", 3.0)
    with pytest.raises(DeliveryFailed) as failed:
        deliver(Broken(verdict), render(m), m)
    assert failed.value is verdict


def test_retry_after_seconds_and_http_date() -> None:
    now = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    assert retry_after("120") == 120.0
    assert retry_after("Tue, 01 Dec 2026 02:01:30 GMT", lambda: now) == 90.0
    assert retry_after("Tue, 01 Dec 2026 01:00:00 GMT", lambda: now) == 0.0
    assert retry_after("soon") is None and retry_after(None) is None
