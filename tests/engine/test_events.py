from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from engine.core.events import (
    EVENT_TYPES,
    InstanceStarted,
    Notified,
    TaskCreated,
    TaskDecided,
    from_record,
    to_record,
)

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "event",
    [
        InstanceStarted(instance_id=uuid4(), at=NOW, definition_key="store_opening",
                        definition_version=3, initiator="li.na", data={"rent": 12000.5}),
        TaskCreated(instance_id=uuid4(), at=NOW, task_id=uuid4(), node="cfo", visit=2,
                    assignee="wang.wei", rule="role:cfo", due_at=NOW + timedelta(days=2)),
        TaskDecided(instance_id=uuid4(), at=NOW, task_id=uuid4(), node="cfo",
                    actor="wang.wei", action="return", comment="rent?", return_to="initiator"),
        Notified(instance_id=uuid4(), at=NOW, node="cc_team", recipients=("a", "b")),
    ],
)
def test_record_round_trip_restores_the_event(event):
    kind, payload = to_record(event)
    assert kind in EVENT_TYPES
    assert "instance_id" not in payload and "at" not in payload
    assert from_record(kind, payload, event.instance_id, event.at) == event
