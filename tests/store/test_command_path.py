"""The command path finds the task's instance, its history and its definition version in
one query, and takes the parsed definition from the cache only when the stored digest
matches: a cold cache, a catalog kept in memory, and two databases holding different
texts under the same key and version all decide with the right definition."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from engine import service
from engine.core import commands as cmds
from engine.core.catalog import MemoryCatalog
from engine.core.errors import InstanceNotFound, TaskNotFound
from engine.core.loader import load_definition
from engine.core.state import InstanceState
from engine.store import definitions, open_database, upgrade
from tests.store.conftest import FIXTURES, T0, World, pending

H = timedelta(hours=1)


def _approve_bob(world: World, at: timedelta = H) -> InstanceState:
    s0 = world.start()
    task = pending(s0, "bob")[0]
    return world.on_task(cmds.DecideTask(task_id=task.task_id, actor="bob",
                                         action="approve"), T0 + at)


def test_a_cold_definition_cache_is_filled_from_the_database(world: World,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    monkeypatch.setattr(definitions, "_parsed", {})
    s1 = _approve_bob(world)
    assert s1.node == "manager_approval"
    assert pending(s1)[0].due_at == T0 + H + timedelta(days=2)
    assert [k[:2] for k in definitions._parsed] == [("purchase", 1)]
    assert world.check() == []


def test_a_catalog_kept_in_memory_is_asked_for_the_definition(world: World) -> None:
    text = (FIXTURES / "purchase.yaml").read_text(encoding="utf-8")
    memory = MemoryCatalog([load_definition(text.replace("sla: 2d", "sla: 9d"), "mem",
                                            world.org)])
    s0 = world.start()
    with world.db.session() as s:
        s1 = service.execute_on_task(s, memory, world.org, cmds.DecideTask(
            task_id=pending(s0, "bob")[0].task_id, actor="bob", action="approve"), T0 + H)
    assert pending(s1)[0].due_at == T0 + H + timedelta(days=9)


def test_two_databases_with_different_texts_for_one_version_never_mix(
        world: World, tmp_path: Path) -> None:
    other_dir = tmp_path / "defs"
    other_dir.mkdir()
    text = (FIXTURES / "purchase.yaml").read_text(encoding="utf-8")
    (other_dir / "purchase.yaml").write_text(text.replace("sla: 2d", "sla: 7d"), "utf-8")
    url = f"sqlite:///{tmp_path / 'other.db'}"
    upgrade(url)
    db = open_database(url)
    try:
        other = World(db, world.org, url)
        with db.session() as s:
            service.save_directory(s, world.org)
            s.commit()
            service.sync_definitions(s, other_dir, world.org, now=T0)  # purchase v1, 7d
            assert service.DbCatalog(s).versions("purchase") == [1]
        for _ in range(2):  # each database twice: the cache holds both texts by digest
            assert pending(_approve_bob(world))[0].due_at == T0 + H + timedelta(days=2)
            assert pending(_approve_bob(other))[0].due_at == T0 + H + timedelta(days=7)
    finally:
        db.dispose()


def test_unknown_task_or_instance_is_refused_and_the_session_stays_usable(
        world: World) -> None:
    s0 = world.start()
    with world.db.session() as s:
        catalog = service.DbCatalog(s)
        with pytest.raises(TaskNotFound):
            service.execute_on_task(s, catalog, world.org, cmds.DecideTask(
                task_id=s0.id, actor="bob", action="approve"), T0 + H)
        with pytest.raises(InstanceNotFound):
            service.execute(s, catalog, world.org, pending(s0)[0].task_id,
                            cmds.Withdraw(actor="ann"), T0 + H)
        done = service.execute(s, catalog, world.org, s0.id, cmds.Withdraw(actor="ann"),
                               T0 + H)
    assert done.status == "withdrawn"
    assert world.check() == []
