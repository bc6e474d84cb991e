"""``RequestGuard``: the pure ASGI middleware every HTTP request passes first.

- The request id is the one ``api.middleware`` chose (``api.context``); problems show it.
- The body is read here, at most ``Limits.max_body_bytes`` (a larger ``Content-Length``
  is refused before reading; a chunked body is cut off as soon as it passes the limit):
  413 problem. Routes then read the buffered body as usual. Attachment uploads are not
  buffered: they stream through to the route, counted against ``max_upload_bytes`` on
  the way (the same 413), so a file is never held whole in memory.
- Text that cannot be stored is refused before any route runs, with a 422 naming where
  it is: NUL characters and lone surrogates (PostgreSQL refuses NUL; a lone surrogate is
  not UTF-8) in the path, the query string and JSON bodies, JSON nested deeper than
  ``max_json_depth``, strings longer than ``max_string_length`` (a definition's YAML may
  be as long as ``max_yaml_bytes``), numbers that are not finite.
- A catch-all: parser and engine exceptions that escaped a route (RecursionError, YAML
  and Unicode errors, a value the database refuses) become 4xx problems; anything else
  is a real bug, left to ``api.middleware`` (the one place that logs and answers a 500).
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl

from ruamel.yaml.error import YAMLError
from sqlalchemy.exc import DataError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.context import current_request_id
from api.problems import MEDIA_TYPE, problem_body
from engine.core.limits import Limits, data_errors, text_problem

log = logging.getLogger("signoff.api")

_LONG_TEXT = ("/api/definitions",)  # bodies carrying a definition's YAML text


def _is_upload(scope: Scope) -> bool:
    """A POST of attachment files (multipart, binary: NUL bytes are content there), held
    to ``max_upload_bytes``; the route checks each file against the attachment limits."""
    path = str(scope.get("path", ""))
    return scope.get("method") == "POST" and (
        path == "/api/attachments"
        or (path.startswith("/api/instances/") and path.endswith("/attachments")))
_BODYLESS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})


class _Refused(Exception):
    def __init__(self, status: int, title: str, detail: str,
                 errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.errors = status, title, detail, errors


def _url_problem(scope: Scope, limits: Limits) -> _Refused | None:
    path = str(scope.get("path", ""))
    if (why := text_problem(path)) is not None:
        return _Refused(422, "RequestInvalid", f"The URL path {why}",
                        [{"parameter": "path", "in": "path", "message": why}])
    raw = bytes(scope.get("query_string", b""))
    if not raw:
        return None
    try:
        pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        return _Refused(422, "RequestInvalid", "The query string is not UTF-8 text",
                        [{"parameter": "query", "in": "query", "message": "not UTF-8"}])
    errors = []
    for name, value in pairs:
        why = text_problem(name + value)
        if why is None and len(value) > limits.max_string_length:
            why = f"longer than {limits.max_string_length} characters"
        if why is not None:
            errors.append({"parameter": name[:100], "in": "query", "message": why})
    if errors:
        return _Refused(422, "RequestInvalid", f"Query parameter {errors[0]['parameter']!r} "
                        f"{errors[0]['message']}", errors)
    return None


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            kind = bytes(value).decode("latin-1").split(";")[0].strip().lower()
            return kind == "application/json" or kind.endswith("+json")
    return False


def _too_large(scope: Scope, limit: int) -> _Refused:
    """The 413 of a body over ``limit``; raised at once when ``Content-Length`` says so."""
    too_large = _Refused(413, "Content too large",
                         f"The request body is larger than {limit} bytes")
    declared = _content_length(scope)
    if declared is not None and declared > limit:
        raise too_large
    return too_large


async def _streamed(app: ASGIApp, scope: Scope, receive: Receive, send: Send,
                    limit: int) -> None:
    """Run ``app`` on a body counted as it comes: once past ``limit`` the read fails, the
    app's answer to that (a parse error) is dropped and the 413 is raised instead."""
    too_large = _too_large(scope, limit)
    size, over = 0, False

    async def counting() -> Message:
        nonlocal size, over
        message = await receive()
        size += len(message.get("body", b""))
        if size > limit:
            over = True
            raise too_large
        return message

    async def sending(message: Message) -> None:
        if not over:
            await send(message)

    try:
        await app(scope, counting, sending)
    except Exception:
        if not over:
            raise
    if over:
        raise too_large


async def _read_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    too_large = _too_large(scope, limit)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _json_problem(body: bytes, path: str, limits: Limits) -> _Refused | None:
    """Depth, text and size problems of a JSON body, or why it is not JSON at all."""
    if not body:
        return None
    try:
        doc = json.loads(body)
    except RecursionError:
        errors = [{"pointer": "", "message": f"nested deeper than {limits.max_json_depth} "
                                             "levels"}]
    except UnicodeDecodeError:
        errors = [{"pointer": "", "message": "the body is not UTF-8 text"}]
    except ValueError as exc:
        errors = [{"pointer": "", "message": f"not valid JSON: {exc}"[:300]}]
    else:
        if path.startswith(_LONG_TEXT):
            limits = replace(limits, max_string_length=max(limits.max_string_length,
                                                           limits.max_yaml_bytes))
        found = data_errors(doc, limits, max_bytes=2 * limits.max_body_bytes + 64)
        errors = [{"pointer": p, "message": m} for p, m in found]
    if not errors:
        return None
    where = errors[0]["pointer"] or "the body"
    return _Refused(422, "RequestInvalid", f"{where}: {errors[0]['message']}", errors)


def _mapped(exc: Exception) -> tuple[int, str, str]:
    """(status, title, detail) for an exception no route handled."""
    if isinstance(exc, RecursionError):
        return 422, "RequestInvalid", "The input is nested too deeply"
    if isinstance(exc, YAMLError):
        return 422, "RequestInvalid", f"The YAML cannot be read: {type(exc).__name__}"
    if isinstance(exc, UnicodeError):
        return 422, "RequestInvalid", "The input is not valid Unicode text"
    if isinstance(exc, DataError | OverflowError):
        return 422, "RequestInvalid", "A value is out of the range the database stores"
    return 500, "Internal error", ""


class RequestGuard:
    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app, self.limits = app, limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = current_request_id()
        started = False

        async def send_started(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._guarded(scope, receive, send_started)
        except _Refused as refused:
            await _problem(send_started, scope, refused.status, refused.title,
                           refused.detail, refused.errors)
        except Exception as exc:
            status, title, detail = _mapped(exc)
            if started or status >= 500:
                raise  # a real bug: api.middleware logs it and answers the 500
            log.warning("request %s %s refused late (request id %s): %r",
                        scope.get("method"), scope.get("path"), rid, exc)
            await _problem(send_started, scope, status, title, detail)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (refused := _url_problem(scope, self.limits)) is not None:
            raise refused
        if scope.get("method", "GET") in _BODYLESS and _content_length(scope) in (None, 0):
            await self.app(scope, receive, send)
            return
        if _is_upload(scope):  # streamed through, counted: files are never held whole
            await _streamed(self.app, scope, receive, send, self.limits.max_upload_bytes)
            return
        body = await _read_body(scope, receive, self.limits.max_body_bytes)
        if b"\x00" in body:
            raise _Refused(422, "RequestInvalid", "The body contains a NUL byte",
                           [{"pointer": "", "message": "contains a NUL byte"}])
        if _is_json(scope) and (refused := _json_problem(
                body, str(scope.get("path", "")), self.limits)) is not None:
            raise refused
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _problem(send: Send, scope: Scope, status: int, title: str, detail: str,
                   errors: list[dict[str, Any]] | None = None) -> None:
    body = problem_body(status, title, detail, str(scope.get("path", ""))[:2000],
                        type_=f"/problems/{title}" if " " not in title else None,
                        errors=errors)
    raw = json.dumps(body, ensure_ascii=True).encode("ascii")
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", MEDIA_TYPE.encode()), (b"content-length", str(len(raw)).encode())]})
    await send({"type": "http.response.body", "body": raw})


__all__ = ["RequestGuard"]
