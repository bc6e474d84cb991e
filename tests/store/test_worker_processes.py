"""Several worker processes on one PostgreSQL database: 1,000 timers come due, each
reminder is fired, written to the outbox and delivered exactly once (a real local HTTP
receiver counts the webhook ids); kill -9 of workers mid-batch loses nothing and repeats
only with the same message id."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from engine import service
from engine.core import commands as cmds
from engine.core.directory import load_directory as read_org
from engine.store import Database, OutboxRow, open_database, upgrade
from engine.store.messaging_tables import UserPreference
from tests.conftest import ROOT
from tests.notify.conftest import receiver  # noqa: F401  (real local HTTP receivers)
from tests.notify.servers import HttpReceiver, Received, Responder
from tests.store.conftest import FIXTURES

INSTANCES = 500  # two reminders each: 1,000 timers
DEFINITION = """
key: chase
title: Chase
form: {type: object, properties: {n: {type: integer}}}
start: check
nodes:
  check:
    approvers: {user: bob}
    sla: 1h
    remind: [{before: 30m}, {at: due}]
    on: {approve: done}
  done: {final: approved}
"""


@pytest.fixture
def chase(pg_url: str, tmp_path: Path) -> Iterator[Database]:
    folder = tmp_path / "defs"
    folder.mkdir()
    shutil.copy(FIXTURES / "org.yaml", folder / "org.yaml")
    (folder / "chase.yaml").write_text(DEFINITION, encoding="utf-8")
    upgrade(pg_url)
    db = open_database(pg_url)
    org = read_org(folder / "org.yaml")
    past = datetime.now(UTC) - timedelta(hours=2)  # every timer is due already
    with db.session() as s:
        service.save_directory(s, org)
        s.commit()
        service.sync_definitions(s, folder, org, actor="owner", now=past)
        s.add(UserPreference(username="bob", channels=["app", "webhook"], updated_at=past))
        s.commit()
    for n in range(INSTANCES):
        with db.session() as s:
            service.start(s, service.DbCatalog(s), org, cmds.StartInstance(
                definition_key="chase", initiator="ann", data={"n": n}), past)
    yield db
    db.dispose()


def _worker(url: str, hook: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SIGNOFF_WEBHOOK_URL": hook, "SIGNOFF_DATABASE_URL": url}
    return subprocess.Popen([sys.executable, "-m", "api.cli", "worker"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _reminders(db: Database) -> dict[str, int]:
    table = OutboxRow.__table__  # type: ignore[attr-defined]
    with db.session(write=False) as s:
        rows = s.connection().execute(sa.select(table.c.status, sa.func.count()).where(
            table.c.kind == "reminder").group_by(table.c.status)).all()
    return {status: int(n) for status, n in rows}


def _wait(until: Callable[[], bool], seconds: float = 240.0) -> None:
    deadline = time.monotonic() + seconds
    while not until():
        if time.monotonic() > deadline:
            raise AssertionError("the workers did not finish in time")
        time.sleep(0.2)


def _fired(db: Database) -> Counter[tuple[str, str]]:
    log = sa.table("event_log", sa.column("kind"), sa.column("payload", sa.JSON))
    with db.session(write=False) as s:
        rows = s.connection().execute(sa.select(log.c.payload).where(
            log.c.kind == "reminder_sent")).all()
    return Counter((p["task_id"], p["timer"]) for (p,) in rows)


def _check(db: Database, hook: HttpReceiver) -> None:
    fired = _fired(db)
    assert len(fired) == 2 * INSTANCES and set(fired.values()) == {1}
    assert _reminders(db) == {"sent": 2 * INSTANCES}
    ids = Counter(r.headers["webhook-id"] for r in hook.requests
                  if json.loads(r.body)["type"].endswith("reminder"))
    assert len(ids) == 2 * INSTANCES  # each reminder reached the receiver
    table = OutboxRow.__table__  # type: ignore[attr-defined]
    with db.session(write=False) as s:
        known = {str(i) for (i,) in s.connection().execute(sa.select(table.c.id))}
    assert set(ids) <= known  # a repeat is only ever the same message id


def test_two_workers_deliver_each_reminder_once(
        chase: Database, pg_url: str,
        receiver: Callable[[Responder], HttpReceiver]) -> None:  # noqa: F811
    hook = receiver(lambda r: (200, {}, b"ok"))
    workers = [_worker(pg_url, hook.url) for _ in range(2)]
    try:
        _wait(lambda: _reminders(chase).get("sent", 0) == 2 * INSTANCES)
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            w.wait(30)
    _check(chase, hook)
    ids = Counter(r.headers["webhook-id"] for r in hook.requests)
    assert max(ids.values()) == 1  # no crash here: nothing was sent twice


def test_kill_9_mid_batch_loses_nothing(
        chase: Database, pg_url: str,
        receiver: Callable[[Responder], HttpReceiver]) -> None:  # noqa: F811
    def slow(_: Received) -> tuple[int, dict[str, str], bytes]:
        time.sleep(0.01)  # deliveries take a while, so a kill lands inside a batch
        return 200, {}, b"ok"

    hook = receiver(slow)
    for _ in range(5):
        seen = len(hook.requests)
        victim = _worker(pg_url, hook.url)
        _wait(lambda seen=seen: len(hook.requests) >= seen + 40  # type: ignore[misc]
              or _reminders(chase).get("sent", 0) == 2 * INSTANCES)
        victim.kill()  # SIGKILL: no cleanup, its claims die with its connection
        victim.wait(30)
    workers = [_worker(pg_url, hook.url) for _ in range(2)]
    try:
        _wait(lambda: _reminders(chase).get("sent", 0) == 2 * INSTANCES)
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            w.wait(30)
    _check(chase, hook)
