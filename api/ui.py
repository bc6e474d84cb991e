"""Serving the built UI (``ui/dist``) at ``/``, mounted after every API route.

Unknown non-``/api`` paths fall back to ``index.html`` (the React router handles them);
unknown ``/api`` paths never reach this mount (``api.app`` answers them with a problem
404). Without a build, every UI path answers 503 with a page saying how to build it.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

_MISSING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Signoff: UI not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto">
<h1>Signoff is running, but its UI is not built</h1>
<p>The API is available under <a href="/api/health">/api</a>, with interactive docs at
<a href="/docs">/docs</a>.</p>
<p>To build the UI, run <code>bin/setup</code> (or <code>cd ui &amp;&amp; npm ci &amp;&amp;
npm run build</code>), then reload this page. Looked for: <code>{path}</code>.</p>
</body></html>
"""


class SinglePageApp(StaticFiles):
    """Static files with ``index.html`` as the answer for unknown paths."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            response = await super().get_response(path, scope)
        except StarletteHTTPException as exc:
            if exc.status_code != 404:
                raise
            return await super().get_response("index.html", scope)
        if response.status_code == 404:
            return await super().get_response("index.html", scope)
        return response


def mount_ui(app: FastAPI, dist: Path) -> None:
    if (dist / "index.html").is_file():
        app.mount("/", SinglePageApp(directory=dist, html=True), name="ui")
        return
    page = _MISSING.replace("{path}", str(dist / "index.html"))

    @app.get("/{path:path}", include_in_schema=False)
    def ui_missing(path: str) -> HTMLResponse:
        return HTMLResponse(page, status_code=503)


__all__ = ["SinglePageApp", "mount_ui"]
