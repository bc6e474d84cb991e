"""A retried command with the same Idempotency-Key applies nothing again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from engine import service
from engine.core import commands as cmds
from engine.store import EventRecord, IdempotencyRecord, Instance
from tests.store.conftest import T0, World, pending


def _count(w: World, model: type) -> int:
    with w.db.session(write=False) as s:
        return int(s.exec(select(func.count()).select_from(model)).one())


def test_a_retried_start_returns_the_first_instance(world: World) -> None:
    first = world.start(idempotency_key="new-1")
    again = world.start(at=T0 + timedelta(minutes=1), idempotency_key="new-1")
    assert again == first
    assert _count(world, Instance) == 1
    other = world.start(idempotency_key="new-2")
    assert other.id != first.id and _count(world, Instance) == 2


def test_a_retried_decision_returns_the_first_result(world: World) -> None:
    s0 = world.start()
    decide = cmds.DecideTask(task_id=pending(s0, "bob")[0].task_id, actor="bob",
                             action="approve")
    first = world.on_task(decide, T0 + timedelta(hours=1), idempotency_key="click")
    events = _count(world, EventRecord)
    # later commands move the instance on; the retry still answers with the first result
    world.execute(s0.id, cmds.AddComment(actor="ann", text="thanks"), T0 + timedelta(hours=2))
    retry = world.on_task(decide, T0 + timedelta(hours=3), idempotency_key="click")
    assert retry == first
    assert _count(world, EventRecord) == events + 1  # only the comment was added
    with world.db.session(write=False) as s:
        record = s.exec(select(IdempotencyRecord)).one()
    assert (record.key, record.username, record.status_code) == ("click", "bob", 200)
    assert record.response == {"instance_id": str(s0.id), "seq": first.seq}


def test_the_same_key_for_another_request_is_a_conflict(world: World) -> None:
    s0 = world.start()
    task = pending(s0, "bob")[0].task_id
    world.on_task(cmds.DecideTask(task_id=task, actor="bob", action="approve"),
                  T0 + timedelta(hours=1), idempotency_key="k")
    events = _count(world, EventRecord)
    with pytest.raises(service.IdempotencyConflict, match="'k'"):
        world.on_task(cmds.DecideTask(task_id=task, actor="bob", action="reject"),
                      T0 + timedelta(hours=2), idempotency_key="k")
    assert _count(world, EventRecord) == events


def test_keys_belong_to_one_user(world: World) -> None:
    a = world.start(idempotency_key="same")
    s0 = world.start()
    b = world.on_task(cmds.DecideTask(task_id=pending(s0, "bob")[0].task_id, actor="bob",
                                      action="approve"), T0, idempotency_key="same")
    assert a.id != b.id
    assert _count(world, IdempotencyRecord) == 2


def test_long_keys_are_kept_apart(world: World) -> None:
    long_a, long_b = "x" * 300 + "a", "x" * 300 + "b"
    first = world.start(idempotency_key=long_a)
    assert world.start(idempotency_key=long_a) == first
    assert world.start(idempotency_key=long_b).id != first.id
    assert _count(world, Instance) == 2
