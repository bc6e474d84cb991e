"""Property tests: random command sequences never corrupt an instance.

After every accepted command the instance is final, or returned with nothing pending, or
sits in an approval node with exactly the open tasks that node's mode requires; the
history replays to the same state and survives the store's record round trip. A refused
command raises an EngineError and (decide being pure) produces no events.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from engine.core import (
    AddComment,
    AddSigner,
    CancelInstance,
    Command,
    DecideTask,
    DelegateTask,
    EngineError,
    InstanceState,
    Resubmit,
    Withdraw,
    load_definition,
    replay,
    return_targets,
)
from engine.core import events as ev
from engine.core.commands import AnswerService, FireTimer
from tests.conftest import ROOT
from tests.engine.helpers import DATA, EXAMPLES, INITIATOR, Run, definition, directory

ORG = directory()
USERS = sorted(ORG.users)
VARIANTS: dict[str, list[dict[str, Any]]] = {
    "store_opening": [DATA["store_opening"], {**DATA["store_opening"], "monthly_rent": 120000,
                                              "legal_contact": "jiang.hong"}],
    # the sample manager step is {role: sample_manager, in_unit: {field: region}}: one
    # sample manager per region
    "sample_order": [DATA["sample_order"], {**DATA["sample_order"], "region": "north"},
                     {**DATA["sample_order"], "region": "south"}],
    "expense_claim": [DATA["expense_claim"], {**DATA["expense_claim"], "amount": 8000},
                      {**DATA["expense_claim"], "amount": 45000}],
    # legal and finance branches of a fork; the CFO joins the finance branch above 500,000
    "contract_review": [{"supplier": "Acme", "amount": 120000, "summary": "Shelving"},
                        {"supplier": "Acme", "amount": 900000, "summary": "Shelving"}],
}
INITIATORS = {
    "store_opening": [INITIATOR["store_opening"], "gao.feng", "li.na"],
    "sample_order": [INITIATOR["sample_order"], "kong.yi", "qian.yu"],
    "expense_claim": [INITIATOR["expense_claim"], "cao.li", "bai.lu", "wang.jian"],
    "contract_review": ["li.na", "cao.li", "song.qian", "bai.lu"],
}
BRANCHED = ("contract_review",)
# a service step (call the logistics system, wait for its callbacks, time out)
VARIANTS["delivery"] = [{"store_code": "SH001", "items": 3}]
INITIATORS["delivery"] = ["bai.lu", "li.na"]
SERVICE = ("delivery",)
DELIVERY = load_definition((ROOT / "tests" / "fixtures" / "delivery.yaml").read_text("utf-8"),
                           "delivery.yaml", ORG)


def _service_command(data: st.DataObject, run: Run) -> Command | None:
    """A callback (sometimes a repeat, a bad one or another system's) or a timeout of
    the call the instance waits on, if it waits on one."""
    waits = [w for w in run.s.waits if w.open] or list(run.s.waits)
    if not waits or not data.draw(st.integers(0, 2)):
        return None
    wait = data.draw(st.sampled_from(waits))
    if data.draw(st.integers(0, 4)) == 0:
        return FireTimer(task_id=wait.call_id, timer="timeout")
    status = data.draw(st.sampled_from(["shipped", "in_transit", "arrived", "lost", "gone"]))
    return AnswerService(call_id=wait.call_id, node=data.draw(st.sampled_from([wait.node,
                                                                               "manual"])),
                         system=data.draw(st.sampled_from(["logistics"] * 4 + ["erp"])),
                         callback_id=data.draw(st.sampled_from(["a", "b", "c", "d"])),
                         data={"status": status})


def _command(data: st.DataObject, run: Run) -> Command:
    s = run.s
    if (service := _service_command(data, run)) is not None:
        return service
    tasks = [t for t in s.tasks if t.open] or list(s.tasks)
    kind = data.draw(st.sampled_from(
        ["decide"] * 8 + ["delegate", "signer", "withdraw", "resubmit", "comment", "cancel"]))
    user = data.draw(st.sampled_from(USERS))
    if kind in ("decide", "delegate", "signer") and tasks:
        task = data.draw(st.sampled_from(tasks))
        actor = task.assignee if data.draw(st.integers(0, 9)) else user
        if kind == "delegate":
            return DelegateTask(task_id=task.task_id, actor=actor, to_user=user)
        if kind == "signer":
            return AddSigner(task_id=task.task_id, actor=actor, user=user,
                             position=data.draw(st.sampled_from(["before", "after"])))
        action = data.draw(st.sampled_from(["approve"] * 5 + ["reject", "return"]))
        targets = [*return_targets(run.defn, task.node, s.path), "nowhere"]
        to = data.draw(st.sampled_from(targets)) if action == "return" else None
        return DecideTask(task_id=task.task_id, actor=actor, action=action, return_to=to)
    initiator_or_user = s.initiator if data.draw(st.booleans()) else user
    if kind == "withdraw":
        return Withdraw(actor=initiator_or_user)
    if kind == "resubmit":
        payload = dict(s.data) if data.draw(st.integers(0, 4)) else {"broken": True}
        return Resubmit(actor=initiator_or_user, data=payload)
    if kind == "cancel":
        return CancelInstance(actor="admin" if data.draw(st.booleans()) else user)
    return AddComment(actor=initiator_or_user, text=data.draw(st.sampled_from(["ok", " "])))


def check_invariants(run: Run) -> None:
    s = run.s
    assert replay(run.events) == s
    assert s.seq == len(run.events)
    for e in run.events:
        kind, payload = ev.to_record(e)
        assert ev.from_record(kind, payload, e.instance_id, e.at) == e
    closed = Counter(e.task_id for e in run.events
                     if isinstance(e, ev.TaskDecided | ev.TaskCancelled))
    assert not [k for k, n in closed.items() if n > 1], "a task decided or closed twice"
    open_tasks = [t for t in s.tasks if t.open]
    entered = Counter(e.node for e in run.events if isinstance(e, ev.NodeEntered))
    left = Counter(e.node for e in run.events if isinstance(e, ev.NodeLeft))
    still_in = set((entered - left).keys())
    waiting = [w for w in s.waits if w.open]
    if s.finished or s.status == "returned":
        assert not waiting
    if s.finished:
        assert s.status == s.outcome and not open_tasks
        assert still_in == ({s.node} if s.node else set())
        return
    if s.status == "returned":
        assert s.node is None and s.resume_at in run.defn.nodes and not open_tasks
        assert not still_in
        return
    assert s.status == "running" and s.node is not None
    node = run.defn.nodes[s.node]
    assert all(t.assignee in ORG.users for t in open_tasks)
    if node.kind == "fork":  # every running branch waits in one approval step
        assert s.branches and still_in == {s.node, *s.branches.values()}
        assert set(s.branches).isdisjoint(s.joined)
        assert set(s.branches) | set(s.joined) == set(node.branches)
        assert {t.node for t in open_tasks} == set(s.branches.values())
        for step in s.branches.values():
            inner = run.defn.nodes[step]
            assert inner.kind == "approval"
            assert all(t.visit == s.visits[step] for t in open_tasks if t.node == step)
            _check_mode(s, inner.mode, inner.threshold, step, s.visits[step])
        return
    if node.kind == "service":  # waiting on one call of this visit, nobody else
        assert still_in == {s.node} and not open_tasks
        assert [(w.node, w.visit) for w in waiting] == [(s.node, s.visit)]
        return
    assert not waiting
    assert node.kind == "approval" and still_in == {s.node}
    assert all((t.node, t.visit) == (s.node, s.visit) for t in open_tasks)
    _check_mode(s, node.mode, node.threshold, s.node, s.visit)


def _check_mode(s: InstanceState, mode: str, k: int | None, node: str, at: int) -> None:
    visit = [t for t in s.tasks if (t.node, t.visit) == (node, at)]
    pending = [t for t in visit if t.status == "pending"]
    ids_open = {t.task_id for t in visit if t.open}
    assert pending, "a running approval node always has someone to act"
    for t in visit:
        if t.status == "waiting":
            assert t.waits_for in ids_open, "a waiting task waits on an open task"
    if mode == "sequential":
        assert len(pending) == 1
    if mode == "threshold":
        followed = {t.waits_for for t in visit if t.status != "cancelled"}
        votes = sum(1 for t in visit if t.action == "approve" and t.task_id not in followed)
        assert votes < (k or 1) <= votes + len(pending)


def _run_random(key: str, data: st.DataObject) -> None:
    run = Run(DELIVERY if key in SERVICE else definition(key), ORG)
    run.start(data.draw(st.sampled_from(INITIATORS[key])),
              data.draw(st.sampled_from(VARIANTS[key])))
    check_invariants(run)
    for _ in range(data.draw(st.integers(1, 25))):
        if run.s.finished:
            break
        cmd = _command(data, run)
        before = len(run.events)
        jump = timedelta(days=data.draw(st.sampled_from([0, 3]))) \
            if isinstance(cmd, FireTimer) else timedelta(0)
        try:
            run.do(cmd, after=timedelta(hours=1) + jump)
        except EngineError:
            assert len(run.events) == before
            continue
        check_invariants(run)
    event(f"ended {run.s.status}")


@pytest.mark.parametrize("key", [*EXAMPLES, *BRANCHED, *SERVICE])
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_commands_never_corrupt_an_instance(key: str, data: st.DataObject) -> None:
    _run_random(key, data)
