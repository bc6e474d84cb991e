"""Approval-efficiency analytics over HTTP (docs/analytics.md documents the report):
``GET /analytics/processes``, ``GET /analytics/{key}/report``,
``POST /analytics/{key}/what-if``. Any signed-in user may read them; per-approver
figures only process owners and administrators (``ApproverFiguresDep``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from api.analytics_schemas import DraftOut, ProcessOut, ReportOut, WhatIfOut
from api.deps import ReadSessionDep, UserDep
from api.openapi import SIGNED_IN, problem_responses
from engine import service
from engine.analytics.calendar import WorkingCalendar
from engine.analytics.draft import edits_of, remove_step, unified_diff
from engine.analytics.model import History
from engine.analytics.report import Settings, step_figures_only
from engine.analytics.store import definition_nodes, load_history, process_list
from engine.analytics.versions import analyse_versions
from engine.analytics.whatif import Skip, WhatIfInvalid, check_condition, what_if
from engine.core.errors import NothingToAnalyse
from engine.core.limits import DEFAULT
from engine.core.loader import load_definition
from engine.store import definitions as defs

router = APIRouter(prefix="/analytics", tags=["analytics"],
                   responses=problem_responses(*SIGNED_IN, 403, 404))

Since = Annotated[datetime | None, Query(description="Requests started at or after")]
Until = Annotated[datetime | None, Query(description="Requests started before")]
Country = Annotated[str, Query(description="Public holidays of this country ('' for none)")]
Tz = Annotated[str, Query(description="Time zone of the working calendar")]


class SkipIn(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    node: str = Field(min_length=1)
    if_: str = Field(alias="if", min_length=1, description="Condition on the form data")


class WhatIfIn(BaseModel):
    remove: list[str] = []
    skip: list[SkipIn] = []
    yaml: str | None = Field(None, max_length=DEFAULT.max_yaml_bytes, description=(
        "A draft of the definition: the history is replayed through its routes (steps it "
        "no longer has are removed, steps it jumps over on a condition are skipped)"))


class DraftIn(BaseModel):
    remove: str = Field(min_length=1, description="The approval step to leave out")


def _sees_approvers(user: UserDep) -> bool:
    """Whether the caller may see figures per approver (owners and admins)."""
    return user.is_process_owner or user.is_admin


ApproverFiguresDep = Annotated[bool, Depends(_sees_approvers)]


def _aware(t: datetime | None) -> datetime | None:
    if t is None or t.tzinfo is not None:
        return t
    return t.replace(tzinfo=UTC)


def _history(session: ReadSessionDep, key: str, since: datetime | None,
             until: datetime | None) -> History:
    history = load_history(session.connection(), key, _aware(since), _aware(until))
    if not history.visits:
        raise NothingToAnalyse(f"process {key!r} has no finished requests in this period")
    return history


@router.get("/processes", response_model=list[ProcessOut])
def processes(user: UserDep, session: ReadSessionDep) -> list[dict[str, Any]]:
    return process_list(session.connection())


@router.get("/{key}/report", response_model=ReportOut, response_model_exclude_unset=True)
def report(key: str, per_approver: ApproverFiguresDep, session: ReadSessionDep,
           since: Since = None, until: Until = None, country: Country = "CN",
           timezone: Tz = "Asia/Shanghai") -> dict[str, Any]:
    calendar = WorkingCalendar(country or None, timezone)
    history = _history(session, key, since, until)
    out = analyse_versions(history, definition_nodes(session.connection(), key),
                           Settings(calendar=calendar))
    return out if per_approver else step_figures_only(out)


def _published(session: ReadSessionDep, key: str) -> Any:
    row = defs.latest_row(session, key)
    if row is None:
        raise NothingToAnalyse(f"process {key!r} has no published definition")
    return row


@router.post("/{key}/what-if", response_model=WhatIfOut)
def what_if_report(key: str, body: WhatIfIn, user: UserDep, session: ReadSessionDep,
                   since: Since = None, until: Until = None) -> dict[str, Any]:
    remove = list(body.remove)
    skips = [Skip(s.node, s.if_) for s in body.skip]
    if body.yaml is not None:  # replay through the draft's routes
        load_definition(body.yaml, "draft", service.load_directory(session))
        removed, skipped = edits_of(_published(session, key).source, body.yaml)
        if not removed and not skipped:
            raise WhatIfInvalid("the draft neither removes an approval step nor skips one "
                                "on a condition: the replay would not change")
        remove += removed
        skips += [Skip(step, cond) for step, cond in skipped]
    for s in skips:  # a bad condition is refused before any history is read
        check_condition(s.condition)
    history = _history(session, key, since, until)
    return what_if(history, remove, skips)


@router.post("/{key}/draft", response_model=DraftOut)
def draft(key: str, body: DraftIn, user: UserDep, session: ReadSessionDep) -> dict[str, Any]:
    """A draft of the definition without an approval step (apply a candidate): the YAML
    and its diff from the published version. Nothing is stored: the owner reviews it and
    publishes it through ``POST /definitions``."""
    row = _published(session, key)
    text = remove_step(row.source, body.remove)
    return {"key": key, "base_version": row.version, "remove": body.remove, "yaml": text,
            "diff": unified_diff(row.source, text, f"{key}.yaml")}
