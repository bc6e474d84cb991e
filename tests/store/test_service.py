"""The service through a real database: commands, projections, node timings, reads."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from engine import service
from engine.core import commands as cmds
from engine.core import events as ev
from engine.core.errors import (
    DefinitionInvalid,
    InstanceNotFound,
    NotPermitted,
    TaskNotFound,
    TransitionNotAllowed,
)
from engine.core.state import InstanceState
from engine.store import DefinitionVersion, EventRecord
from tests.store.conftest import FIXTURES, T0, World, pending

H = timedelta(hours=1)


def _run_to_approval(w: World) -> tuple[InstanceState, InstanceState, InstanceState]:
    s0 = w.start()
    s1 = w.on_task(cmds.DecideTask(task_id=pending(s0, "cat")[0].task_id, actor="cat",
                                   action="approve"), T0 + 3 * H)
    s2 = w.on_task(cmds.DecideTask(task_id=pending(s1, "mgr")[0].task_id, actor="mgr",
                                   action="approve", comment="fine"), T0 + 29 * H)
    return s0, s1, s2


def test_a_request_runs_to_approval_and_the_projections_follow(world: World) -> None:
    s0, s1, s2 = _run_to_approval(world)
    assert (s0.status, s0.node, s0.title) == ("running", "buyer_check", "Purchase: pens")
    assert s1.node == "manager_approval"
    assert (s2.status, s2.outcome, s2.finished_at) == ("approved", "approved", T0 + 29 * H)
    with world.db.session(write=False) as s:
        assert service.get_instance(s, s2.id) == s2
        rows, total = service.list_instances(s, "ann", "mine")
        assert total == 1 and rows[0].status == "approved" and rows[0].seq == s2.seq
        assert service.list_instances(s, "ann", "mine", status="finished")[1] == 1
        assert service.list_instances(s, "ann", "mine", status="running")[1] == 0
        assert [r.id for r in service.list_instances(s, "eve", "cc")[0]] == [s2.id]
        assert service.list_instances(s, "bob", "cc")[1] == 0
        assert service.inbox(s, "bob") == ([], 0)
    assert world.check() == []


def test_node_visit_times_are_the_ones_the_engine_emitted(world: World) -> None:
    _, _, final = _run_to_approval(world)
    with world.db.session(write=False) as s:
        events = service.instance_events(s, final.id)
        visits = {(v.node, v.visit): v for v in service.instance_visits(s, final.id)}
    entered = {(e.node, e.visit): e.at for e in events if isinstance(e, ev.NodeEntered)}
    left = {(e.node, e.visit): e for e in events if isinstance(e, ev.NodeLeft)}
    decided = {e.node: e for e in events if isinstance(e, ev.TaskDecided)}
    assert set(visits) == set(entered)
    for key, visit in visits.items():
        assert visit.entered_at == entered[key]
        assert visit.left_at == (left[key].at if key in left else None)
        assert visit.outcome == (left[key].outcome if key in left else None)
        assert visit.decided_by == (left[key].decided_by if key in left else None)
        assert visit.decided_at == (decided[key[0]].at if key[0] in decided else None)
    check = visits[("buyer_check", 1)]
    assert (check.entered_at, check.decided_at, check.decided_by) == (T0, T0 + 3 * H, "cat")
    assert visits[("manager_approval", 1)].comment_count == 1
    assert visits[("tell_office", 1)].kind == "notify"
    assert visits[("approved", 1)].kind == "final"
    assert all(v.entered_at.utcoffset() == timedelta(0) for v in visits.values())


def test_inbox_lists_pending_tasks_by_due_time(world: World) -> None:
    first = world.start("paper", at=T0 + 2 * H)
    second = world.start("ink", at=T0)
    with world.db.session(write=False) as s:
        rows, total = service.inbox(s, "bob")
        assert total == 2
        assert [r.task.instance_id for r in rows] == [second.id, first.id]  # earliest due first
        assert rows[0].task.due_at == T0 + timedelta(days=1)
        assert rows[0].instance_title == "Purchase: ink" and rows[0].initiator == "ann"
        newest = service.inbox(s, "bob", sort="created")[0]
        assert [r.task.instance_id for r in newest] == [first.id, second.id]
        assert service.inbox(s, "bob", limit=1, offset=1)[0][0].task.instance_id == first.id
        assert service.inbox(s, "bob", node="manager_approval") == ([], 0)
        assert service.inbox(s, "bob", definition="other") == ([], 0)
        with pytest.raises(ValueError, match="unknown inbox sort"):
            service.inbox(s, "bob", sort="random")


def test_a_refused_command_changes_nothing(world: World) -> None:
    s0 = world.start()
    task = pending(s0, "bob")[0]
    with pytest.raises(NotPermitted):
        world.on_task(cmds.DecideTask(task_id=task.task_id, actor="cat", action="approve"),
                      T0 + H)
    with pytest.raises(TaskNotFound):
        world.on_task(cmds.DecideTask(task_id=s0.id, actor="bob", action="approve"), T0 + H)
    with pytest.raises(InstanceNotFound):
        world.execute(task.task_id, cmds.Withdraw(actor="ann"), T0 + H)
    world.execute(s0.id, cmds.Withdraw(actor="ann"), T0 + 2 * H)
    with pytest.raises(TransitionNotAllowed):
        world.on_task(cmds.DecideTask(task_id=task.task_id, actor="bob", action="approve"),
                      T0 + 3 * H)
    with world.db.session(write=False) as s:
        kinds = [e.kind for e in service.instance_events(s, s0.id)]
        assert "task_decided" not in kinds and kinds[-1] == "instance_finished"
        assert service.get_instance(s, s0.id).status == "withdrawn"
    assert world.check() == []


def test_returns_and_resubmission_make_second_visits(world: World) -> None:
    s0 = world.start()
    s1 = world.on_task(cmds.DecideTask(task_id=pending(s0, "bob")[0].task_id, actor="bob",
                                       action="return", comment="which pens?"), T0 + H)
    assert s1.status == "returned"
    s2 = world.execute(s1.id, cmds.Resubmit(actor="ann", data={"item": "blue pens",
                                                                "amount": 15}), T0 + 2 * H)
    assert s2.node == "buyer_check" and s2.visit == 2
    with world.db.session(write=False) as s:
        visits = service.instance_visits(s, s2.id)
        assert [(v.node, v.visit, v.outcome) for v in visits] == [
            ("buyer_check", 1, "returned"), ("buyer_check", 2, None)]
        assert visits[0].comment_count == 1
        assert len(service.inbox(s, "bob")[0]) == 1
    assert world.check() == []


def test_definitions_sync_is_a_no_op_unless_the_file_changed(world: World,
                                                            tmp_path: Path) -> None:
    text = (FIXTURES / "purchase.yaml").read_text(encoding="utf-8")
    (tmp_path / "purchase.yaml").write_text(text, encoding="utf-8")
    with world.db.session() as s:
        assert [d.version for d in service.sync_definitions(s, tmp_path, world.org)] == [1]
        (tmp_path / "purchase.yaml").write_text(text.replace("sla: 1d", "sla: 2d"), "utf-8")
        assert [d.version for d in service.sync_definitions(s, tmp_path, world.org)] == [2]
        assert service.DbCatalog(s).versions("purchase") == [1, 2]
        (tmp_path / "broken.yaml").write_text("key: broken\nstart: nowhere\n", "utf-8")
        (tmp_path / "purchase.yaml").write_text(text.replace("sla: 1d", "sla: 3d"), "utf-8")
        with pytest.raises(DefinitionInvalid, match=r"broken\.yaml"):
            service.sync_definitions(s, tmp_path, world.org)
        assert service.DbCatalog(s).versions("purchase") == [1, 2]  # nothing stored


def test_running_instances_keep_their_version(world: World) -> None:
    old = world.start()
    text = (FIXTURES / "purchase.yaml").read_text(encoding="utf-8")
    with world.db.session() as s:
        with pytest.raises(NotPermitted):
            service.publish_definition(s, text.replace("sla: 1d", "sla: 5d"), "bob", world.org)
        v2 = service.publish_definition(s, text.replace("sla: 1d", "sla: 5d"), "owner",
                                        world.org)
        assert v2.version == 2
        row = s.exec(select(DefinitionVersion).where(DefinitionVersion.version == 2)).one()
        assert row.created_by == "owner" and "sla: 5d" in row.source
    new = world.start()
    assert (old.definition_version, new.definition_version) == (1, 2)
    assert pending(old)[0].due_at == T0 + timedelta(days=1)
    assert pending(new)[0].due_at == T0 + timedelta(days=5)
    done = world.on_task(cmds.DecideTask(task_id=pending(old, "bob")[0].task_id, actor="bob",
                                         action="approve"), T0 + H)
    assert done.definition_version == 1 and done.node == "manager_approval"


def test_the_directory_round_trips(world: World) -> None:
    with world.db.session() as s:
        assert service.load_directory(s) == world.org
        service.save_directory(s, world.org)  # saving again changes nothing
        s.commit()
        assert service.load_directory(s) == world.org


def test_events_are_stored_in_order_with_their_payloads(world: World) -> None:
    _, _, final = _run_to_approval(world)
    with world.db.session(write=False) as s:
        rows = s.exec(select(EventRecord).where(EventRecord.instance_id == final.id)
                      .order_by(EventRecord.seq)).all()
    assert [r.seq for r in rows] == list(range(1, final.seq + 1))
    assert rows[0].kind == "instance_started" and rows[0].payload["initiator"] == "ann"
    assert all(r.at.tzinfo is not None for r in rows)
