"""Decisions per second through the full command path, next to the database's limit.

Signoff: ``engine.service.execute_on_task`` in its own session per decision (find the
task's instance, load its events, replay, decide, append events, write projections,
commit), exactly what an API request does after authentication.

The limit: the same decisions' statements, captured from the real service on a scratch
database and replayed through ``sqlite3`` / ``psycopg`` on a fresh one (``bench.rawdb``).

The peer: SpiffWorkflow deserialising, running and re-serialising its workflow for each
decision, stored in one row per workflow through the same driver (``bench.spiff``).

Every run does the same work: ``instances`` store_opening requests are started (not
timed), then their six decisions each are timed, round by round (every instance's first
decision, then every second one, ...), so histories grow side by side as in production.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from bench import dbs, rawdb, workload
from engine import service
from engine.core import DecideTask, OrgDirectory
from engine.core.state import InstanceState, pending_tasks
from engine.service import DbCatalog
from engine.store import Database, open_database


@dataclass
class Seeded:
    url: str
    states: list[InstanceState]


@contextmanager
def opened(url: str) -> Iterator[Database]:
    db = open_database(url)
    try:
        yield db
    finally:
        db.dispose()


def setup(db: Database, directory: OrgDirectory) -> None:
    with db.session() as s:
        service.save_directory(s, directory)
        s.commit()
    with db.session() as s:
        service.sync_definitions(s, [workload.DEFINITION], directory, now=workload.NOW)


def start_all(db: Database, directory: OrgDirectory, count: int) -> list[InstanceState]:
    states = []
    for _ in range(count):
        with db.session() as s:
            states.append(service.start(s, DbCatalog(s), directory, workload.start_command(),
                                        workload.NOW))
    return states


def decide_one(db: Database, directory: OrgDirectory, state: InstanceState,
               now: datetime) -> InstanceState:
    task = pending_tasks(state)[0]
    cmd = DecideTask(task_id=task.task_id, actor=task.assignee, action="approve")
    with db.session() as s:
        return service.execute_on_task(s, DbCatalog(s), directory, cmd, now)


def decide_rounds(states: list[InstanceState],
                  one: Callable[[InstanceState, datetime], InstanceState]) -> int:
    """Every instance's next decision, round after round, until all are finished."""
    now, done = workload.NOW, 0
    while any(not st.finished for st in states):
        now += workload.STEP
        for i, st in enumerate(states):
            if not st.finished:
                states[i] = one(st, now)
                done += 1
    return done


def signoff_run(kind: str, instances: int) -> tuple[int, float]:
    """(decisions, seconds) through the full command path on a fresh database."""
    url = dbs.fresh(kind)
    directory = workload.org()
    with opened(url) as db:
        setup(db, directory)
        states = start_all(db, directory, instances)
        t0 = time.perf_counter()
        n = decide_rounds(states, lambda st, now: decide_one(db, directory, st, now))
        return n, time.perf_counter() - t0


def capture(kind: str, instances: int) -> tuple[list[rawdb.Transaction],
                                                list[rawdb.Transaction]]:
    """(setup and start transactions, decision transactions) of the real service."""
    url = dbs.fresh(kind)
    directory = workload.org()
    with opened(url) as db:
        cap = rawdb.Capture(db.engine)
        try:
            with cap.txn("setup"):
                setup(db, directory)
            states = []
            for _ in range(instances):
                with cap.txn("start"):
                    states += start_all(db, directory, 1)
            before = len(cap.transactions)

            def one(st: InstanceState, now: datetime) -> InstanceState:
                with cap.txn("decision"):
                    return decide_one(db, directory, st, now)

            decide_rounds(states, one)
        finally:
            cap.close()
    return cap.transactions[:before], cap.transactions[before:]


def raw_run(kind: str, prelude: list[rawdb.Transaction], decisions: list[rawdb.Transaction],
            with_reads: bool = False) -> tuple[int, float]:
    """(decisions, seconds) replaying the captured statements through the driver."""
    url = dbs.fresh(kind)
    rawdb.replay_raw(url, prelude, with_reads=False)
    t0 = time.perf_counter()
    n = rawdb.replay_raw(url, decisions, with_reads=with_reads)
    return n, time.perf_counter() - t0


def spiff_run(kind: str, instances: int) -> tuple[int, float]:
    """(decisions, seconds) for SpiffWorkflow, serialised into a row after every step."""
    from bench.spiff import SpiffStore

    store = SpiffStore(dbs.fresh(kind, migrate=False))
    try:
        ids = [store.create(workload.REQUEST) for _ in range(instances)]
        t0 = time.perf_counter()
        open_ids, n = list(ids), 0
        while open_ids:
            still = []
            for wid in open_ids:
                n += 1
                if not store.decide(wid):
                    still.append(wid)
            open_ids = still
        return n, time.perf_counter() - t0
    finally:
        store.close()


def task_ids(states: list[InstanceState]) -> list[UUID]:
    return [t.task_id for st in states for t in pending_tasks(st)]
