"""Callbacks of outside systems to service steps (docs/definitions.md "Service steps").

``POST /api/services/{system}/callback``: the system named in the path answers a call it
was sent. It proves it is that system by signing the body with its configured secret
(Standard Webhooks headers: ``webhook-id`` (the callback's own id, unique per callback),
``webhook-timestamp`` (within 5 minutes of now), ``webhook-signature``). The body::

    {"call_id": "...", "instance_id": "...", "step": "delivery", "data": {...}}

Refused with a problem, changing nothing: 401 (unknown system, missing or wrong
signature, a stale timestamp: a replay), 404 (no such request), 403 (the call was made
to another system), 409 (no such call at that step, or the step is no longer waiting),
422 (a body that is not that shape, or ``data`` against the step's answer schema, naming
the field). A callback whose ``webhook-id`` was applied already is answered as before and
applied once (a retry of the system is safe).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ValidationError
from standardwebhooks import WebhookVerificationError

from api.deps import NowDep, RuntimeDep
from api.openapi import SIGNED_IN, problem_responses
from api.problems import Problem
from api.runtime import Runtime
from engine import service
from engine.core import commands as cmds
from engine.notify.service import verify_callback
from engine.store.definitions import DbCatalog
from engine.store.org import current_directory

router = APIRouter(prefix="/services", tags=["services"],
                   responses=problem_responses(*SIGNED_IN, 403, 404, 409))

MAX_CALLBACK_BYTES = 256 * 1024


class CallbackIn(BaseModel):
    call_id: UUID
    instance_id: UUID
    step: str
    data: dict[str, Any] = {}


class CallbackOut(BaseModel):
    instance_id: UUID
    step: str
    status: str  # the request's status after the callback
    node: str | None  # where the request is now
    waiting: bool  # whether the step still waits for this system


_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"type": "object", "required": ["call_id", "instance_id",
                                                                     "step"], "properties": {
        "call_id": {"type": "string", "format": "uuid"},
        "instance_id": {"type": "string", "format": "uuid"},
        "step": {"type": "string"}, "data": {"type": "object"}}}}}}}


@router.post("/{system}/callback", response_model=CallbackOut, openapi_extra=_BODY)
async def callback(system: str, request: Request, runtime: RuntimeDep, now: NowDep
                   ) -> CallbackOut:
    """A signed callback of ``system`` about a call of a service step (see the module)."""
    known = runtime.settings.service_systems().get(system)
    if known is None:
        raise Problem(401, f"unknown system {system!r}: it is not configured")
    raw = await request.body()
    if len(raw) > MAX_CALLBACK_BYTES:
        raise Problem(422, f"the callback is larger than {MAX_CALLBACK_BYTES} bytes")
    try:
        # the signature's timestamp against the real time (not the app's clock, which a
        # test or a demo may set): it is the system's clock that signed it
        callback_id = verify_callback(known, raw, request.headers)
    except (WebhookVerificationError, UnicodeDecodeError) as exc:
        raise Problem(401, f"the callback is not signed by {system!r}: {exc}") from None
    try:
        body = CallbackIn.model_validate(json.loads(raw))
    except (ValueError, ValidationError) as exc:
        errors = [{"pointer": "/" + "/".join(str(p) for p in e["loc"]), "message": e["msg"]}
                  for e in exc.errors()] if isinstance(exc, ValidationError) else None
        raise Problem(422, "the callback body is not {call_id, instance_id, step, data}",
                      errors=errors) from None
    cmd = cmds.AnswerService(call_id=body.call_id, system=system, node=body.step,
                             callback_id=callback_id, data=body.data)
    return await run_in_threadpool(_apply, runtime, body.instance_id, cmd, now)


def _apply(runtime: Runtime, instance_id: UUID, cmd: cmds.AnswerService,
           now: datetime) -> CallbackOut:
    with runtime.db.session() as session:
        state = service.execute(session, DbCatalog(session), current_directory(session),
                                instance_id, cmd, now)
    wait = state.wait(cmd.call_id)
    return CallbackOut(instance_id=state.id, step=cmd.node, status=state.status,
                       node=state.node, waiting=bool(wait and wait.open))


__all__ = ["router"]
