"""One ASGI middleware per request: its id, its metrics and its log line.

The id is the client's ``X-Request-ID`` when it sent a plain one, else a fresh one; it is
returned in the ``X-Request-ID`` response header, put in every problem document and on
every log line written while the request runs (``api.context``). When the request is
answered, one line is logged (``signoff.request``) with method, route template, status,
duration in milliseconds, user and request id, and the request is counted in
``/metrics``. Bodies, headers and query strings are never logged. Probes (``/metrics``,
``/api/health/...``) are logged at DEBUG so a load balancer's polling does not flood the
log. An error no handler answered is logged with its traceback and answered with a 500
problem document carrying the request id.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import context, metrics
from api.problems import problem_body, respond

log = logging.getLogger("signoff.request")
_QUIET = ("/metrics", "/api/health")
_HEADER = context.HEADER.lower().encode()


def route_of(scope: Scope) -> str:
    """The route template that answered (``/api/tasks/{task_id}``), never the raw path:
    ids would make every request its own metric."""
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    path: str = scope.get("path", "")
    if not isinstance(template, str) or not template:
        return "<unmatched>" if path.startswith("/api") else "<ui>"
    # A route included under a prefix may know only its own part ("/tasks/{task_id}"):
    # fill in its parameters, find that tail in the path, and keep the prefix before it.
    filled = template
    for name, value in (scope.get("path_params") or {}).items():
        filled = filled.replace("{" + name + "}", str(value))
    if path != filled and path.endswith(filled):
        return path[: len(path) - len(filled)] + template
    return template


class RequestMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = next((v.decode("latin-1") for k, v in scope.get("headers", ())
                        if k == _HEADER), None)
        ctx, token = context.begin(context.new_request_id(offered))
        status, started = 500, False
        start = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status, started = int(message["status"]), True
                headers = [(k, v) for k, v in message.get("headers", ()) if k != _HEADER]
                headers.append((_HEADER, ctx.request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        metrics.IN_PROGRESS.inc()
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled error (request id %s)", ctx.request_id,
                          extra={"request_id": ctx.request_id})
            if started:
                raise
            # Not answered yet: a problem document carrying the request id, rather than
            # a bare "Internal Server Error".
            body = problem_body(500, "Internal error", "An unexpected error: quote "
                                f"request id {ctx.request_id} when reporting it",
                                scope.get("path", ""), type_="/problems/500")
            await respond(body)(scope, receive, send_with_id)
        finally:
            metrics.IN_PROGRESS.dec()
            seconds = time.perf_counter() - start
            route, method = route_of(scope), scope.get("method", "")
            metrics.observe_request(method, route, status, seconds)
            quiet = any(scope.get("path", "").startswith(p) for p in _QUIET)
            level = (logging.ERROR if status >= 500 else
                     logging.DEBUG if quiet else logging.INFO)
            log.log(level, "%s %s %s", method, route, status,
                    extra={"method": method, "route": route, "status": status,
                           "duration_ms": round(seconds * 1000, 1), "user": ctx.user,
                           "request_id": ctx.request_id})
            context.end(token)


__all__ = ["RequestMiddleware", "route_of"]
