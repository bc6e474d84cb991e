"""A history stored today still loads, from either database, after an event gains a
field (the class and upcaster of ``tests.engine.test_upcasting``)."""

from __future__ import annotations

import pytest

from engine import queries
from engine.core import commands as cmds
from tests.engine.test_upcasting import TaskCreatedV2, gained_a_field
from tests.store.conftest import T0, World, pending

__all__ = ["gained_a_field"]  # the fixture, used below


def test_a_stored_history_loads_after_an_event_gains_a_field(
        world: World, request: pytest.FixtureRequest) -> None:
    s0 = world.start()
    s1 = world.on_task(cmds.DecideTask(task_id=pending(s0, "cat")[0].task_id, actor="cat",
                                       action="approve"), T0)
    request.getfixturevalue("gained_a_field")
    with world.db.session(write=False) as s:
        events = queries.instance_events(s, s1.id)
        assert queries.get_instance(s, s1.id) == s1
    created = [e for e in events if e.kind == "task_created"]
    assert len(created) == 4 and all(isinstance(e, TaskCreatedV2) for e in created)
