"""A saved event history and the state and rows it must give, frozen in
``fixtures/history_purchase.json`` (delegate, return to the initiator, resubmit, comment,
a return from the manager to the buyer check, approval, CC). If replay or the projections
change meaning, this fails: update the file only for an intended change."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from engine import service
from engine.core.events import from_record
from engine.store import Database, metadata
from tests.store.conftest import FIXTURES

SAVED = json.loads((FIXTURES / "history_purchase.json").read_text(encoding="utf-8"))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def _rows(db: Database, table: str, order: list[str]) -> list[dict[str, Any]]:
    t = metadata.tables[table]
    with db.engine.connect() as conn:
        result = conn.execute(sa.select(t).order_by(*(t.c[c] for c in order)))
        return [_plain({k: v for k, v in r._mapping.items() if k != "id" or table != "cc"})
                for r in result]


def test_the_saved_history_replays_to_the_saved_state(db: Database) -> None:
    iid = UUID(SAVED["instance_id"])
    events = [from_record(e["kind"], e["payload"], iid, datetime.fromisoformat(e["at"]))
              for e in SAVED["events"]]
    with db.session() as s:
        assert service.append_histories(s, [events]) == 1
    expected = SAVED["expected"]
    with db.session(write=False) as s:
        state = service.get_instance(s, iid)
        assert service.instance_events(s, iid) == events
        assert service.check(s) == []
    assert (state.status, state.outcome, state.node, state.seq) == (
        "approved", "approved", "approved", 42)
    assert _rows(db, "instance", ["id"]) == [expected["instance"]]
    assert _rows(db, "task", ["created_at", "id"]) == expected["tasks"]
    assert _rows(db, "node_visit", ["entered_seq"]) == expected["visits"]
    assert _rows(db, "cc", ["at"]) == expected["cc"]
