"""Org sync for an HR system (admins, or an admin's API token as the service token):
``POST /api/admin/org/preview`` says what a new org directory would change and which open
tasks would move; ``POST /api/admin/org/sync`` applies it (recorded in the audit log) and
hands the leavers' open tasks to their managers. The body is the whole org: JSON or YAML
in the shape of ``org.yaml`` (``{"users": [...], "units": [...], "roles": {...}}``), or a
users CSV (``text/csv``, without units). Columns: docs/operations.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from api.deps import AdminDep, NowDep, RuntimeDep, body_text
from api.openapi import SIGNED_IN, problem_responses
from api.org_view import OrgSyncOut, sync_out
from api.runtime import Runtime
from engine import org_sync
from engine.core.directory import OrgDirectory, directory_from_csv, directory_from_yaml

router = APIRouter(prefix="/admin/org", tags=["admin"],
                   responses=problem_responses(*SIGNED_IN, 403))

MAX_ORG_BYTES = 16 * 1024 * 1024
_ORG_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"type": "object", "required": ["users"], "properties": {
        "users": {"type": "array", "items": {"type": "object"}},
        "units": {"type": "array", "items": {"type": "object"}},
        "roles": {"type": "object"}}}},
    "text/yaml": {"schema": {"type": "string"}},
    "text/csv": {"schema": {"type": "string"}}}}}


async def _incoming(request: Request) -> OrgDirectory:
    text = await body_text(request, MAX_ORG_BYTES, "The org directory")
    if "csv" in request.headers.get("content-type", ""):
        return directory_from_csv(text, "upload")
    return directory_from_yaml(text, "upload")  # JSON is YAML too, with positions


@router.post("/preview", response_model=OrgSyncOut, openapi_extra=_ORG_BODY)
async def preview(request: Request, user: AdminDep, runtime: RuntimeDep) -> OrgSyncOut:
    """What the org directory in the body would change (new, moved, changed and leaving
    users, units) and which open tasks would move to whom; nothing is written. A broken
    directory is a 422 with line and column errors."""
    incoming = await _incoming(request)
    return await run_in_threadpool(_preview, runtime, incoming)


def _preview(runtime: Runtime, incoming: OrgDirectory) -> OrgSyncOut:
    with runtime.db.session(write=False) as session:
        return sync_out(org_sync.preview(session, incoming))


@router.post("/sync", response_model=OrgSyncOut, openapi_extra=_ORG_BODY)
async def sync(request: Request, user: AdminDep, runtime: RuntimeDep, now: NowDep
               ) -> OrgSyncOut:
    """Apply the org directory in the body: users saved, those missing marked as left
    (admins are kept), units replaced; the leavers' open tasks go to their managers
    (``task_reassigned`` by ``system`` in each request's log). The answer is the preview
    with ``applied`` and each hand-over's ``done``."""
    incoming = await _incoming(request)
    return await run_in_threadpool(_sync, runtime, incoming, user.username, now)


def _sync(runtime: Runtime, incoming: OrgDirectory, actor: str, now: datetime) -> OrgSyncOut:
    with runtime.db.session() as session:
        return sync_out(org_sync.apply(session, incoming, now, actor=actor, source="api"))
