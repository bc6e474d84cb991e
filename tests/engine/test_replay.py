"""Replay: a saved history rebuilds the same state; decide is deterministic and pure; the
transitions machine is built once per definition version and never holds instances."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from uuid import UUID

from engine.core import AddComment, StartInstance, replay
from engine.core.decide import decide
from engine.core.events import from_record
from engine.core.machine import _machine_for, next_node
from tests.engine.helpers import DATA, EXAMPLES, INITIATOR, T0, Ids, Run, definition, directory

HISTORY = Path(__file__).parent / "fixtures" / "store_opening_history.json"


def test_saved_history_replays_to_the_expected_state() -> None:
    saved = json.loads(HISTORY.read_text(encoding="utf-8"))
    iid = UUID(saved["instance_id"])
    events = [from_record(r["kind"], r["payload"], iid, datetime.fromisoformat(r["at"]))
              for r in saved["events"]]
    s = replay(events)
    want = saved["expected"]
    assert (s.status, s.outcome, s.node, s.seq) == (want["status"], want["outcome"],
                                                    want["node"], want["seq"])
    assert list(s.path) == want["path"] and sorted(s.cc) == sorted(want["cc"])
    assert s.finished_at is not None and s.finished_at.isoformat() == want["finished_at"]
    assert [[t.node, t.visit, t.assignee, t.status, t.action, t.rule] for t in s.tasks
            ] == want["tasks"]


def test_decide_is_deterministic_and_leaves_its_inputs_alone() -> None:
    defn, org = definition("store_opening"), directory()
    cmd = StartInstance(definition_key="store_opening", initiator="xu.ming",
                        data=DATA["store_opening"])
    first = decide(defn, None, cmd, T0, org, Ids())
    assert first == decide(defn, None, cmd, T0, org, Ids())
    state = replay(first)
    snapshot = repr(state)
    decide(defn, state, AddComment(actor="xu.ming", text="hi"), T0, org, Ids())
    assert repr(state) == snapshot
    assert first[0].instance_id == UUID(int=1)


def test_one_machine_per_definition_version_with_no_instances_registered() -> None:
    for key in EXAMPLES:
        defn = definition(key)
        run = Run(defn)
        run.start(INITIATOR[key], DATA[key])
        machine = _machine_for(defn)
        assert _machine_for(defn) is machine
        assert machine.models == []
    defn = definition("store_opening")
    assert next_node(defn, "finance_review", "approve", {"monthly_rent": 1}) == "vp_review"
    assert next_node(defn, "finance_review", "approve", {"monthly_rent": 10**6}) == "cfo_review"
