"""The event fold: ``replay`` (one mutable working copy, frozen once) agrees with folding
event by event through ``apply``, resumes from any prefix with ``apply_all``, and never
changes a state it was given."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from engine.core import Command, DecideTask, StartInstance, decide_and_fold, pending_tasks
from engine.core.commands import AnswerService
from engine.core.decide import decide
from engine.core.events import Event, InstanceStarted, NodeEntered
from engine.core.state import InstanceState, TaskState, apply, apply_all, replay
from engine.demo.simulation import simulate
from tests.engine.helpers import DATA, EXAMPLES, INITIATOR, T0, Ids, definition, directory


def _histories() -> list[list[Event]]:
    return list(simulate([definition(k) for k in EXAMPLES], directory(),
                         start=datetime(2026, 1, 1, tzinfo=UTC),
                         end=datetime(2026, 3, 1, tzinfo=UTC), n_instances=120, seed=11))


def _snapshot(state: InstanceState) -> tuple[object, ...]:
    """Every field, containers copied, to spot a later in-place change."""
    return tuple((f.name, repr(getattr(state, f.name))) for f in dataclasses.fields(state))


def test_replay_equals_applying_one_event_at_a_time_and_leaves_states_alone() -> None:
    histories = _histories()
    assert sum(len(h) for h in histories) > 1000
    for history in histories:
        states: list[InstanceState] = []
        state: InstanceState | None = None
        for e in history:
            state = apply(state, e)
            states.append(state)
        snapshots = [_snapshot(s) for s in states]
        assert replay(history) == states[-1]
        for cut in (1, len(history) // 2, len(history) - 1):
            assert apply_all(states[cut - 1], history[cut:]) == states[-1]
        assert [_snapshot(s) for s in states] == snapshots  # nothing folded in place
        assert all(type(s.tasks) is tuple for s in states)
        assert [s.seq for s in states] == list(range(1, len(history) + 1))


def test_apply_all_of_nothing_is_the_state_itself_and_a_bad_start_is_refused() -> None:
    history = _histories()[0]
    state = replay(history)
    assert apply_all(state, []) is state
    assert apply_all(None, []) is None
    entered = NodeEntered(instance_id=state.id, at=state.started_at, node="x", visit=1)
    with pytest.raises(ValueError, match="must begin with instance_started, not node_entered"):
        replay([entered])
    with pytest.raises(ValueError, match="cannot replay an empty history"):
        replay([])
    assert isinstance(history[0], InstanceStarted)
    assert apply(state, history[0]) == replay(history[:1])  # a start begins afresh


@pytest.mark.parametrize("key", EXAMPLES)
def test_decide_and_fold_returns_decides_events_and_their_fold(key: str) -> None:
    defn, org = definition(key), directory()
    start = StartInstance(definition_key=key, initiator=INITIATOR[key], data=dict(DATA[key]))
    plain_ids, fold_ids = Ids(), Ids()
    events, state = decide_and_fold(defn, None, start, T0, org, fold_ids)
    assert events == decide(defn, None, start, T0, org, plain_ids)
    assert state == replay(events)
    while not state.finished:
        waiting = [w for w in state.waits if w.open]  # sample_order's delivery
        cmd: Command = AnswerService(
            call_id=waiting[0].call_id, system=waiting[0].system, node=waiting[0].node,
            callback_id="cb", data={"status": "arrived"}) if waiting else DecideTask(
            task_id=pending_tasks(state)[0].task_id, actor=pending_tasks(state)[0].assignee,
            action="approve")
        before = _snapshot(state)
        new, after = decide_and_fold(defn, state, cmd, T0, org, fold_ids)
        assert new == decide(defn, state, cmd, T0, org, plain_ids)
        assert after == apply_all(state, new)
        assert _snapshot(state) == before  # the given state is never changed
        state = after


def test_folded_tasks_and_states_have_every_field_and_nothing_else() -> None:
    names = [f.name for f in dataclasses.fields(TaskState)]
    for history in _histories()[:30]:
        state = replay(history)
        assert list(vars(state)) == [f.name for f in dataclasses.fields(InstanceState)]
        for task in state.tasks:
            assert list(vars(task)) == names
            assert dataclasses.MISSING not in vars(task).values()
            assert task == TaskState(**vars(task))
