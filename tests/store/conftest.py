"""Store fixtures: ``db`` is an open database at the newest migration (SQLite and
PostgreSQL); ``world`` adds the test org and the ``purchase`` definition to it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from engine import service
from engine.core import commands as cmds
from engine.core.directory import OrgDirectory
from engine.core.directory import load_directory as read_org
from engine.core.state import InstanceState
from engine.store import Database, open_database, upgrade

FIXTURES = Path(__file__).parent / "fixtures"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BUYERS = ("bob", "cat", "dan")


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    upgrade(db_url)
    database = open_database(db_url)
    try:
        yield database
    finally:
        database.dispose()


@dataclass
class World:
    db: Database
    org: OrgDirectory
    url: str

    def start(self, item: str = "pens", amount: float = 12, at: datetime = T0,
              **kw: Any) -> InstanceState:
        with self.db.session() as s:
            return service.start(s, service.DbCatalog(s), self.org, cmds.StartInstance(
                definition_key="purchase", initiator="ann",
                data={"item": item, "amount": amount}), at, **kw)

    def on_task(self, cmd: cmds.DecideTask | cmds.DelegateTask | cmds.AddSigner,
                at: datetime, **kw: Any) -> InstanceState:
        with self.db.session() as s:
            return service.execute_on_task(s, service.DbCatalog(s), self.org, cmd, at, **kw)

    def execute(self, iid: UUID, cmd: cmds.Command, at: datetime, **kw: Any) -> InstanceState:
        with self.db.session() as s:
            return service.execute(s, service.DbCatalog(s), self.org, iid, cmd, at, **kw)

    def check(self) -> list[service.Discrepancy]:
        with self.db.session(write=False) as s:
            return service.check(s)


def setup_world(db: Database, url: str) -> World:
    org = read_org(FIXTURES / "org.yaml")
    with db.session() as s:
        service.save_directory(s, org)
        s.commit()
        service.sync_definitions(s, FIXTURES, org, actor="owner", now=T0)
    return World(db, org, url)


@pytest.fixture
def world(db: Database, db_url: str) -> World:
    return setup_world(db, db_url)


def pending(state: InstanceState, assignee: str | None = None) -> list[Any]:
    return [t for t in state.tasks if t.status == "pending"
            and (assignee is None or t.assignee == assignee)]
