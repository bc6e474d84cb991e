"""Security headers on every response, and the client's real address and scheme behind a
trusted proxy.

``install(app, settings)`` wraps the app in two plain ASGI middlewares (no buffering, so
Server-Sent Events stream as before):

- ``ProxyHeadersMiddleware`` (uvicorn's): from the proxies named in
  ``settings.trusted_proxies`` only, ``X-Forwarded-For`` becomes the client address (used
  by sign-in throttling) and ``X-Forwarded-Proto`` the scheme. Anyone else's forwarded
  headers are ignored.
- ``SecurityHeaders``: a Content Security Policy the built UI works under, no MIME
  sniffing, no framing, no referrer to other sites, and HSTS when the request came over
  HTTPS (directly or through a trusted proxy).

The UI's policy allows inline styles: Mermaid writes ``<style>`` elements into its SVG
diagrams and Recharts sets ``style`` attributes. Scripts come from our origin only. The
interactive API docs (``/docs``) load Swagger UI from its CDN with an inline bootstrap
script, so that page alone gets a policy allowing exactly that.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api.settings import Settings

# 'unsafe-eval': react-jsonschema-form validates with ajv, which compiles each form's JSON
# Schema into a function at run time (definitions are published while the app runs, so
# validators cannot be precompiled at build time). Inline scripts and other origins stay
# forbidden.
CSP = ("default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
SWAGGER_CDN = "https://cdn.jsdelivr.net"
DOCS_CSP = (f"default-src 'self'; script-src 'self' 'unsafe-inline' {SWAGGER_CDN}; "
            f"style-src 'self' 'unsafe-inline' {SWAGGER_CDN}; "
            "img-src 'self' data: https://fastapi.tiangolo.com; connect-src 'self'; "
            "object-src 'none'; base-uri 'self'; frame-ancestors 'none'")
COMMON = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


class SecurityHeaders:
    """Adds the headers to every HTTP response (a header a route set itself is kept)."""

    def __init__(self, app: ASGIApp, *, hsts_max_age: int) -> None:
        self.app = app
        self.hsts = f"max-age={hsts_max_age}; includeSubDomains" if hsts_max_age > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = dict(COMMON)
        extra["Content-Security-Policy"] = DOCS_CSP if scope["path"] == "/docs" else CSP
        if self.hsts and scope.get("scheme") == "https":
            extra["Strict-Transport-Security"] = self.hsts

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI, settings: Settings) -> None:
    """Security headers inside, proxy headers outside (so the scheme is known first)."""
    app.add_middleware(SecurityHeaders, hsts_max_age=settings.hsts_max_age)
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)


__all__ = ["CSP", "SecurityHeaders", "install"]
