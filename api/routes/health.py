"""``GET /api/health`` (liveness plus a database round trip) and the problem 404 for
unknown ``/api`` paths."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text

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
    raise Problem(404, f"No API endpoint at {request.url.path}")
