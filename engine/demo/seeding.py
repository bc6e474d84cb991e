"""Writing the demo into a database: org, definitions, then the simulated history.

``seed(db, ...)`` loads the org and definitions either from ``definitions_dir`` (synced
through the service first) or, without it, from what the database already holds, runs
``simulate`` and bulk-writes the histories with ``service.append_histories``, reporting
``progress(done, total)`` per batch.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import func
from sqlmodel import Session, select

from engine import service
from engine.core.definition import ProcessDefinition
from engine.core.directory import OrgDirectory
from engine.core.directory import load_directory as read_directory_file
from engine.core.events import Event
from engine.core.state import InstanceState
from engine.demo.simulation import Simulation
from engine.store import Database, Instance

DEMO_PASSWORD = "signoff-demo"
DEFAULT_SEED = 20260601
DEFAULT_MONTHS = 6


class DemoUser(NamedTuple):
    username: str
    password: str
    name: str
    description: str
    name_zh: str = ""


_DEMO_USERS = [
    ("zhao.lei", "Zhao Lei", "赵磊", "approver: regional director (East), store openings and "
     "expense claims waiting in the inbox"),
    ("li.na", "Li Na", "李娜", "requester: store manager (also confirms her store's sample "
     "orders: the careful fast step)"),
    ("xu.ming", "Xu Ming", "徐明", "requester: expansion manager, files new store openings"),
    ("bai.lu", "Bai Lu", "白露", "requester: store staff, orders display samples"),
    ("qian.yu", "Qian Yu", "钱宇", "approver: sample manager of region East (the rubber-stamp "
     "step)"),
    ("deng.hao", "Deng Hao", "邓浩", "approver: finance manager, the bottleneck with a long "
     "queue"),
    ("liu.yang", "Liu Yang", "刘洋", "approver: VP retail (the slow final sign-off)"),
    ("chen.jing", "Chen Jing", "陈静", "process owner and product manager: definitions and the "
     "efficiency dashboard"),
    ("admin", "Ops Admin", "系统管理员", "admin: users, cancellations, everything"),
]


def demo_users() -> list[DemoUser]:
    """The users worth signing in as, all with ``DEMO_PASSWORD``."""
    return [DemoUser(u, DEMO_PASSWORD, name, text, zh) for u, name, zh, text in _DEMO_USERS]


@dataclass
class SeedReport:
    instances: int = 0
    events: int = 0
    in_flight: int = 0
    pending_tasks: int = 0
    overdue_tasks: int = 0
    start: datetime | None = None
    end: datetime | None = None
    outcomes: Counter[str] = field(default_factory=Counter)
    by_process: Counter[str] = field(default_factory=Counter)

    def count(self, history: Sequence[Event], state: InstanceState) -> None:
        self.instances += 1
        self.events += len(history)
        self.by_process[state.definition_key] += 1
        self.outcomes[state.status] += 1
        if not state.finished:
            self.in_flight += 1
            pending = [t for t in state.tasks if t.status == "pending"]
            self.pending_tasks += len(pending)
            self.overdue_tasks += sum(1 for t in pending
                                      if t.due_at is not None and self.end is not None
                                      and t.due_at < self.end)


def instance_count(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(Instance)).one())


def _load(session: Session, definitions_dir: str | Path | None, when: datetime,
          ) -> tuple[list[ProcessDefinition], OrgDirectory]:
    if definitions_dir is None:
        return service.DbCatalog(session).latest(), service.load_directory(session)
    directory = read_directory_file(Path(definitions_dir) / "org.yaml")
    service.save_directory(session, directory)
    session.commit()
    return service.sync_definitions(session, definitions_dir, directory, now=when), directory


def seed(db: Database, *, definitions_dir: str | Path | None = None, n_instances: int = 3000,
         seed: int = DEFAULT_SEED, now: datetime | None = None, months: int = DEFAULT_MONTHS,
         progress: Callable[[int, int], None] | None = None, batch: int = 250) -> SeedReport:
    """Simulate ``n_instances`` requests over the ``months`` before ``now`` and write them.

    Refuses (ValueError, nothing written) a database that already holds requests: the
    demo's ids are deterministic, so a second seed would collide with the first.
    """
    end = (now or datetime.now(UTC)).astimezone(UTC)
    start = end - timedelta(days=round(months * 30.4))
    report = SeedReport(start=start, end=end)
    with db.session() as session:
        if existing := instance_count(session):
            raise ValueError(f"the database already holds {existing} requests; the demo "
                             "history is only written into an empty one")
        definitions, directory = _load(session, definitions_dir, start - timedelta(days=7))
        sim = Simulation(definitions, directory, start, end, seed)
        written = 0

        def counted() -> Iterator[list[Event]]:
            for history, state in sim.run(n_instances):
                report.count(history, state)
                yield history

        def step(k: int) -> None:
            nonlocal written
            written += k
            if progress:
                progress(written, n_instances)

        if progress:
            progress(0, n_instances)
        service.append_histories(session, counted(), progress=step, batch=batch)
    return report


__all__ = ["DEFAULT_SEED", "DEMO_PASSWORD", "DemoUser", "SeedReport", "demo_users",
           "instance_count", "seed"]
