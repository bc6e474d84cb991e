"""Every command on the example processes: return, resubmit, delegate, add signer,
withdraw, cancel, comment, and who may do each."""

from __future__ import annotations

from uuid import UUID

import pytest

from engine.core import (
    AddComment,
    AddSigner,
    CancelInstance,
    DecideTask,
    DelegateTask,
    FormInvalid,
    InstanceNotFound,
    NotPermitted,
    Resubmit,
    TaskNotFound,
    TransitionNotAllowed,
    UserNotFound,
    Withdraw,
    return_targets,
)
from engine.core import events as ev
from engine.core.decide import decide
from tests.engine.helpers import STORE, T0, Run, definition, directory, sample_desk


def _store(**data: object) -> Run:
    run = Run(definition("store_opening"))
    run.start("xu.ming", {**STORE, **data})
    return run


def test_return_to_initiator_then_resubmit_resumes_at_the_returning_node() -> None:
    run = _store()
    new = run.act("zhao.lei", "return", comment="attach the floor plan")
    assert [e.kind for e in new] == ["task_decided", "node_left", "instance_returned"]
    assert run.s.status == "returned" and run.s.resume_at == "regional_review"
    assert run.s.node is None and not run.holders()
    with pytest.raises(FormInvalid) as info:
        run.do(Resubmit(actor="xu.ming", data={**STORE, "monthly_rent": -1}))
    assert info.value.errors == [("/monthly_rent", "Monthly rent must be at least 0")]
    with pytest.raises(NotPermitted):
        run.do(Resubmit(actor="zhao.lei", data=STORE))
    run.do(Resubmit(actor="xu.ming", data={**STORE, "notes": "floor plan attached"}))
    assert run.s.status == "running" and run.s.node == "regional_review" and run.s.visit == 2
    assert run.s.data["notes"] == "floor plan attached" and run.holders() == ["zhao.lei"]


def test_return_to_an_earlier_node_reopens_it() -> None:
    run = _store()
    run.act("zhao.lei")
    run.act("tang.lan")
    run.act("song.qian")
    assert return_targets(run.defn, run.s.node, run.s.path) == [
        "initiator", "site_review", "regional_review"]
    new = run.act("cao.li", "return", comment="lease term does not match")  # YAML default
    left = next(e for e in new if isinstance(e, ev.NodeLeft))
    assert (left.outcome, left.next_node) == ("returned", "site_review")
    assert run.s.node == "site_review" and run.s.visit == 2
    assert run.holders() == ["song.qian", "tang.lan"]
    run.act("tang.lan")
    run.act("song.qian")
    run.act("yang.xue", "return", return_to="regional_review", comment="recheck the site")
    assert run.s.node == "regional_review" and run.s.visit == 2


def test_return_to_a_later_or_unknown_node_is_refused() -> None:
    run = _store()
    run.act("zhao.lei")
    for target in ("finance_review", "nowhere", "site_review"):
        with pytest.raises(TransitionNotAllowed):
            run.act("tang.lan", "return", return_to=target, comment="why not")
    assert run.s.node == "site_review"


def test_action_not_offered_is_refused() -> None:
    defn = definition("sample_order")
    run = Run(defn)
    run.start("bai.lu", {"store_code": "SH001", "region": "east", "season": "AW26",
                         "needed_by": "2026-08-15", "items": [{"sku": "MQ-22", "quantity": 1}]})
    assert "return" in defn.nodes["store_manager"].actions
    with pytest.raises(TransitionNotAllowed):
        run.act("li.na", "escalate")


def test_only_the_assignee_decides_and_only_once() -> None:
    run = _store()
    task = run.task("zhao.lei")
    with pytest.raises(NotPermitted):
        run.do(DecideTask(task_id=task.task_id, actor="sun.li", action="approve"))
    run.act("zhao.lei")
    with pytest.raises(TransitionNotAllowed):
        run.do(DecideTask(task_id=task.task_id, actor="zhao.lei", action="approve"))
    with pytest.raises(TaskNotFound):
        run.do(DecideTask(task_id=UUID(int=999), actor="zhao.lei", action="approve"))


def test_unknown_instance() -> None:
    with pytest.raises(InstanceNotFound):
        decide(definition("store_opening"), None, Withdraw(actor="x"), T0, directory())


def test_delegate_moves_the_task() -> None:
    run = _store()
    task = run.task("zhao.lei")
    with pytest.raises(NotPermitted):
        run.do(DelegateTask(task_id=task.task_id, actor="xu.ming", to_user="sun.li"))
    with pytest.raises(UserNotFound):
        run.do(DelegateTask(task_id=task.task_id, actor="zhao.lei", to_user="ghost"))
    with pytest.raises(TransitionNotAllowed):
        run.do(DelegateTask(task_id=task.task_id, actor="zhao.lei", to_user="zhao.lei"))
    run.do(DelegateTask(task_id=task.task_id, actor="zhao.lei", to_user="sun.li",
                        comment="on leave"))
    assert run.holders() == ["sun.li"]
    with pytest.raises(NotPermitted):
        run.do(DecideTask(task_id=task.task_id, actor="zhao.lei", action="approve"))
    run.do(DelegateTask(task_id=task.task_id, actor="admin", to_user="huang.tao"))  # admins too
    run.act("huang.tao")
    assert run.s.node == "site_review"


def test_add_signer_before_defers_the_current_approver() -> None:
    run = _store()
    task = run.task("zhao.lei")
    new = run.do(AddSigner(task_id=task.task_id, actor="zhao.lei", user="xu.ming",
                           position="before", comment="confirm the footfall numbers first"))
    assert [e.kind for e in new] == ["task_created", "task_deferred", "comment_added"]
    assert run.holders() == ["xu.ming"]
    added = run.task("xu.ming")
    assert added.added_by == "zhao.lei" and added.rule == "added_by:zhao.lei"
    run.act("xu.ming")  # an added signer is never auto-approved, not even the initiator
    assert run.s.node == "regional_review" and run.holders() == ["zhao.lei"]
    run.act("zhao.lei")
    assert run.s.node == "site_review"


def test_add_signer_after_needs_both_in_an_any_node() -> None:
    run = Run(sample_desk())
    run.start("bai.lu", {"store_code": "SH001", "region": "east", "season": "AW26",
                         "needed_by": "2026-08-15", "items": [{"sku": "MQ-22", "quantity": 1}]})
    run.act("li.na")
    task = run.task("qian.yu")
    with pytest.raises(NotPermitted):
        run.do(AddSigner(task_id=task.task_id, actor="li.na", user="lu.wen"))
    with pytest.raises(TransitionNotAllowed):
        run.do(AddSigner(task_id=task.task_id, actor="qian.yu", user="han.mei"))  # has one
    run.do(AddSigner(task_id=task.task_id, actor="qian.yu", user="pan.xia", position="after"))
    assert "pan.xia" not in run.holders()
    run.act("qian.yu")
    assert run.s.node == "sample_manager" and run.holders() == ["han.mei", "pan.xia", "shen.jie"]
    run.act("pan.xia")
    assert run.s.node == "logistics"


def test_add_signer_after_in_a_sequential_node_keeps_the_order() -> None:
    run = Run(definition("expense_claim"))
    run.start("li.na", {"amount": 300, "currency": "CNY", "category": "meals",
                        "expense_date": "2026-02-01", "description": "Team lunch", "receipts": 1})
    run.act("zhao.lei")
    run.do(AddSigner(task_id=run.task("cao.li").task_id, actor="cao.li", user="yang.xue"))
    run.act("cao.li")
    assert run.holders() == ["yang.xue"]
    run.act("yang.xue")
    assert run.holders() == ["deng.hao"]
    run.act("deng.hao")
    assert run.s.status == "approved"


def test_withdraw_only_by_the_initiator_while_not_final() -> None:
    run = _store()
    run.act("zhao.lei")
    with pytest.raises(NotPermitted):
        run.do(Withdraw(actor="zhao.lei"))
    new = run.do(Withdraw(actor="xu.ming", comment="landlord pulled out"))
    assert [e.kind for e in new] == ["task_cancelled", "task_cancelled", "node_left",
                                     "instance_withdrawn", "instance_finished"]
    assert run.s.status == "withdrawn" and run.s.outcome == "withdrawn" and not run.holders()
    with pytest.raises(TransitionNotAllowed):
        run.do(Withdraw(actor="xu.ming"))


def test_withdraw_while_returned() -> None:
    run = _store()
    run.act("zhao.lei", "return", comment="add the landlord")
    run.do(Withdraw(actor="xu.ming"))
    assert run.s.status == "withdrawn"
    with pytest.raises(TransitionNotAllowed):
        run.do(Resubmit(actor="xu.ming", data=STORE))


def test_cancel_only_by_an_admin() -> None:
    run = _store()
    with pytest.raises(NotPermitted):
        run.do(CancelInstance(actor="xu.ming"))
    run.do(CancelInstance(actor="admin", reason="duplicate request"))
    assert run.s.status == "cancelled" and run.s.finished_at == run.now


def test_comments_by_people_involved() -> None:
    run = _store()
    run.do(AddComment(actor="zhao.lei", text="  visiting the site on Friday "))
    assert run.events[-1] == ev.CommentAdded(instance_id=run.s.id, at=run.now,
                                             actor="zhao.lei", text="visiting the site on Friday",
                                             node="regional_review")
    with pytest.raises(NotPermitted):
        run.do(AddComment(actor="kong.yi", text="hello"))
    with pytest.raises(FormInvalid):
        run.do(AddComment(actor="xu.ming", text="   "))
