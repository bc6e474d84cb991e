"""Approval modes on the example processes: any, all, sequential, threshold."""

from __future__ import annotations

from datetime import timedelta

from engine.core import events as ev
from engine.core import load_definition
from tests.engine.helpers import DATA, EXPENSE, STORE, Run, definition, directory, sample_desk


def _sample_run() -> Run:
    run = Run(sample_desk())
    run.start("bai.lu", DATA["sample_order"])
    run.act("li.na")
    return run


def test_any_first_approval_wins_and_cancels_the_others() -> None:
    run = _sample_run()
    assert run.holders() == ["han.mei", "qian.yu", "shen.jie"]
    new = run.act("shen.jie", comment="two mannequins from the Hangzhou stock")
    cancelled = [e for e in new if isinstance(e, ev.TaskCancelled)]
    assert sorted(e.reason for e in cancelled) == ["node_approved", "node_approved"]
    left = next(e for e in new if isinstance(e, ev.NodeLeft))
    assert (left.node, left.outcome, left.decided_by, left.next_node) == (
        "sample_manager", "approved", "shen.jie", "logistics")
    assert run.s.node == "logistics"


def test_any_reject_by_one_resolves_the_node() -> None:
    run = _sample_run()
    run.act("qian.yu", "reject", comment="season already allocated")
    assert run.s.status == "rejected" and run.s.outcome == "rejected"
    assert run.s.node == "rejected" and not run.holders()


def test_all_needs_every_approver() -> None:
    run = Run(definition("store_opening"))
    run.start("xu.ming", {**STORE, "legal_contact": "jiang.hong"})
    run.act("zhao.lei")
    assert run.holders() == ["jiang.hong", "tang.lan"]
    assert run.act("tang.lan")[-1].kind == "task_decided"
    assert run.s.node == "site_review" and run.holders() == ["jiang.hong"]
    run.act("jiang.hong")
    assert run.s.node == "finance_review"


def test_all_reject_by_anyone_resolves_and_cancels_the_rest() -> None:
    run = Run(definition("store_opening"))
    run.start("xu.ming", STORE)
    run.act("zhao.lei")
    new = run.act("song.qian", "reject", comment="lease has no break clause")
    assert [e.kind for e in new] == ["task_decided", "task_cancelled", "node_left",
                                     "node_entered", "instance_finished"]
    assert run.s.status == "rejected"


def _expense(amount: float, initiator: str = "li.na") -> Run:
    run = Run(definition("expense_claim"))
    run.start(initiator, {**EXPENSE, "amount": amount})
    return run


def test_sequential_activates_the_next_approver_in_turn() -> None:
    run = _expense(900)
    run.act("zhao.lei")
    assert run.s.node == "finance_review"
    waiting = [t for t in run.s.tasks if t.status == "waiting"]
    assert [t.assignee for t in waiting] == ["deng.hao"] and waiting[0].due_at is None
    assert run.holders() == ["cao.li"]
    new = run.act("cao.li")
    activated = [e for e in new if isinstance(e, ev.TaskActivated)]
    assert len(activated) == 1 and activated[0].due_at == run.now + timedelta(days=3)
    assert run.holders() == ["deng.hao"]
    run.act("deng.hao")
    assert run.s.status == "approved"
    assert run.s.cc == ("yang.xue", "li.na")


def test_threshold_two_of_three_with_a_same_approver_vote() -> None:
    run = _expense(30000)
    run.act("zhao.lei")  # line manager
    run.act("liu.yang")  # department head (manager of manager)
    run.act("cao.li")
    run.act("deng.hao")
    # deng.hao approved finance_review, so his committee vote is automatic
    committee = [t for t in run.s.tasks if t.node == "committee"]
    auto = [t for t in committee if t.auto == "same_approver"]
    assert [t.assignee for t in auto] == ["deng.hao"]
    assert run.holders() == ["liu.yang", "zhou.min"]
    run.act("zhou.min")
    assert run.s.status == "approved"
    assert [t.status for t in run.s.tasks if t.node == "committee" and t.assignee == "liu.yang"
            ] == ["cancelled"]


def test_threshold_rejected_once_k_cannot_be_reached() -> None:
    run = _expense(30000)
    for user in ("zhao.lei", "liu.yang", "cao.li", "deng.hao"):
        run.act(user)
    run.act("zhou.min", "reject", comment="no budget")
    assert run.s.node == "committee" and run.holders() == ["liu.yang"]
    run.act("liu.yang", "reject", comment="too expensive")
    assert run.s.status == "rejected"


VOTE = """
key: vote
title: Three of four board members
start: board
nodes:
  board:
    approvers: [{user: zhou.min}, {user: liu.yang}, {user: jiang.hong}, {user: wang.jian}]
    mode: threshold
    threshold: 3
    on: {approve: yes, reject: no}
  yes: {final: approved}
  no: {final: rejected}
"""


def test_threshold_counts_votes_without_policies() -> None:
    run = Run(load_definition(VOTE, directory=directory()))
    run.start("li.na", {})
    run.act("zhou.min")
    run.act("liu.yang", "reject", comment="too expensive")
    run.act("jiang.hong")
    assert run.s.status == "running" and run.holders() == ["wang.jian"]
    run.act("wang.jian")
    assert run.s.status == "approved"
    run2 = Run(load_definition(VOTE, directory=directory()))
    run2.start("li.na", {})
    run2.act("zhou.min", "reject", comment="no budget")
    assert run2.s.status == "running"
    run2.act("liu.yang", "reject", comment="no")  # 2 approvals at most now: 3 cannot be reached
    assert run2.s.status == "rejected"
