"""The simulation drives the real engine: deterministic, consistent, and realistic."""

from __future__ import annotations

import hashlib
import itertools
import os
import subprocess
import sys
from collections import Counter
from datetime import datetime

import pytest

from engine.core import (
    FINAL_STATUSES,
    InstanceState,
    OrgDirectory,
    ProcessDefinition,
    StartInstance,
    pending_tasks,
    replay,
)
from engine.core import events as ev
from engine.core.calendar import WorkingCalendar
from engine.core.decide import decide
from engine.core.events import Event, to_record
from engine.demo import simulate
from tests.conftest import ROOT
from tests.demo.conftest import END, START

Run = list[tuple[list[Event], InstanceState]]


def run(definitions: list[ProcessDefinition], org: OrgDirectory, n: int,
        seed: int) -> list[list[Event]]:
    return list(simulate(definitions, org, start=START, end=END, n_instances=n, seed=seed))


def test_same_seed_same_history_other_seed_other_history(
        definitions: list[ProcessDefinition], org: OrgDirectory) -> None:
    first, again = run(definitions, org, 120, seed=5), run(definitions, org, 120, seed=5)
    assert first == again
    other = run(definitions, org, 120, seed=6)
    assert [h[0].instance_id for h in other] != [h[0].instance_id for h in first]


_DIGEST = """
import hashlib, sys
from datetime import datetime
from pathlib import Path
from engine.core import load_definition_file, load_directory
from engine.core.events import to_record
from engine.demo import simulate
d = Path(sys.argv[1])
org = load_directory(d / "org.yaml")
defs = [load_definition_file(p, org) for p in sorted(d.glob("*.yaml")) if p.stem != "org"]
h = hashlib.sha256()
for hist in simulate(defs, org, start=datetime.fromisoformat(sys.argv[2]),
                     end=datetime.fromisoformat(sys.argv[3]), n_instances=80, seed=9):
    for e in hist:
        h.update(repr((e.instance_id, e.at, to_record(e))).encode())
print(h.hexdigest())
"""


def test_same_seed_same_history_across_processes(definitions: list[ProcessDefinition],
                                                  org: OrgDirectory) -> None:
    """Nothing depends on hash randomisation or process state."""
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", _DIGEST, str(ROOT / "definitions"),
                          START.isoformat(), END.isoformat()], env=env, check=True,
                         capture_output=True, text=True, timeout=300)
    here = hashlib.sha256()
    for hist in simulate(definitions, org, start=START, end=END, n_instances=80, seed=9):
        for e in hist:
            here.update(repr((e.instance_id, e.at, to_record(e))).encode())
    assert out.stdout.strip() == here.hexdigest()


def test_exactly_n_requests_inside_the_window(medium_run: Run) -> None:
    assert len(medium_run) == 900
    assert len({h[0].instance_id for h, _ in medium_run}) == 900
    for history, _ in medium_run:
        assert START <= history[0].at < END
        assert all(a.at <= b.at for a, b in itertools.pairwise(history))
        assert history[-1].at < END


def test_every_history_replays_to_a_consistent_state(medium_run: Run) -> None:
    for history, state in medium_run:
        replayed = replay(history)
        assert replayed == state
        if replayed.finished:
            assert replayed.status in FINAL_STATUSES
            assert not [t for t in replayed.tasks if t.open]
        elif replayed.status == "returned":
            assert not pending_tasks(replayed)  # waiting for the requester
        else:
            # someone to act, or the logistics system to answer (sample_order's delivery)
            assert replayed.status == "running" and (
                pending_tasks(replayed) or any(w.open for w in replayed.waits))


def test_histories_are_what_the_engine_emits(definitions: list[ProcessDefinition],
                                             org: OrgDirectory, medium_run: Run) -> None:
    """Re-running the first command of each history through ``decide`` gives its events."""
    defs = {d.key: d for d in definitions}
    for history, _ in medium_run[:50]:
        started = history[0]
        assert isinstance(started, ev.InstanceStarted)
        ids = iter([started.instance_id, *(e.task_id for e in history
                                            if isinstance(e, ev.TaskCreated))])
        cmd = StartInstance(definition_key=started.definition_key, initiator=started.initiator,
                            data=dict(started.data))
        emitted = decide(defs[started.definition_key], None, cmd, started.at, org,
                         new_id=ids.__next__)
        assert emitted == history[:len(emitted)]


def test_people_decide_in_office_hours_only(medium_run: Run) -> None:
    cal = WorkingCalendar()
    human = [e for h, _ in medium_run for e in h if isinstance(e, ev.TaskDecided) and not e.auto]
    assert len(human) > 2000
    assert all(cal.is_open(e.at) for e in human)
    started_off_hours = [h[0] for h, _ in medium_run if not cal.is_open(h[0].at)]
    assert 0 < len(started_off_hours) < len(medium_run) * 0.25  # some file in the evening


def test_the_history_has_the_texture_of_real_use(medium_run: Run) -> None:
    kinds = Counter(e.kind for h, _ in medium_run for e in h)
    assert kinds["instance_returned"] > 30 and kinds["instance_resubmitted"] > 20
    assert kinds["instance_withdrawn"] > 5
    assert kinds["task_delegated"] > 3
    assert Counter(s.definition_key for _, s in medium_run).keys() == {
        "store_opening", "sample_order", "expense_claim"}


def test_requests_are_in_flight_at_the_end_some_overdue(medium_run: Run) -> None:
    running = [s for _, s in medium_run if not s.finished]
    assert len(running) > 10
    pending = [t for s in running for t in pending_tasks(s)]
    overdue = [t for t in pending if t.due_at is not None and t.due_at < END]
    assert overdue and len(overdue) < len(pending)
    inboxes = Counter(t.assignee for t in pending)
    for demo_approver in ("zhao.lei", "deng.hao"):
        assert inboxes[demo_approver] >= 2, inboxes


def test_bad_arguments_are_refused_with_the_reason(definitions: list[ProcessDefinition],
                                                   org: OrgDirectory) -> None:
    naive = datetime(2026, 6, 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        simulate(definitions, org, start=naive, end=END, n_instances=5, seed=1)
    with pytest.raises(ValueError, match="empty simulation window"):
        simulate(definitions, org, start=END, end=START, n_instances=5, seed=1)
    with pytest.raises(ValueError, match="n_instances"):
        simulate(definitions, org, start=START, end=END, n_instances=-1, seed=1)
    with pytest.raises(ValueError, match="no definition the demo knows"):
        simulate([], org, start=START, end=END, n_instances=5, seed=1)
