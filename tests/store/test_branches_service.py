"""Parallel branches through the service, on SQLite and PostgreSQL: the projections
(tasks, node visits, inbox) follow both branches, a rejection or a withdrawal cancels the
open branch tasks in the store too, and a stale decision changes nothing."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest

from engine import service
from engine.analytics import live
from engine.analytics.calendar import WorkingCalendar
from engine.analytics.predict import learn
from engine.core import commands as cmds
from engine.core.directory import load_directory as read_org
from engine.core.errors import TransitionNotAllowed
from engine.core.state import InstanceState
from engine.store import Database, event_log
from tests.conftest import ROOT
from tests.store.conftest import T0, pending

H = timedelta(hours=1)
DEFS = ROOT / "definitions"
DATA = {"supplier": "Acme Fixtures", "amount": 120000, "summary": "Shelving for SH012"}


class Contracts:
    def __init__(self, db: Database, tmp: Path) -> None:
        self.db, self.org = db, read_org(DEFS / "org.yaml")
        shutil.copy(DEFS / "contract_review.yaml", tmp / "contract_review.yaml")
        with db.session() as s:
            service.save_directory(s, self.org)
            s.commit()
            service.sync_definitions(s, tmp, self.org, actor="owner", now=T0)
        self.at = T0

    def start(self) -> InstanceState:
        with self.db.session() as s:
            return service.start(s, service.DbCatalog(s), self.org, cmds.StartInstance(
                definition_key="contract_review", initiator="li.na", data=DATA), self.at)

    def act(self, state: InstanceState, user: str, action: str = "approve"
            ) -> InstanceState:
        self.at += H
        task = pending(state, user)[0]
        with self.db.session() as s:
            return service.execute_on_task(s, service.DbCatalog(s), self.org, cmds.DecideTask(
                task_id=task.task_id, actor=user, action=action,  # type: ignore[arg-type]
                comment=None if action == "approve" else "see the annex"), self.at)

    def execute(self, iid: UUID, cmd: cmds.Command) -> InstanceState:
        self.at += H
        with self.db.session() as s:
            return service.execute(s, service.DbCatalog(s), self.org, iid, cmd, self.at)

    def visits(self, iid: UUID) -> list[tuple[str, str | None, str]]:
        with self.db.session(write=False) as s:
            return [(v.node, v.outcome, v.kind) for v in service.instance_visits(s, iid)]

    def check(self) -> list[service.Discrepancy]:
        with self.db.session(write=False) as s:
            return service.check(s)


@pytest.fixture
def contracts(db: Database, tmp_path: Path) -> Contracts:
    return Contracts(db, tmp_path)


def test_both_branches_run_and_join_before_the_vp(contracts: Contracts) -> None:
    s = contracts.act(contracts.start(), "zhao.lei")
    with contracts.db.session(write=False) as session:
        assert len(service.inbox(session, "jiang.hong")[0]) == 1
        assert len(service.inbox(session, "cao.li")[0]) == 1
    s = contracts.act(s, "cao.li")
    s = contracts.act(s, "deng.hao")  # finance first
    assert s.node == "reviews" and s.joined == ("finance",)
    s = contracts.act(s, "song.qian")
    assert s.node == "vp_review"
    with contracts.db.session(write=False) as session:
        assert service.inbox(session, "jiang.hong")[0] == []  # the other lawyer's task closed
    s = contracts.act(s, "liu.yang")
    assert s.status == "approved"
    assert sorted(contracts.visits(s.id)) == sorted([
        ("manager", "approved", "approval"), ("reviews", "approved", "fork"),
        ("legal_review", "approved", "approval"), ("finance_review", "approved", "approval"),
        ("vp_review", "approved", "approval"), ("approved", None, "final")])
    assert contracts.check() == []


def test_a_rejection_in_one_branch_cancels_the_other(contracts: Contracts) -> None:
    s = contracts.act(contracts.start(), "zhao.lei")
    s = contracts.act(s, "jiang.hong", "reject")
    assert s.status == "rejected" and not [t for t in s.tasks if t.open]
    with contracts.db.session(write=False) as session:
        assert service.inbox(session, "cao.li")[0] == []
    finance = next(t for t in s.tasks if t.assignee == "cao.li")
    assert finance.status == "cancelled"
    with pytest.raises(TransitionNotAllowed), contracts.db.session() as session:
        service.execute_on_task(session, service.DbCatalog(session), contracts.org,
                                cmds.DecideTask(task_id=finance.task_id, actor="cao.li",
                                                action="approve"), contracts.at + H)
    with contracts.db.session(write=False) as session:
        assert service.get_instance(session, s.id).status == "rejected"
    assert ("finance_review", "cancelled", "approval") in contracts.visits(s.id)
    assert contracts.check() == []


def test_withdrawing_and_returning_close_every_branch(contracts: Contracts) -> None:
    s = contracts.act(contracts.start(), "zhao.lei")
    s = contracts.act(s, "cao.li", "return")
    assert s.status == "returned" and s.resume_at == "reviews"
    assert not [t for t in s.tasks if t.open]
    s = contracts.execute(s.id, cmds.Resubmit(actor="li.na", data=DATA))
    assert sorted(t.assignee for t in pending(s)) == ["cao.li", "jiang.hong", "song.qian"]
    s = contracts.execute(s.id, cmds.Withdraw(actor="li.na"))
    assert s.status == "withdrawn" and not [t for t in s.tasks if t.open]
    with contracts.db.session(write=False) as session:
        for user in ("cao.li", "jiang.hong", "song.qian"):
            assert service.inbox(session, user)[0] == []
    outcomes = [v for v in contracts.visits(s.id) if v[0] != "manager"]
    assert ("legal_review", "withdrawn", "approval") in outcomes
    assert ("reviews", "withdrawn", "fork") in outcomes
    assert contracts.check() == []


def test_a_request_at_the_fork_has_a_predicted_finish(contracts: Contracts) -> None:
    """The prediction follows the running branches: both reviews, then one, and a request
    returned to the fork is predicted through the whole fork again."""
    state = contracts.act(contracts.start(), "zhao.lei")

    def predicted(s: InstanceState) -> tuple[str, ...]:
        with contracts.db.session(write=False) as session:
            d = service.DbCatalog(session).get("contract_review", s.definition_version)
            found = live.forecast(d, learn(d, [], WorkingCalendar()), s,
                                  event_log.load(session, s.id), contracts.at + H)
        assert found.prediction is not None, s.node
        assert found.prediction.median > contracts.at
        return found.prediction.path

    assert predicted(state) == ("legal_review", "finance_review", "vp_review")
    state = contracts.act(state, "cao.li")  # finance's first of two, sequential
    state = contracts.act(state, "deng.hao")  # finance approved: only legal runs
    assert predicted(state) == ("legal_review", "vp_review")
    state = contracts.act(state, "jiang.hong", "return")
    assert state.status == "returned" and state.resume_at == "reviews"
    assert predicted(state) == ("legal_review", "finance_review", "vp_review")
