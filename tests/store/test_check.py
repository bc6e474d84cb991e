"""``check`` finds every disagreement between projections and the log; ``rebuild`` fixes
them; ``append_histories`` writes the same rows as the command path; the log refuses a
stale writer."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from engine import service
from engine.core import commands as cmds
from engine.core.errors import ConcurrentUpdate
from engine.core.events import CommentAdded
from engine.store import event_log
from tests.store.conftest import T0, World, pending
from tests.store.histories import simulate


def _sql(w: World, text: str, **params: object) -> None:
    with w.db.session() as s:
        s.connection().execute(sa.text(text), params)
        s.commit()


def test_check_reports_every_tampered_row_and_rebuild_repairs_them(world: World) -> None:
    first = world.start()
    second = world.start("ink")
    world.on_task(cmds.DecideTask(task_id=pending(second, "bob")[0].task_id, actor="bob",
                                  action="approve"), T0 + timedelta(hours=1))
    assert world.check() == []
    task = pending(first, "cat")[0].task_id
    _sql(world, "UPDATE task SET status = 'done' WHERE id = :id", id=task.hex
         if world.db.dialect == "sqlite" else task)
    _sql(world, "DELETE FROM node_visit WHERE node = 'manager_approval'")
    _sql(world, "UPDATE instance SET title = 'forged'")
    found = world.check()
    described = {(d.instance_id, d.table, d.column) for d in found}
    assert (first.id, "task", "status") in described
    assert (second.id, "node_visit", None) in described
    assert (first.id, "instance", "title") in described
    assert (second.id, "instance", "title") in described
    assert len(found) == 4
    assert "expected 'pending', found 'done'" in str(
        next(d for d in found if d.column == "status"))
    with world.db.session() as s:
        assert service.rebuild_projections(s) == 2
        s.commit()
    assert world.check() == []


def test_rows_without_events_are_reported(world: World) -> None:
    world.start()
    stray = uuid4()
    with world.db.session() as s:
        s.connection().execute(sa.text(
            "INSERT INTO instance (id, definition_key, definition_version, title, initiator, "
            "status, data, started_at, updated_at, seq) VALUES (:id, 'purchase', 1, 't', "
            "'ann', 'running', '{}', :at, :at, 1)"),
            {"id": stray.hex if world.db.dialect == "sqlite" else stray,
             "at": T0.replace(tzinfo=None) if world.db.dialect == "sqlite" else T0})
        s.commit()
    assert [(d.instance_id, d.table) for d in world.check()] == [(stray, "instance")]


def test_signoff_db_check_exits_1_on_disagreement(world: World) -> None:
    from api.cli import _register, app

    _register()
    world.start()
    runner = CliRunner()
    ok = runner.invoke(app, ["db", "check", "--db", world.url])
    assert ok.exit_code == 0, ok.output
    assert "0 discrepancies" in ok.output
    _sql(world, "UPDATE instance SET status = 'approved'")
    bad = runner.invoke(app, ["db", "check", "--db", world.url])
    assert bad.exit_code == 1
    assert "instance[" in bad.output and ".status: expected 'running', found 'approved'" in (
        bad.output)
    fixed = runner.invoke(app, ["db", "rebuild", "--db", world.url])
    assert fixed.exit_code == 0 and "1 instances" in fixed.output
    assert runner.invoke(app, ["db", "check", "--db", world.url]).exit_code == 0


def test_bulk_histories_give_the_same_rows_as_commands(world: World) -> None:
    with world.db.session() as s:
        defn = service.DbCatalog(s).get("purchase")
    histories = simulate(defn, world.org, 120, T0)
    seen: list[int] = []
    with world.db.session() as s:
        assert service.append_histories(s, histories, progress=seen.append, batch=50) == 120
    assert seen == [50, 50, 20]
    assert world.check() == []
    with world.db.session(write=False) as s:
        for h in histories[:10]:
            assert service.instance_events(s, h[0].instance_id) == h
        statuses = {i.status for i in service.list_instances(s, "ann", "mine", limit=500)[0]}
    assert {"approved", "rejected", "running"} <= statuses
    # the command path continues a bulk-loaded instance like any other
    running = next(h for h in histories if h[-1].kind == "task_created")
    last = running[-1]
    state = world.on_task(cmds.DecideTask(task_id=last.task_id,  # type: ignore[attr-defined]
                                          actor=last.assignee,  # type: ignore[attr-defined]
                                          action="reject", comment="too late"),
                          last.at + timedelta(hours=1))
    assert state.seq > len(running)
    assert world.check() == []
    with world.db.session() as s, pytest.raises(ValueError, match="already stored"):
        service.append_histories(s, histories[:3])
    assert world.check() == []


def test_a_stale_writer_gets_concurrent_update_and_writes_nothing(world: World) -> None:
    s0 = world.start()
    note = CommentAdded(instance_id=s0.id, at=T0, actor="ann", text="late")
    with world.db.session() as s:
        with pytest.raises(ConcurrentUpdate) as err:
            event_log.append(s, s0.id, s0.seq - 1, [note])
        assert err.value.expected_seq == s0.seq
        assert len(event_log.load(s, s0.id)) == s0.seq
        assert event_log.append(s, s0.id, s0.seq, [note]) == s0.seq + 1
        s.commit()
        with pytest.raises(ValueError, match="belongs to"):
            event_log.records(uuid4(), 0, [note])


@pytest.mark.parametrize("statement", ["UPDATE event_log SET kind = 'forged'",
                                       "DELETE FROM event_log"])
def test_the_database_refuses_to_change_events(world: World, statement: str) -> None:
    s0 = world.start()
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        _sql(world, statement)
    with world.db.session(write=False) as s:
        assert len(event_log.load(s, s0.id)) == s0.seq
    if world.db.dialect == "postgresql":
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            _sql(world, "TRUNCATE event_log")
