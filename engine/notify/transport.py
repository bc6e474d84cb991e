"""HTTP posting shared by the webhook and the chat robots: short timeouts, and one
mapping from what happened to ``DeliveryFailed(retryable, reason)``."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from engine.notify.message import DeliveryFailed

Clock = Callable[[], datetime]
USER_AGENT = "Signoff-Notify/1"
# connect quickly; a receiver gets a few seconds to answer; the worker retries later
DEFAULT_TIMEOUT = httpx.Timeout(5.0, connect=3.0)
_RETRYABLE_STATUS = frozenset({408, 425, 429})


def utc_now() -> datetime:
    return datetime.now(UTC)


class HttpPoster:
    """A pooled ``httpx.Client`` with a quick timeout; ``post`` raises ``DeliveryFailed``
    for anything but a 2xx answer. Redirects are not followed (a moved endpoint is a
    configuration to fix, not something to guess)."""

    def __init__(self, name: str, timeout: float | httpx.Timeout | None = None,
                 client: httpx.Client | None = None):
        self.name = name
        self._client = client or httpx.Client(
            timeout=timeout if timeout is not None else DEFAULT_TIMEOUT,
            follow_redirects=False, headers={"user-agent": USER_AGENT})

    def post(self, url: str, body: bytes, headers: Mapping[str, str] | None = None,
             params: Mapping[str, str] | None = None) -> httpx.Response:
        try:
            # merged into the URL's own query (a robot URL carries its token there);
            # httpx's ``params=`` would replace that query instead
            target = httpx.URL(url).copy_merge_params(params) if params else url
            response = self._client.post(
                target, content=body,
                headers={"content-type": "application/json; charset=utf-8", **(headers or {})})
        except httpx.TimeoutException as exc:
            raise DeliveryFailed(True, f"{self.name}: timed out ({type(exc).__name__})") from exc
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise DeliveryFailed(False, f"{self.name}: bad URL: {exc}") from exc
        except httpx.TransportError as exc:
            raise DeliveryFailed(True, f"{self.name}: {type(exc).__name__}: {exc}") from exc
        status = response.status_code
        if 200 <= status < 300:
            return response
        reason = f"{self.name}: HTTP {status} {_snippet(response)}".rstrip()
        if status >= 500 or status in _RETRYABLE_STATUS:
            raise DeliveryFailed(True, reason, retry_after(response.headers.get("retry-after")))
        raise DeliveryFailed(False, reason)

    def close(self) -> None:
        self._client.close()


def vendor_json(name: str, response: httpx.Response) -> dict[str, Any]:
    """The JSON object a chat vendor answers with; anything else is a non-retryable
    failure (the endpoint is not the vendor's robot)."""
    try:
        body = json.loads(response.content)
    except ValueError:
        raise DeliveryFailed(False, f"{name}: answer is not JSON: {_snippet(response)}") from None
    if not isinstance(body, dict):
        raise DeliveryFailed(False, f"{name}: unexpected answer {_snippet(response)}")
    return body


def retry_after(value: str | None, now: Clock = utc_now) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now()).total_seconds())


def _snippet(response: httpx.Response) -> str:
    text = response.text.strip().replace("\n", " ")
    return text[:200]


def dumps(payload: Mapping[str, Any]) -> bytes:
    """Compact UTF-8 JSON: the exact bytes that are signed are the bytes sent."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


__all__ = ["DEFAULT_TIMEOUT", "Clock", "HttpPoster", "dumps", "retry_after", "utc_now",
           "vendor_json"]
