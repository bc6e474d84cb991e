"""Process definitions: list, detail (form, UI schema, nodes, Mermaid, versions, YAML),
validate a YAML text, and publish a new version (process owners)."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from api.audit import note as audit_note
from api.deps import CallerDep, NowDep, ReadSessionDep, RuntimeDep, UserDep, body_text
from api.i18n import ZhDep, localize
from api.messages import to_zh
from api.openapi import SIGNED_IN, problem_responses
from api.problems import Problem
from api.runtime import Runtime
from api.schemas import DefinitionOut, DefinitionSummaryOut, LineErrorOut, ValidationOut
from api.views import definition_out, definition_summary
from engine import service
from engine.core.diagram import mermaid, people_names
from engine.core.directory import User
from engine.core.errors import DefinitionError, DefinitionInvalid, NotPermitted
from engine.core.limits import DEFAULT
from engine.core.lint import definition_warnings
from engine.core.loader import definition_schema, load_definition
from engine.store import definitions as defs

router = APIRouter(prefix="/definitions", tags=["definitions"],
                   responses=problem_responses(*SIGNED_IN, 403, 404, 409))

_YAML_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "text/yaml": {"schema": {"type": "string"}},
    "application/json": {"schema": {"type": "object", "required": ["yaml"],
                                    "properties": {"yaml": {"type": "string"}}}}}}}
MAX_YAML_BYTES = DEFAULT.max_yaml_bytes


async def _yaml_text(request: Request) -> str:
    """The YAML of the request: a ``text/yaml`` body, or JSON ``{"yaml": "..."}``."""
    text = await body_text(request, MAX_YAML_BYTES, "The definition")
    if "json" in request.headers.get("content-type", ""):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise Problem(422, f"Malformed JSON: {exc}", errors=[
                {"pointer": "", "message": str(exc)}]) from None
        if not isinstance(doc, dict) or not isinstance(doc.get("yaml"), str):
            raise Problem(422, "Send the definition as {\"yaml\": \"...\"}",
                          errors=[{"pointer": "/yaml", "message": "a string is required"}])
        text = doc["yaml"]
    if not text.strip():
        raise Problem(422, "The definition is empty")
    return text


@router.get("", response_model=list[DefinitionSummaryOut])
def list_definitions(user: UserDep, session: ReadSessionDep, zh: ZhDep
                     ) -> list[DefinitionSummaryOut]:
    catalog = service.DbCatalog(session)
    retired = defs.retired(session)
    return [definition_summary(localize(d, zh), catalog.versions(d.key), d, retired.get(d.key))
            for d in catalog.latest()]


@router.get("/schema", response_model=dict[str, Any])
def get_schema(user: UserDep) -> dict[str, Any]:
    """The JSON Schema of the YAML format (completion in the owner's editor)."""
    return definition_schema()


@router.get("/{key}", response_model=DefinitionOut)
def get_definition(key: str, caller: CallerDep, session: ReadSessionDep, zh: ZhDep,
                   version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None
                   ) -> DefinitionOut:
    """A version (the newest by default); its diagram and steps in words of the caller's
    language, people by name."""
    catalog = service.DbCatalog(session)
    defn = catalog.get(key, version)
    lang = "zh" if zh else "en"
    return definition_out(localize(defn, zh), catalog.versions(key), defn,
                          defs.retirement(session, key), lang,
                          people_names(caller.directory, lang))


@router.post("/validate", response_model=ValidationOut, openapi_extra=_YAML_BODY)
async def validate(request: Request, user: UserDep, runtime: RuntimeDep, zh: ZhDep
                   ) -> ValidationOut:
    """Check a YAML draft without storing it: every root error with line and column (the
    same as ``signoff validate``; follow-on errors are counted in ``hidden``), and for a
    valid draft its diagram and the newest published version of its key."""
    text = await _yaml_text(request)
    return await run_in_threadpool(_validate, runtime, text, zh)


def _validate(runtime: Runtime, text: str, zh: bool) -> ValidationOut:
    with runtime.db.session(write=False) as session:
        directory = service.load_directory(session)
        try:
            defn = load_definition(text, "upload", directory,
                                   systems=frozenset(runtime.settings.services) or None)
        except DefinitionInvalid as exc:
            return ValidationOut(valid=False, hidden=exc.hidden,
                                 errors=line_errors(exc.errors, zh))
        published = defs.latest_row(session, defn.key)
        retired = defs.retirement(session, defn.key) is not None
    # Not ``localize``: that caches per digest, and every keystroke is a new draft.
    shown = dataclasses.replace(defn, title=defn.title_zh or defn.title, nodes={
        k: dataclasses.replace(n, title=n.title_zh or n.title) for k, n in defn.nodes.items()}
    ) if zh else defn
    warnings = definition_warnings(text, "upload", directory)
    return ValidationOut(valid=True, errors=[], warnings=line_errors(warnings, zh),
                         key=defn.key, mermaid=mermaid(
                             shown, lang="zh" if zh else "en",
                             names=people_names(directory, "zh" if zh else "en")),
                         published_version=published.version if published else None,
                         retired=retired)


def line_errors(found: list[DefinitionError], zh: bool = False) -> list[LineErrorOut]:
    """Errors and warnings of a YAML text as the API shows them (with ``severity``), in
    Chinese when ``zh``."""
    return [LineErrorOut(line=e.line, column=e.column, severity=e.severity,
                         message=to_zh(e.message) if zh else e.message) for e in found]


@router.post("", response_model=DefinitionOut, status_code=201, openapi_extra=_YAML_BODY)
async def publish(request: Request, user: UserDep, runtime: RuntimeDep, now: NowDep
                  ) -> DefinitionOut:
    """Store a new version (process owners only); 422 with line/column errors."""
    if not (user.is_process_owner or user.is_admin):
        raise NotPermitted(user.username, "publish a definition", "only process owners may")
    text = await _yaml_text(request)
    return await run_in_threadpool(_publish, runtime, text, user, now)


def _publish(runtime: Runtime, text: str, user: User, now: datetime) -> DefinitionOut:
    with runtime.db.session() as session:
        directory = service.load_directory(session)
        defn = service.publish_definition(session, text, user.username, directory, now=now)
        audit_note(session, "definition.published", user.username,
                   f"{defn.key} v{defn.version}", now, key=defn.key, version=defn.version)
        session.commit()
        out = definition_out(defn, service.DbCatalog(session).versions(defn.key), defn,
                             defs.retirement(session, defn.key),
                             names=people_names(directory))
    out.warnings = line_errors(definition_warnings(text, "upload", directory))
    return out


@router.post("/{key}/retire", response_model=DefinitionOut)
async def retire(key: str, user: UserDep, runtime: RuntimeDep, now: NowDep, zh: ZhDep
                 ) -> DefinitionOut:
    """Retire a process (process owners only): no new requests; running ones finish."""
    return await run_in_threadpool(_retire, runtime, key, user, now, zh, False)


@router.post("/{key}/unretire", response_model=DefinitionOut)
async def unretire(key: str, user: UserDep, runtime: RuntimeDep, now: NowDep, zh: ZhDep
                   ) -> DefinitionOut:
    """Take a process back into use (process owners only): new requests may start."""
    return await run_in_threadpool(_retire, runtime, key, user, now, zh, True)


def _retire(runtime: Runtime, key: str, user: User, now: datetime, zh: bool,
            undo: bool) -> DefinitionOut:
    if not (user.is_process_owner or user.is_admin):
        raise NotPermitted(user.username, "unretire a process" if undo else "retire a process",
                           "only process owners may")
    with runtime.db.session() as session:
        catalog = service.DbCatalog(session)
        defn = catalog.get(key)
        if service.retire_definition(session, key, user.username, now, undo=undo):
            audit_note(session, "definition.unretired" if undo else "definition.retired",
                       user.username, key, now, key=key)
            session.commit()
        lang = "zh" if zh else "en"
        return definition_out(localize(defn, zh), catalog.versions(key), defn,
                              defs.retirement(session, key), lang,
                              people_names(service.load_directory(session), lang))
