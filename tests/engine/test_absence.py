"""``engine.core.absence``: which new tasks go to whom when their holder is away."""

from __future__ import annotations

from datetime import timedelta

from engine.core import DecideTask, decide_and_fold
from engine.core.absence import Absence, assigned, reroutes
from engine.core.state import InstanceState
from tests.engine.helpers import DATA, T0, Run, definition, directory

END = T0 + timedelta(days=2)


def start(key: str) -> InstanceState:
    run = Run(definition(key))
    run.start("li.na", DATA[key])
    return run.s


def test_only_the_tasks_just_assigned_to_someone_away_are_handed_on() -> None:
    defn = definition("store_opening")
    state = start("store_opening")
    first = state.tasks[0]
    away = {first.assignee: Absence(first.assignee, "someone", END)}
    [cmd] = reroutes(state, {first.task_id}, away)
    assert (cmd.task_id, cmd.actor, cmd.to_user) == (first.task_id, first.assignee, "someone")
    assert cmd.comment == f"Out of office until {END:%Y-%m-%d %H:%M} UTC: handed to someone"
    assert reroutes(state, set(), away) == []  # not assigned by this command
    assert reroutes(state, {first.task_id}, {}) == []
    events, _ = decide_and_fold(defn, state, DecideTask(
        task_id=first.task_id, actor=first.assignee, action="approve"), T0, directory())
    assert first.task_id not in assigned(events)


def test_chains_are_followed_and_a_loop_back_to_the_holder_changes_nothing() -> None:
    state = start("store_opening")
    task = state.tasks[0]
    me = task.assignee
    chain = {me: Absence(me, "b", END), "b": Absence("b", "c", END)}
    assert [c.to_user for c in reroutes(state, {task.task_id}, chain)] == ["c"]
    loop = {me: Absence(me, "b", END), "b": Absence("b", me, END)}
    assert [c.to_user for c in reroutes(state, {task.task_id}, loop)] == ["b"]  # 5 hops
    assert reroutes(state, {task.task_id}, {me: Absence(me, me, END)}) == []
