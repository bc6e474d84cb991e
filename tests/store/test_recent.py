"""The per-process cache of recent histories: a command reads only the events after the
last one it knows, notices what another process appended, and falls back to a full load
whenever the log does not continue what it knows."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from engine import service
from engine.core import commands as cmds
from engine.store import event_log, open_database, recent
from engine.store.projections import project
from tests.store.conftest import T0, World, pending

H = timedelta(hours=1)


def test_a_second_process_appending_is_seen_by_the_first(world: World) -> None:
    other = World(open_database(world.url), world.org, world.url)  # its own engine and cache
    try:
        s0 = world.start()
        assert recent.of(world.db.engine).get(s0.id) is not None
        s1 = other.on_task(cmds.DecideTask(task_id=pending(s0, "bob")[0].task_id, actor="bob",
                                           action="approve"), T0 + H)
        # The first process's cache knows only the start: its next command reads the rest
        # (from the last event it knows on) and appends after what the other one wrote.
        commented = world.execute(s0.id, cmds.AddComment(actor="ann", text="thanks"),
                                  T0 + 90 * timedelta(minutes=1))
        assert commented.seq == s1.seq + 1 and commented.node == s1.node
        s2 = world.on_task(cmds.DecideTask(task_id=pending(s1)[0].task_id, actor="mgr",
                                           action="approve"), T0 + 2 * H)
        assert s2.seq > s1.seq and s2.finished
        with world.db.session(write=False) as s:
            assert service.get_instance(s, s0.id) == s2
            assert [e.kind for e in service.instance_events(s, s0.id)].count(
                "task_decided") == 2
    finally:
        other.db.dispose()
    assert world.check() == []


def test_an_entry_the_log_does_not_continue_is_dropped_for_a_full_load(world: World) -> None:
    s0 = world.start()
    cache = recent.of(world.db.engine)
    entry = cache.get(s0.id)
    assert entry is not None and entry.projection is not None
    last = entry.events[-1]
    forged = dataclasses.replace(last, at=last.at + H)  # not what the log holds
    cache.put(recent.Loaded([*entry.events[:-1], forged], entry.version, entry.projection))
    with world.db.session() as s:
        loaded = recent.load(s.connection(), instance_id=s0.id)
        assert loaded is not None and loaded.projection is None
        assert loaded.events == event_log.load(s, s0.id)
    assert cache.get(s0.id) is None
    s1 = world.on_task(cmds.DecideTask(task_id=pending(s0, "bob")[0].task_id, actor="bob",
                                       action="approve"), T0 + H)
    assert s1.node == "manager_approval" and world.check() == []


def test_the_cache_keeps_the_most_recently_used_instances_and_their_tasks(
        world: World) -> None:
    states = [world.start(item=f"item {i}") for i in range(3)]
    cache = recent.Recent(size=2)
    with world.db.session(write=False) as s:
        for st in states:
            loaded = recent.load(s.connection(), instance_id=st.id)
            assert loaded is not None
            cache.put(recent.Loaded(loaded.events, loaded.version,
                                    project(loaded.events)))
    assert len(cache) == 2 and cache.get(states[0].id) is None
    assert cache.instance_of(pending(states[0])[0].task_id) is None
    assert cache.instance_of(pending(states[2])[0].task_id) == states[2].id
