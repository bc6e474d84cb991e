"""Real parallelism: approvers racing on the same ``any`` step, and double-clicks.

Threads share one ``Database`` (one per process, as the app runs); processes each open
their own. On SQLite the writers queue (one writer per process, ``BEGIN IMMEDIATE``
across processes), so losers see the decision already made (TransitionNotAllowed); on
PostgreSQL two writers can read the same history and the second append clashes on
``(instance_id, seq)`` (ConcurrentUpdate). Either way: exactly one decision per
instance, every acknowledged decision is in the log exactly once, ``check`` is clean.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from uuid import UUID

import pytest

from engine import service
from engine.core.commands import DecideTask
from engine.core.directory import load_directory as read_org
from engine.core.events import TaskDecided
from engine.store import Database, open_database
from tests.store.conftest import FIXTURES, T0, World, pending
from tests.store.workers import Plan, Result, decide_all, process_main

# bob clicks twice (two workers); cat and dan race him for the same "any" step.
ACTORS = ("bob", "bob", "cat", "dan", "cat", "dan")
LOSSES = {"ConcurrentUpdate", "TransitionNotAllowed"}


def _plans(w: World, n: int, actors: tuple[str, ...]) -> list[tuple[str, Plan]]:
    starts = [w.start(f"item {i}") for i in range(n)]
    return [(actor, [(str(s.id), str(pending(s, actor)[0].task_id)) for s in starts])
            for actor in actors]


def _verify(w: World, results: list[Result], n: int) -> Counter[str]:
    outcomes: Counter[str] = Counter(r[1] for r in results)
    assert set(outcomes) <= {"ok", *LOSSES}, outcomes
    acks: dict[str, set[tuple[str | None, int | None]]] = defaultdict(set)
    for iid, outcome, decided_by, seq in results:
        if outcome == "ok":
            acks[iid].add((decided_by, seq))
    assert len(acks) == n  # every instance got a decision acknowledged
    with w.db.session(write=False) as s:
        for iid, acked in acks.items():
            decisions = [e for e in service.instance_events(s, UUID(iid))
                         if isinstance(e, TaskDecided) and e.node == "buyer_check"]
            assert len(decisions) == 1, decisions
            assert acked == {(decisions[0].actor, acked.copy().pop()[1])}
            assert service.get_instance(s, UUID(iid)).node == "manager_approval"
    assert w.check() == []
    return outcomes


@pytest.mark.parametrize("keyed", [False, True], ids=["plain", "idempotency-key"])
def test_threads_race_for_the_same_any_step(world: World, keyed: bool) -> None:
    n = 12
    plans = _plans(world, n, ACTORS)
    barrier = threading.Barrier(len(plans))
    with ThreadPoolExecutor(len(plans)) as pool:
        futures = [pool.submit(decide_all, world.db, world.org, plan, actor,
                               keyed and actor == "bob", barrier) for actor, plan in plans]
        results = [r for f in futures for r in f.result()]
    outcomes = _verify(world, results, n)
    if keyed:  # bob's twin clicks agree: both acknowledged, or both lost
        by_instance = defaultdict(list)
        for (actor, _), chunk in zip(plans, (f.result() for f in futures), strict=True):
            for iid, outcome, _, seq in chunk:
                if actor == "bob":
                    by_instance[iid].append((outcome, seq))
        for pair in by_instance.values():
            assert pair[0] == pair[1] or {pair[0][0], pair[1][0]} <= LOSSES
    assert outcomes["ok"] >= n


def test_processes_race_for_the_same_any_step(world: World) -> None:
    n = 10
    plans = _plans(world, n, ("bob", "bob", "cat", "dan"))
    # forkserver: one clean (single-threaded) server imports the engine once, then each
    # worker is a cheap fork of it; no connection of this process is inherited.
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["tests.store.workers"])
    barrier = ctx.Barrier(len(plans))
    queue = ctx.Queue()
    procs = [ctx.Process(target=process_main, args=(world.url, str(FIXTURES / "org.yaml"),
                                                     plan, actor, False, barrier, queue))
             for actor, plan in plans]
    for p in procs:
        p.start()
    results = [r for _ in procs for r in queue.get(timeout=120)]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    outcomes = _verify(world, results, n)
    assert outcomes["ok"] == n  # no idempotency keys: exactly one winner each


def test_a_start_retried_in_parallel_makes_one_instance(world: World) -> None:
    barrier = threading.Barrier(6)

    def start() -> UUID:
        barrier.wait()
        return world.start("chairs", idempotency_key="start-once").id

    with ThreadPoolExecutor(6) as pool:
        ids = {f.result() for f in [pool.submit(start) for _ in range(6)]}
    assert len(ids) == 1
    with world.db.session(write=False) as s:
        assert service.list_instances(s, "ann", "mine")[1] == 1
    assert world.check() == []


def test_app_processes_syncing_definitions_at_once_store_one_version(db: Database) -> None:
    org = read_org(FIXTURES / "org.yaml")
    with db.session() as s:
        service.save_directory(s, org)
        s.commit()
    barrier = threading.Barrier(4)

    def sync(db: Database) -> list[int]:
        barrier.wait()
        with db.session() as s:
            return [d.version for d in service.sync_definitions(s, FIXTURES, org, now=T0)]

    others = [open_database(db.url) for _ in range(3)]  # like separate app processes
    try:
        with ThreadPoolExecutor(4) as pool:
            versions = [f.result() for f in [pool.submit(sync, d) for d in [db, *others]]]
    finally:
        for d in others:
            d.dispose()
    assert versions == [[1]] * 4
    with db.session(write=False) as s:
        assert service.DbCatalog(s).versions("purchase") == [1]


def test_check_on_a_live_database_sees_one_consistent_snapshot(world: World) -> None:
    starts = [world.start(f"item {i}") for i in range(15)]
    stop = threading.Event()

    def approve_all() -> None:
        for s in starts:
            world.on_task(DecideTask(task_id=pending(s, "bob")[0].task_id, actor="bob",
                                     action="approve"), T0)
        stop.set()

    writer = threading.Thread(target=approve_all)
    writer.start()
    reports = []
    while not stop.is_set():
        reports.append(world.check())
    writer.join()
    reports.append(world.check())
    assert all(r == [] for r in reports), reports
