"""Timers: how many due timers the worker fires per second on PostgreSQL, with 1 and 2
worker processes, next to a raw ``SELECT ... FOR UPDATE SKIP LOCKED`` claim loop on the
same ``timer`` table (the database's limit for claiming alone).

Each measurement gets a fresh schema holding ``n`` running requests whose one reminder
is due (written in bulk, then ``service.schedule_timers``; the org set-up is
``bench.org``'s). A Signoff worker fires each timer as a command (``engine.firing``):
it claims a batch of 100 rows, loads their histories in one query, decides each
``FireTimer`` with the core, and writes the ``reminder_sent`` events, the projection
changes, the timer rows and the reminders' notification and outbox rows a statement (or
a ``COPY``) per table; one commit per batch. The raw loop claims 100 rows and deletes
them, one commit per batch, through psycopg with nothing else. The floor writes what the
worker writes for these timers (per timer a ``reminder_sent`` event, a notification and an
e-mail outbox row, the instance's ``seq`` and ``updated_at``, the timer row gone; payloads
of the same fields) in one SQL statement per batch built by the server from the claimed
rows, with no Python work per row: what any implementation writing these rows costs on
this database. All run in spawned processes that start at a barrier.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from bench import org
from bench.harness import Results, eprint, rate
from bench.org import ORG
from engine import service
from engine.core import commands as cmds
from engine.core.decide import decide
from engine.core.loader import load_definition
from engine.store import messaging, open_database
from engine.store.definitions import DbCatalog

DEFINITION = """
key: chase
title: Chase
form: {type: object, properties: {n: {type: integer}}}
start: check
nodes:
  check:
    approvers: {user: bob}
    sla: 1h
    remind: [{at: due}]
    on: {approve: done}
  done: {final: approved}
"""
NOW = datetime.now(UTC).replace(microsecond=0)
BATCH = 100


def _setup(n: int) -> str:
    past = NOW - timedelta(hours=2)
    url = org.fresh("chase", DEFINITION, past)
    defn = load_definition(DEFINITION, "chase.yaml", ORG)
    db = open_database(url)
    try:
        histories = [decide(defn, None, cmds.StartInstance(
            definition_key="chase", initiator="ann", data={"n": i}), past, ORG)
            for i in range(n)]
        with db.session() as s:
            service.append_histories(s, histories)
        with db.session() as s:
            service.schedule_timers(s, service.DbCatalog(s))
    finally:
        db.dispose()
    return url


def _signoff(url: str, barrier: Any, out: Any) -> None:
    from engine.worker import Worker
    db = open_database(url)
    worker = Worker(db, batch=BATCH)
    worker.directory()  # connect and warm up before the clock starts: the directory,
    messaging.calendar_of(db.engine)  # the org calendar (holiday tables) and the definition
    with db.session(write=False) as session:
        DbCatalog(session).get("chase")
    barrier.wait()
    t0 = time.perf_counter()
    fired = worker.fire_timers(NOW)
    out.put((fired, time.perf_counter() - t0))
    db.dispose()


def _psycopg_loop(url: str, barrier: Any, out: Any, batch: Callable[[Any], int]) -> None:
    """Run ``batch(conn)`` (rows handled), a transaction each, through psycopg until one
    handles fewer than ``BATCH``; put (rows, seconds) on ``out``."""
    import psycopg
    conninfo = sa.make_url(url).set(drivername="postgresql").render_as_string(
        hide_password=False)
    handled = 0
    with psycopg.connect(conninfo) as conn:
        barrier.wait()
        t0 = time.perf_counter()
        while True:
            with conn.transaction():
                done = batch(conn)
            handled += done
            if done < BATCH:
                break
        out.put((handled, time.perf_counter() - t0))


def _raw_batch(conn: Any) -> int:
    rows = conn.execute("SELECT task_id, timer FROM timer WHERE due_at <= %s ORDER BY due_at "
                        "LIMIT %s FOR UPDATE SKIP LOCKED", (NOW, BATCH)).fetchall()
    if rows:
        conn.cursor().executemany("DELETE FROM timer WHERE task_id = %s AND timer = %s", rows)
    return len(rows)


def _raw(url: str, barrier: Any, out: Any) -> None:
    _psycopg_loop(url, barrier, out, _raw_batch)


# The floor: the worker's writes for a batch of plain reminders, claimed and built by the
# server in one statement (md5 ids stand in for the worker's uuid5 ones).
_FLOOR = """
WITH c AS (
  SELECT t.task_id, t.timer, t.instance_id, t.due_at, k.node, k.assignee, i.seq, i.title,
         i.number, i.initiator, i.definition_key
  FROM timer t JOIN task k ON k.id = t.task_id JOIN instance i ON i.id = t.instance_id
  WHERE t.due_at <= %(now)s ORDER BY t.due_at LIMIT %(limit)s FOR UPDATE OF t SKIP LOCKED),
d AS (DELETE FROM timer USING c WHERE timer.task_id = c.task_id AND timer.timer = c.timer),
u AS (UPDATE instance SET seq = instance.seq + 1, updated_at = %(now)s FROM c
      WHERE instance.id = c.instance_id),
e AS (INSERT INTO event_log (instance_id, seq, kind, payload, at)
      SELECT instance_id, seq + 1, 'reminder_sent', json_build_object(
        'task_id', task_id, 'node', node, 'timer', timer, 'scheduled_at', due_at,
        'skipped', json_build_array(), 'recipients', json_build_array(assignee), '_v', 1),
        %(now)s FROM c),
m AS (SELECT c.*, md5(task_id::text || timer || 'n')::uuid AS nid,
             md5(task_id::text || timer || 'o')::uuid AS oid,
             json_build_object('instance_id', instance_id, 'request_title', title,
        'request_title_zh', title, 'request_number', number, 'definition_key',
        definition_key, 'process', 'Chase', 'process_zh', 'Chase', 'initiator', initiator,
        'path', '/tasks/' || task_id, 'at', %(now)s, 'node', node, 'step', 'Check',
        'step_zh', 'Check', 'task_id', task_id, 'due', due_at, 'timer', timer) AS data
      FROM c),
n AS (INSERT INTO notification (id, username, kind, instance_id, payload, created_at)
      SELECT nid, assignee, 'reminder', instance_id, data, %(now)s FROM m),
o AS (INSERT INTO outbox (id, kind, recipient, channel, payload, created_at, attempts,
                          next_attempt_at, status)
      SELECT oid, 'reminder', assignee, 'email', json_build_object('id', oid, 'kind',
        'reminder', 'created_at', %(now)s, 'recipient', json_build_object('user_id',
        assignee, 'name', 'Bob', 'email', 'bob@example.com', 'language', 'en', 'timezone',
        'Asia/Shanghai'), 'data', data, 'digest', false), %(now)s, 0, %(now)s, 'pending'
      FROM m)
SELECT count(*) FROM c
"""


def _floor_batch(conn: Any) -> int:
    row = conn.execute(_FLOOR, {"now": NOW, "limit": BATCH}).fetchone()
    done = int(row[0]) if row else 0
    if done:  # as the worker wakes the deliveries
        conn.execute("SELECT pg_notify('signoff_bench_floor', '')")
    return done


def _floor(url: str, barrier: Any, out: Any) -> None:
    _psycopg_loop(url, barrier, out, _floor_batch)


def _measure(target: Any, processes: int, n: int) -> float:
    """Timers handled per second by ``processes`` processes (wall time of the slowest)."""
    url = _setup(n)
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(processes), ctx.Queue()
    procs = [ctx.Process(target=target, args=(url, barrier, out)) for _ in range(processes)]
    for p in procs:
        p.start()
    results = [out.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(60)
    done = sum(r[0] for r in results)
    if done != n:
        raise AssertionError(f"{target.__name__}: {done} timers handled, {n} were due")
    return rate(done, max(r[1] for r in results))


def run(res: Results, n: int, repeats: int) -> None:
    for _ in range(repeats):
        for workers in (1, 2):
            eprint(f"   timers: {n} due, {workers} worker(s)")
            res.add(f"timers.pg.fired_per_s.{workers}w", "timers/s", _measure(_signoff, workers, n),
                    note="worker.fire_timers: a command per timer, 100 per transaction")
            res.add(f"timers.pg.raw_claim_per_s.{workers}w", "rows/s", _measure(_raw, workers, n),
                    note="SELECT ... FOR UPDATE SKIP LOCKED LIMIT 100 + DELETE, psycopg")
            res.add(f"timers.pg.floor_per_s.{workers}w", "timers/s", _measure(_floor, workers, n),
                    note="the worker's rows for these timers, one server-built statement "
                         "per batch of 100, no Python per row")
    for workers in (1, 2):
        value = res.ratio(f"timers.pg.fired_per_s.{workers}w",
                          f"timers.pg.raw_claim_per_s.{workers}w")
        res.target(f"timers fired / raw SKIP LOCKED claims, {workers} worker(s)", value, 0.5)
        res.ratio(f"timers.pg.floor_per_s.{workers}w", f"timers.pg.raw_claim_per_s.{workers}w")
        res.ratio(f"timers.pg.fired_per_s.{workers}w", f"timers.pg.floor_per_s.{workers}w")
    res.ratio("timers.pg.fired_per_s.2w", "timers.pg.fired_per_s.1w")


__all__ = ["run"]
