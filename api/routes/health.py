"""``GET /api/health`` (liveness plus a database round trip) and the problem 404 for
unknown ``/api`` paths."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import text

from api.deps import RuntimeDep
from api.problems import Problem

router = APIRouter(tags=["health"])
fallback = APIRouter(include_in_schema=False)


@router.get("/health")
def health(runtime: RuntimeDep) -> dict[str, Any]:
    with runtime.db.read_engine.connect() as conn:  # never takes SQLite's write lock
        conn.execute(text("select 1"))
    return {"status": "ok", "database": runtime.db.engine.dialect.name,
            "demo": runtime.settings.demo, "time": runtime.clock().isoformat()}


@fallback.api_route("/api/{path:path}",
                    methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
def unknown_api_path(path: str, request: Request) -> None:
    raise Problem(404, f"No API endpoint at {request.url.path}")
