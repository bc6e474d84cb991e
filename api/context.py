"""What one request carries through its layers: its id and, once known, the caller.

The middleware (``api.middleware``) opens a ``RequestContext`` per HTTP request and keeps
it in a context variable, so problem documents, log lines and audit rows read the same
request id without passing it around. Sync routes run in a thread pool with a copy of the
context: they see the same ``RequestContext`` object, and what they note on it (the
user) is seen by the middleware when it writes the request's log line.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar, Token
from dataclasses import dataclass

from engine.store import audit

HEADER = "X-Request-ID"
_VALID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")


@dataclass
class RequestContext:
    request_id: str
    user: str | None = None


_current: ContextVar[RequestContext | None] = ContextVar("signoff_request", default=None)


def new_request_id(offered: str | None = None) -> str:
    """The id a client sent (when it is a plain token of up to 128 characters), else a
    fresh one."""
    if offered and _VALID.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


Tokens = tuple[Token[RequestContext | None], Token[str | None]]


def begin(request_id: str) -> tuple[RequestContext, Tokens]:
    ctx = RequestContext(request_id)
    # Audit rows written while the request runs carry its id too.
    return ctx, (_current.set(ctx), audit.request_id.set(request_id))


def end(tokens: Tokens) -> None:
    _current.reset(tokens[0])
    audit.request_id.reset(tokens[1])


def current() -> RequestContext | None:
    return _current.get()


def current_request_id() -> str | None:
    ctx = _current.get()
    return ctx.request_id if ctx else None


def note_user(username: str) -> None:
    """Record who the caller is, for the request's log line."""
    ctx = _current.get()
    if ctx is not None:
        ctx.user = username


__all__ = ["HEADER", "RequestContext", "begin", "current", "current_request_id", "end",
           "new_request_id", "note_user"]
