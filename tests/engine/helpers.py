"""Driving example processes through ``decide`` in tests: a tiny in-memory runner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from uuid import UUID

from engine.core import (
    Command,
    DecideTask,
    InstanceState,
    OrgDirectory,
    ProcessDefinition,
    StartInstance,
    TaskState,
    load_definition,
    load_definition_file,
    load_directory,
    pending_tasks,
    replay,
)
from engine.core.decide import decide
from engine.core.events import Event
from tests.conftest import ROOT

DEFS = ROOT / "definitions"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
EXAMPLES = ("store_opening", "sample_order", "expense_claim")


@cache
def directory() -> OrgDirectory:
    return load_directory(DEFS / "org.yaml")


@cache
def definition(key: str) -> ProcessDefinition:
    return load_definition_file(DEFS / f"{key}.yaml", directory())


@cache
def sample_desk() -> ProcessDefinition:
    """``sample_order`` with the whole sample desk (all three regional sample managers,
    ``{role: sample_manager}``) at the ``any`` step instead of the region's one: an
    ``any`` node with several approvers."""
    text = (DEFS / "sample_order.yaml").read_text(encoding="utf-8")
    scoped = "{role: sample_manager, in_unit: {field: region}}"
    assert scoped in text
    return load_definition(text.replace(scoped, "{role: sample_manager}"), directory=directory())


class Ids:
    """Deterministic UUIDs: 1, 2, 3, ..."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> UUID:
        self.n += 1
        return UUID(int=self.n)


class Run:
    """One instance: commands in, events accumulated, state replayed after each."""

    def __init__(self, defn: ProcessDefinition, org: OrgDirectory | None = None) -> None:
        self.defn, self.org = defn, org or directory()
        self.events: list[Event] = []
        self.state: InstanceState | None = None
        self.now = T0
        self.ids = Ids()

    def do(self, cmd: Command, *, after: timedelta = timedelta(hours=1)) -> list[Event]:
        self.now += after
        new = decide(self.defn, self.state, cmd, self.now, self.org, self.ids)
        self.events += new
        self.state = replay(self.events)
        return new

    def start(self, initiator: str, data: dict[str, Any]) -> list[Event]:
        return self.do(StartInstance(definition_key=self.defn.key, initiator=initiator,
                                     data=data))

    @property
    def s(self) -> InstanceState:
        assert self.state is not None
        return self.state

    def task(self, user: str) -> TaskState:
        return next(t for t in pending_tasks(self.s) if t.assignee == user)

    def act(self, user: str, action: str = "approve", **kw: Any) -> list[Event]:
        return self.do(DecideTask(task_id=self.task(user).task_id, actor=user,
                                  action=action, **kw))  # type: ignore[arg-type]

    def holders(self) -> list[str]:
        return sorted(t.assignee for t in pending_tasks(self.s))

    def kinds(self, events: list[Event]) -> list[str]:
        return [e.kind for e in events]


STORE = {"store_name": "Nanjing Road", "city": "Shanghai", "address": "100 Nanjing Rd",
         "area_sqm": 320, "monthly_rent": 60000, "lease_years": 5,
         "opening_date": "2026-09-01", "legal_contact": "song.qian"}
SAMPLES = {"store_code": "SH001", "region": "east", "season": "AW26",
           "needed_by": "2026-08-15", "items": [{"sku": "MQ-2231", "quantity": 2}]}
EXPENSE = {"amount": 1200.5, "currency": "CNY", "category": "travel",
           "expense_date": "2026-02-20", "description": "Train to Nanjing store", "receipts": 3}
DATA = {"store_opening": STORE, "sample_order": SAMPLES, "expense_claim": EXPENSE}
INITIATOR = {"store_opening": "xu.ming", "sample_order": "bai.lu", "expense_claim": "li.na"}
