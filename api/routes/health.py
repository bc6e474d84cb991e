"""Health: ``GET /api/health`` (the process and a database round trip, kept for existing
probes), ``/api/health/live`` (the process answers; no database), ``/api/health/ready``
(database reachable, migrations at head, a worker heard from recently when
``workers_expected``: 503 with the failing checks otherwise), and the problem 404 for
unknown ``/api`` paths (405 with ``Allow`` for a known path and a method it lacks)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from starlette.routing import compile_path

from api.deps import RuntimeDep
from api.openapi import problem_responses
from api.problems import Problem, problem_body, respond
from engine.store.readiness import OK, readiness

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


class LiveOut(BaseModel):
    status: str


class ReadyOut(BaseModel):
    status: str
    checks: dict[str, str]  # database, migrations, worker: "ok" or why not


@router.get("/health/live", response_model=LiveOut)
def live() -> LiveOut:
    """The process answers (restart it when this fails)."""
    return LiveOut(status="ok")


@router.get("/health/ready", response_model=ReadyOut, responses=problem_responses(503))
def ready(runtime: RuntimeDep, request: Request) -> JSONResponse:
    """Send traffic here? Database reachable, migrations at head, a worker heard from."""
    settings = runtime.settings
    checks = readiness(runtime.db, runtime.clock(), workers_expected=settings.workers_expected,
                       stale_after=timedelta(seconds=settings.worker_stale_seconds))
    failed = {k: v for k, v in checks.items() if v != OK}
    if not failed:
        return JSONResponse({"status": "ready", "checks": checks})
    body = problem_body(503, "NotReady", "; ".join(f"{k}: {v}" for k, v in failed.items()),
                        request.url.path, type_="/problems/NotReady")
    return respond({**body, "checks": checks})


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
