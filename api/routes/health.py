"""``GET /api/health`` (liveness plus a database round trip) and the problem 404 for
unknown ``/api`` paths (405 with ``Allow`` for a known path and a method it lacks)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text
from starlette.routing import compile_path

from api.deps import RuntimeDep
from api.problems import Problem

router = APIRouter(tags=["health"])
fallback = APIRouter(include_in_schema=False)


class HealthOut(BaseModel):
    status: str
    database: str
    demo: bool
    time: str  # ISO 8601, the server clock


@router.get("/health", response_model=HealthOut)
def health(runtime: RuntimeDep) -> HealthOut:
    with runtime.db.read_engine.connect() as conn:  # never takes SQLite's write lock
        conn.execute(text("select 1"))
    return HealthOut(status="ok", database=runtime.db.engine.dialect.name,
                     demo=runtime.settings.demo, time=runtime.clock().isoformat())


@fallback.api_route("/api/{path:path}",
                    methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
def unknown_api_path(path: str, request: Request) -> None:
    allowed = _methods_at(request)
    if allowed:
        raise Problem(405, f"{request.method} is not allowed at {request.url.path}",
                      headers={"Allow": ", ".join(sorted(allowed))})
    raise Problem(404, f"No API endpoint at {request.url.path}")


def _methods_at(request: Request) -> set[str]:
    """The methods the API documents for this request's path (its OpenAPI paths, which
    FastAPI builds once per app)."""
    table = getattr(request.app.state, "api_methods", None)
    if table is None:
        table = [(compile_path(path)[0], {m.upper() for m in ops})
                 for path, ops in request.app.openapi().get("paths", {}).items()]
        request.app.state.api_methods = table
    return {m for regex, methods in table if regex.match(request.url.path) for m in methods}
