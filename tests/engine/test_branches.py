"""Parallel branches: a fork starts its branches at once and joins them (``join: all``
or ``any``); the first rejection ends the join; returns and withdrawals cancel the open
branches; every decision is applied once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.core import (
    DecideTask,
    DefinitionInvalid,
    Resubmit,
    TransitionNotAllowed,
    Withdraw,
    load_definition,
    replay,
)
from engine.core import events as ev
from engine.core.diagram import mermaid
from engine.core.timers import pending_timers
from tests.engine.helpers import DEFS, Run, definition, directory

CONTRACT = {"supplier": "Acme Fixtures", "amount": 120000, "summary": "Shelving for SH012"}
LEGAL, CLERK, FINANCE, CFO, VP = ["jiang.hong", "song.qian"], "cao.li", "deng.hao", \
    "zhou.min", "liu.yang"


def _text() -> str:
    return (DEFS / "contract_review.yaml").read_text(encoding="utf-8")


def _run(data: dict[str, object] | None = None, text: str | None = None) -> Run:
    defn = definition("contract_review") if text is None else \
        load_definition(text, directory=directory())
    run = Run(defn)
    run.start("li.na", data or CONTRACT)
    run.act("zhao.lei")  # the line manager; then the fork
    return run


def _left(events: list[ev.Event]) -> list[tuple[str, str, str | None]]:
    return [(e.node, e.outcome, e.branch) for e in events if isinstance(e, ev.NodeLeft)]


def test_the_fork_starts_every_branch_at_once() -> None:
    run = _run()
    s = run.s
    assert s.node == "reviews" and dict(s.branches) == {"legal": "legal_review",
                                                        "finance": "finance_review"}
    assert run.holders() == sorted([*LEGAL, CLERK])  # deng.hao waits for the clerk
    entered = [(e.node, e.branch) for e in run.events if isinstance(e, ev.NodeEntered)]
    assert entered[-3:] == [("reviews", None), ("legal_review", "legal"),
                            ("finance_review", "finance")]
    assert all(t.due_at is not None for t in s.tasks if t.status == "pending")


@pytest.mark.parametrize("legal_first", [True, False])
def test_the_join_waits_for_every_branch_in_either_order(legal_first: bool) -> None:
    run = _run()

    def legal() -> list[ev.Event]:
        return run.act("jiang.hong")

    def finance() -> list[ev.Event]:
        run.act(CLERK)
        return run.act(FINANCE)

    first, second = (legal, finance) if legal_first else (finance, legal)
    out = first()
    assert run.s.node == "reviews" and not [e for e in out if isinstance(e, ev.NodeLeft)
                                            and e.node == "reviews"]
    assert run.s.joined == (("legal",) if legal_first else ("finance",))
    out = second()
    assert ("reviews", "approved", None) in _left(out)
    assert run.s.node == "vp_review" and run.holders() == [VP]
    assert not run.s.branches and run.s.joined == ()
    run.act(VP)
    assert run.s.status == "approved"
    decided = [e for e in run.events if isinstance(e, ev.TaskDecided)]
    assert len({e.task_id for e in decided}) == len(decided)  # each applied once
    assert sum(1 for e in run.events if isinstance(e, ev.NodeLeft)
               and e.node == "reviews") == 1


def test_a_branch_runs_its_steps_in_turn() -> None:
    run = _run({**CONTRACT, "amount": 800000})
    run.act(CLERK)
    run.act(FINANCE)
    assert dict(run.s.branches) == {"legal": "legal_review", "finance": "cfo_review"}
    run.act(CFO)
    assert run.s.joined == ("finance",) and run.s.node == "reviews"
    run.act("song.qian")
    assert run.s.node == "vp_review"


def test_a_rejection_ends_the_join_and_cancels_the_other_branch() -> None:
    run = _run()
    run.act(CLERK)
    out = run.act("song.qian", "reject", comment="liability clause")
    cancelled = {e.task_id for e in out if isinstance(e, ev.TaskCancelled)}
    finance_open = {t.task_id for t in run.s.tasks if t.node == "finance_review"
                    and t.action is None}
    assert finance_open and finance_open <= cancelled  # deng.hao's task too
    assert _left(out) == [("legal_review", "rejected", "legal"),
                          ("finance_review", "cancelled", "finance"),
                          ("reviews", "rejected", None)]
    assert run.s.status == "rejected" and not [t for t in run.s.tasks if t.open]
    stale = next(t for t in run.s.tasks if t.assignee == FINANCE)
    with pytest.raises(TransitionNotAllowed):
        run.do(DecideTask(task_id=stale.task_id, actor=FINANCE, action="approve"))


def test_join_any_goes_on_with_the_first_branch() -> None:
    run = _run(text=_text().replace("join: all ", "join: any "))
    out = run.act("jiang.hong")
    assert ("finance_review", "cancelled", "finance") in _left(out)
    assert run.s.node == "vp_review" and run.holders() == [VP]


def test_a_return_from_a_branch_cancels_the_others_and_restarts_the_fork() -> None:
    run = _run()
    run.act(CLERK)
    out = run.act("jiang.hong", "return", comment="attach the annex")
    assert {e.task_id for e in out if isinstance(e, ev.TaskCancelled)} == \
        {t.task_id for t in run.s.tasks if t.status == "cancelled"}
    assert len([e for e in out if isinstance(e, ev.TaskCancelled)]) == 2  # song.qian, deng.hao
    assert _left(out) == [("legal_review", "returned", "legal"),
                          ("finance_review", "cancelled", "finance"),
                          ("reviews", "returned", None)]
    s = run.s
    assert s.status == "returned" and s.resume_at == "reviews" and not s.branches
    run.do(Resubmit(actor="li.na", data={**CONTRACT, "summary": "Shelving, annex attached"}))
    assert run.holders() == sorted([*LEGAL, CLERK])
    assert run.s.visits["legal_review"] == 2 and run.s.visits["reviews"] == 2


def test_a_withdrawal_cancels_every_open_branch_task() -> None:
    run = _run()
    run.act("jiang.hong")  # legal done
    run.act(CLERK)
    open_ids = {t.task_id for t in run.s.tasks if t.open}
    out = run.do(Withdraw(actor="li.na"))
    assert {e.task_id for e in out if isinstance(e, ev.TaskCancelled)} == open_ids
    assert _left(out) == [("finance_review", "withdrawn", "finance"),
                          ("reviews", "withdrawn", None)]
    assert run.s.status == "withdrawn" and replay(run.events) == run.s


def test_branch_tasks_get_their_own_timers() -> None:
    text = _text().replace("start: manager", "defaults:\n  remind: [{at: due}]\n"
                                             "start: manager")
    run = _run(text=text)
    timers = pending_timers(run.defn, run.s, None)
    assert {run.s.task(t.task_id).node for t in timers  # type: ignore[union-attr]
            } == {"legal_review", "finance_review"}
    assert len(timers) == 3  # two lawyers and the clerk
    run.now += timedelta(days=3)
    assert all(t.at <= run.now for t in timers)


def test_the_diagram_draws_the_fork_and_the_join() -> None:
    text = mermaid(definition("contract_review"), current="reviews")
    assert "    reviews{{" in text and "    JOIN_reviews{{" in text
    assert "reviews --> legal_review" in text  # a branch name is a YAML key: unlabelled
    assert 'legal_review -->|"approve"| JOIN_reviews' in text
    assert 'legal_review -.->|"reject"| JOIN_reviews' in text
    assert 'JOIN_reviews -->|"approve"| vp_review' in text
    assert "class reviews current" in text


def _errors(text: str) -> list[str]:
    with pytest.raises(DefinitionInvalid) as info:
        load_definition(text, "contract.yaml", directory())
    return [f"{e.line}:{e.column} {e.message}" for e in info.value.errors]


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_an_unknown_branch_target_is_reported_where_it_is() -> None:
    text = _text().replace("legal: legal_review", "legal: legal_reveiw")
    found = _errors(text)
    assert any(f.startswith(f"{_line(text, 'legal: legal_reveiw')}:") and
               "unknown branch target node 'legal_reveiw'" in f for f in found), found


def test_a_branch_that_never_reaches_the_join_is_refused() -> None:
    text = _text().replace("on: {approve: reviews, reject: reviews, return: initiator}",
                           "on: {approve: vp_review, reject: reviews, return: initiator}")
    found = _errors(text)
    assert any("leads into branch" in f or "never reaches" in f or "final node" in f
               for f in found), found
    assert any(f.startswith(f"{_line(text, 'legal: legal_review')}:") for f in found), found


def test_a_branch_may_not_end_the_process_or_fork_again() -> None:
    ended = _text().replace("on: {approve: reviews, reject: reviews}",
                            "on: {approve: reviews, reject: rejected}")
    assert any("reaches final node 'rejected'" in f for f in _errors(ended))
    nested = _text().replace("    on: {approve: reviews, reject: reviews}\n", "").replace(
        "  cfo_review:\n    title: CFO\n",
        "  cfo_review:\n    title: CFO\n    branches: {a: vp_review, b: manager}\n")
    assert any("forks inside branches are not supported" in f for f in _errors(nested))


def test_only_the_fork_enters_its_branches() -> None:
    text = _text().replace("on: {approve: reviews, reject: rejected, return: initiator}",
                           "on: {approve: legal_review, reject: rejected, "
                           "return: initiator}", 1)
    found = _errors(text)
    assert any("only the fork starts its branches" in f for f in found), found


def test_a_fork_needs_a_reject_route_when_a_branch_can_reject() -> None:
    text = _text().replace("on: {approve: vp_review, reject: rejected}",
                           "on: {approve: vp_review}")
    found = _errors(text)
    assert any(f.startswith(f"{_line(text, '  reviews:')}:") and "needs 'on: {reject"
               in f for f in found), found


def test_a_fork_has_no_approvers_of_its_own() -> None:
    text = _text().replace("    join: all ", "    approvers: {role: legal}\n    join: all ")
    assert any("fork 'reviews' cannot have 'approvers'" in f for f in _errors(text))


def test_a_branch_of_only_a_notify_step_joins_at_once() -> None:
    text = _text().replace("      finance: finance_review\n",
                           "      finance: finance_review\n      cc: cc_treasury\n").replace(
        "  vp_review:\n", "  cc_treasury:\n    notify: {role: treasury}\n    next: reviews\n"
                          "  vp_review:\n")
    run = _run(text=text)
    assert run.s.joined == ("cc",) and set(run.s.branches) == {"legal", "finance"}
    run.act("song.qian")
    run.act(CLERK)
    run.act(FINANCE)
    assert run.s.node == "vp_review" and "yang.xue" in run.s.cc
    any_text = text.replace("join: all ", "join: any ")
    run = _run(text=any_text)  # the CC branch is the first to approve: on to the VP
    assert run.s.node == "vp_review" and not [t for t in run.s.tasks
                                              if t.open and t.node != "vp_review"]


def test_an_automatic_approval_inside_a_branch_moves_only_that_branch() -> None:
    run = Run(definition("contract_review"))
    run.start(CLERK, CONTRACT)  # the AP clerk files it: auto-approved at her own step
    run.act("deng.hao")  # her manager is the finance manager: the line-manager step
    s = run.s
    assert s.node == "reviews"
    auto = {t.assignee: t.auto for t in s.tasks if t.node == "finance_review"}
    # the clerk filed it; the finance manager approved the step before the fork
    assert auto == {CLERK: "initiator_is_approver", FINANCE: "same_approver"}
    assert s.joined == ("finance",) and run.holders() == LEGAL  # legal still runs
