"""``create_app``: the FastAPI application (JSON under ``/api``, the built UI at ``/``).

``create_app`` builds the app only; it neither migrates nor syncs definitions (``signoff
serve`` does that once before starting any worker). ``app_from_env`` is the factory
uvicorn imports in each worker process.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from api import background, logs, metrics, openapi, problems, security, signin
from api.clock import Clock, system_clock
from api.guard import RequestGuard
from api.middleware import RequestMiddleware
from api.routes import (
    analytics,
    attachments,
    audit,
    auth,
    board,
    definitions,
    health,
    instances,
    notifications,
    org,
    reports,
    services,
    tasks,
    users,
)
from api.runtime import Runtime
from api.settings import Settings
from api.ui import mount_ui
from engine.worker import run_in_thread

_ROUTERS = (health, auth, users, definitions, instances, attachments, tasks, notifications,
            board, reports, analytics, audit, org, services)


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = Runtime.open(settings, clock or system_clock)

    background.configure(settings, runtime.db)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop = None
        logistics = background.demo_services(settings)  # the demo's outside system
        if settings.worker:  # the embedded worker (signoff serve --no-worker: off)
            work, channels = background.worker_for(settings, runtime.db, runtime.clock)
            thread, stop = run_in_thread(work)
        yield
        if stop is not None:
            stop.set()
            thread.join(timeout=10)
            for channel in channels.values():
                channel.close()
        if logistics is not None:
            logistics.stop()
        runtime.close()

    app = FastAPI(title="Signoff", version="0.1.0", lifespan=lifespan,
                  description="Approval workflows declared in YAML: requests, inbox, "
                              "definitions and approval analytics.",
                  openapi_url="/openapi.json", docs_url="/docs", redoc_url=None)
    app.state.runtime = runtime
    app.state.hash_slots = signin.HashSlots(settings.login_hash_concurrency,
                                            settings.login_hash_wait_seconds)
    problems.install(app)
    openapi.install(app)
    app.add_middleware(RequestGuard, limits=settings.limits())  # inside the headers
    security.install(app, settings)
    api = APIRouter(prefix="/api")
    for module in _ROUTERS:
        api.include_router(module.router)
    app.include_router(api)
    app.include_router(health.fallback)  # unknown /api/... paths: problem 404
    metrics.install(app, runtime)  # /metrics, before the UI's catch-all
    app.add_middleware(RequestMiddleware)  # request id, request metrics, the request log
    mount_ui(app, settings.ui_dist)
    return app


def app_from_env() -> FastAPI:
    settings = Settings()
    logs.configure(settings.log_format, settings.log_level)
    return create_app(settings)


__all__ = ["app_from_env", "create_app"]
