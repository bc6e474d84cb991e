"""The event log outlives its code: records carry their event's schema version, and
upcasters registered per (kind, version) lift old payloads on read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar
from uuid import UUID

import pytest

from engine.core import events as ev
from engine.core import replay
from engine.core.events import EVENT_TYPES, UPCASTERS, VERSION_KEY, from_record, to_record

HISTORY = Path(__file__).parent / "fixtures" / "store_opening_history.json"


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskCreatedV2(ev.TaskCreated):
    """``task_created`` after gaining a required field (what a change next year looks
    like): version 2, and an upcaster for the records written at version 1."""

    version: ClassVar[int] = 2
    escalation: str  # who is told when the task runs late


def _v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    return {**payload, "escalation": f"manager_of:{payload['assignee']}"}


@pytest.fixture
def gained_a_field() -> Iterator[None]:
    old = EVENT_TYPES["task_created"]
    EVENT_TYPES["task_created"] = TaskCreatedV2
    UPCASTERS["task_created", 1] = _v1_to_v2
    try:
        yield
    finally:
        EVENT_TYPES["task_created"] = old
        del UPCASTERS["task_created", 1]


def _saved() -> tuple[UUID, list[dict[str, Any]], dict[str, Any]]:
    saved = json.loads(HISTORY.read_text(encoding="utf-8"))
    return UUID(saved["instance_id"]), saved["events"], saved["expected"]


def _today_records() -> list[tuple[str, dict[str, Any], datetime]]:
    """The saved history, written again with today's event classes."""
    iid, rows, _ = _saved()
    events = [from_record(r["kind"], r["payload"], iid, datetime.fromisoformat(r["at"]))
              for r in rows]
    return [(*to_record(e), e.at) for e in events]


def test_records_carry_their_events_version() -> None:
    records = _today_records()
    assert {p[VERSION_KEY] for _, p, _ in records} == {1}
    _, rows, _ = _saved()  # written before versions existed: read as version 1
    assert all(VERSION_KEY not in r["payload"] for r in rows)


@pytest.mark.usefixtures("gained_a_field")
def test_a_history_written_today_loads_after_an_event_gains_a_field() -> None:
    iid, _, want = _saved()
    events = [from_record(kind, payload, iid, at) for kind, payload, at in _today_records()]
    created = [e for e in events if e.kind == "task_created"]
    assert created and all(isinstance(e, TaskCreatedV2) for e in created)
    assert all(e.escalation == f"manager_of:{e.assignee}" for e in created
               if isinstance(e, TaskCreatedV2))
    state = replay(events)
    assert (state.status, state.outcome, state.seq) == (want["status"], want["outcome"],
                                                        want["seq"])
    # and a version 2 record round-trips without the upcaster
    again = created[0]
    kind, payload = to_record(again)
    assert payload[VERSION_KEY] == 2
    assert from_record(kind, payload, again.instance_id, again.at) == again


def test_types_come_from_the_annotations() -> None:
    iid, rows, _ = _saved()
    created = next(from_record(r["kind"], r["payload"], iid, datetime.fromisoformat(r["at"]))
                   for r in rows if r["kind"] == "task_created")
    assert isinstance(created, ev.TaskCreated)
    assert isinstance(created.task_id, UUID)
    assert created.due_at is None or created.due_at.tzinfo is not None
