"""Out-of-office rerouting runs inside the command's own transaction, for every caller of
``engine.service`` (here the service directly, as the CLI and the worker call it)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from engine import queries
from engine.core import commands as cmds
from engine.core import events as ev
from engine.store import absences
from engine.worker import Worker
from tests.store.conftest import T0, World, pending
from tests.store.test_timers_outbox import start, timed

__all__ = ["timed"]  # the fixture, used below

H = timedelta(hours=1)


def _away(world: World, who: str, to: str, days: int = 3) -> None:
    with world.db.session() as s:
        absences.replace(s, who, to, T0, T0 + timedelta(days=days), T0)
        s.commit()


def _commits(world: World) -> list[int]:
    seen: list[int] = []
    sa.event.listen(world.db.engine, "commit", lambda conn: seen.append(1))
    return seen


def test_a_task_for_someone_away_goes_to_their_delegate_in_the_same_commit(
        world: World) -> None:
    _away(world, "mgr", "boss")
    s0 = world.start()
    commits = _commits(world)
    s1 = world.on_task(cmds.DecideTask(task_id=pending(s0, "cat")[0].task_id, actor="cat",
                                       action="approve"), T0 + H)
    assert len(commits) == 1  # the decision and the handover: one transaction
    assert [t.assignee for t in pending(s1)] == ["boss"]
    with world.db.session(write=False) as s:
        events = queries.instance_events(s, s1.id)
        assert queries.get_instance(s, s1.id) == s1
        assert [r.task.assignee for r in queries.inbox(s, "boss")[0]] == ["boss"]
        assert queries.inbox(s, "mgr")[1] == 0
    handed = [e for e in events if isinstance(e, ev.TaskDelegated)]
    assert [(e.actor, e.from_user, e.to_user, e.at) for e in handed] == [
        ("mgr", "mgr", "boss", T0 + H)]
    assert handed[0].comment == "Out of office until 2026-03-05 09:00 UTC: handed to boss"
    assert world.check() == []


def test_chains_of_absences_are_followed_and_old_work_stays(world: World) -> None:
    s0 = world.start()
    _away(world, "cat", "dan")
    _away(world, "dan", "mgr")
    s1 = world.start(at=T0 + H)
    # cat -> dan -> mgr; dan -> mgr is refused (mgr already holds this step): dan keeps it
    assert sorted(t.assignee for t in pending(s1)) == ["bob", "dan", "mgr"]
    assert sorted(t.assignee for t in pending(s0)) == ["bob", "cat", "dan"]


def test_a_task_an_escalation_hands_to_someone_away_goes_on_to_their_delegate(
        timed: World) -> None:
    """The timer worker's path (batched firing) reroutes as a command does."""
    state = start(timed)
    bob = pending(state, "bob")[0]
    timed.on_task(cmds.DecideTask(task_id=bob.task_id, actor="bob", action="approve"), T0)
    _away(timed, "boss", "owner")
    Worker(timed.db).run_once(T0 + timedelta(days=1, hours=2))
    with timed.db.session(write=False) as s:
        events = queries.instance_events(s, state.id)
        now = queries.get_instance(s, state.id)
    assert [e.kind for e in events][-3:] == ["task_escalated", "task_reassigned",
                                             "task_delegated"]
    handed = events[-1]
    assert isinstance(handed, ev.TaskDelegated)
    assert (handed.actor, handed.to_user) == ("boss", "owner")
    assert [t.assignee for t in pending(now)] == ["owner"]
    assert timed.check() == []
