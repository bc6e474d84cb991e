"""Two API processes and two workers on one PostgreSQL database, as deployed: two
``signoff serve --no-worker`` processes take the requests over HTTP, two ``signoff
worker`` processes fire the 1,000 reminders that come due (two per request) and mail
them to a real SMTP server (aiosmtpd) on localhost.

Each reminder reaches the SMTP server exactly once; when a worker is killed with
SIGKILL inside a batch five times (seen in ``pg_locks``: its transaction holds claimed
rows), twice firing timers and three times mailing, nothing is lost and a mail arrives
twice only with the same ``Message-ID``.

The workers run with ``--ahead 7200`` (their clock two hours ahead of the API's), so a
reminder of a request just started through the API is due for them at once.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from engine.store import Database, OutboxRow, open_database
from engine.store.messaging_tables import UserPreference
from tests.conftest import ROOT
from tests.notify.conftest import start_smtp
from tests.notify.servers import Mailbox, free_port

pytestmark = [pytest.mark.slow, pytest.mark.pg]

INSTANCES = 500  # two reminders each: 1,000 timers
AHEAD = 7200  # the workers' clock, seconds ahead of the API's
PASSWORD = "worker-test-password"
SECRET = "worker-test-secret-" + "x" * 32
ORG = """
users:
  - {username: boss, name: Big Boss, email: boss@example.com, roles: [], is_admin: true}
  - {username: ann, name: Ann Asker, manager: boss, email: ann@example.com, roles: []}
  - {username: bob, name: Bob Buyer, manager: boss, email: bob@example.com, roles: []}
"""
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


@dataclass
class Cluster:
    url: str
    db: Database
    folder: Path
    apis: list[str]  # base URLs of the two API processes
    mailbox: Mailbox
    smtp_port: int
    token: str = ""

    def worker(self, name: str = "signoff-worker") -> subprocess.Popen[bytes]:
        """``signoff worker`` mailing through the test's SMTP server; its database
        sessions carry ``name`` as their application name."""
        env = {**os.environ, "PGAPPNAME": name, "SIGNOFF_DATABASE_URL": self.url,
               "SIGNOFF_SMTP_HOST": "127.0.0.1", "SIGNOFF_SMTP_PORT": str(self.smtp_port),
               "SIGNOFF_SMTP_FROM": "Signoff <signoff@example.com>"}
        log = (self.folder / "worker.log").open("ab")
        return subprocess.Popen([sys.executable, "-m", "api.cli", "worker", "--ahead",
                                 str(AHEAD)], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT)


def _serve(url: str, folder: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SIGNOFF_JWT_SECRET": SECRET, "SIGNOFF_UI_DIST": str(folder / "none"),
           "SIGNOFF_STATE_DIR": str(folder / "state")}
    log = (folder / f"serve-{port}.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--no-worker", "--port", str(port),
         "--db", url, "--definitions", str(folder / "defs")],
        cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _healthy(base: str, proc: subprocess.Popen[bytes], folder: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"signoff serve exited {proc.returncode}: "
                                 + "".join(p.read_text() for p in folder.glob("serve-*.log")))
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise AssertionError(f"{base} did not become healthy in 120 s")


@pytest.fixture
def cluster(pg_url: str, tmp_path: Path) -> Iterator[Cluster]:
    from rich.console import Console

    from api.prepare import prepare
    from api.settings import Settings
    from api.tokens import hash_password
    from engine.store import AppUser

    defs = tmp_path / "defs"
    defs.mkdir()
    (defs / "org.yaml").write_text(ORG, encoding="utf-8")
    (defs / "chase.yaml").write_text(DEFINITION, encoding="utf-8")
    prepare(Settings(_env_file=None, database_url=pg_url, definitions_dir=defs,
                     state_dir=tmp_path / "state", jwt_secret=SECRET),
            console=Console(quiet=True), seed_history=False)
    db = open_database(pg_url)
    now = datetime.now(UTC)
    with db.session() as s:
        ann = s.get(AppUser, "ann")
        assert ann is not None
        ann.password_hash = hash_password(PASSWORD)
        s.add(ann)
        s.add(UserPreference(username="bob", channels=["email"], updated_at=now))
        s.add(UserPreference(username="ann", channels=["app"], updated_at=now))
        s.commit()
    controller: Controller
    mailbox = Mailbox(delay=0.004)  # a mail takes a moment, so a kill lands mid-batch
    controller, mailbox, smtp_port = start_smtp(mailbox)
    ports = [free_port(), free_port()]
    servers = [_serve(pg_url, tmp_path, port) for port in ports]
    try:
        apis = [f"http://127.0.0.1:{port}" for port in ports]
        for base, proc in zip(apis, servers, strict=True):
            _healthy(base, proc, tmp_path)
        found = Cluster(pg_url, db, tmp_path, apis, mailbox, smtp_port)
        r = httpx.post(f"{apis[0]}/api/auth/login",
                       json={"username": "ann", "password": PASSWORD}, timeout=30)
        r.raise_for_status()
        found.token = str(r.json()["access_token"])
        yield found
    finally:
        for proc in servers:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(30)
        controller.stop()
        db.dispose()


def _start_requests(cluster: Cluster) -> None:
    """Start INSTANCES requests as ann, alternating between the two API processes."""
    clients = [httpx.Client(base_url=base, timeout=60, headers={
        "Authorization": f"Bearer {cluster.token}"}) for base in cluster.apis]

    def start(n: int) -> None:
        r = clients[n % 2].post("/api/instances", headers={"Idempotency-Key": f"chase-{n}"},
                                json={"definition": "chase", "data": {"n": n}})
        assert r.status_code == 201, r.text

    try:
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(start, range(INSTANCES)))
    finally:
        for c in clients:
            c.close()


def _outbox(db: Database, kind: str) -> dict[str, str]:
    """Outbox id -> status of every message of ``kind``."""
    table = OutboxRow.__table__  # type: ignore[attr-defined]
    with db.session(write=False) as s:
        rows = s.connection().execute(sa.select(table.c.id, table.c.status).where(
            table.c.kind == kind)).all()
    return {str(i): status for i, status in rows}


def _fired(db: Database) -> Counter[tuple[str, str]]:
    log = sa.table("event_log", sa.column("kind"), sa.column("payload", sa.JSON))
    with db.session(write=False) as s:
        rows = s.connection().execute(sa.select(log.c.payload).where(
            log.c.kind == "reminder_sent")).all()
    return Counter((p["task_id"], p["timer"]) for (p,) in rows)


def _mails(mailbox: Mailbox, kind: str | None = None) -> list[EmailMessage]:
    with mailbox.lock:
        mails = list(mailbox.mails)
    return [m for m in mails if kind is None or m["X-Signoff-Kind"] == kind]


def _all_sent(cluster: Cluster) -> bool:
    reminders = _outbox(cluster.db, "reminder")
    return len(reminders) == 2 * INSTANCES and set(reminders.values()) == {"sent"}


def _wait(until: Callable[[], bool], cluster: Cluster, seconds: float = 240.0) -> None:
    deadline = time.monotonic() + seconds
    while not until():
        if time.monotonic() > deadline:
            raise AssertionError("the workers did not finish in time: " + "".join(
                p.read_text(errors="replace")[-3000:] for p in cluster.folder.glob("*.log")))
        time.sleep(0.2)


def _stop(workers: list[subprocess.Popen[bytes]]) -> None:
    for w in workers:
        w.send_signal(signal.SIGTERM)
    for w in workers:
        w.wait(30)


def _check(cluster: Cluster) -> Counter[str]:
    """Every reminder fired once and reached the SMTP server under its outbox id, and
    every mail received is an outbox message; the count of mails per Message-ID."""
    fired = _fired(cluster.db)
    assert len(fired) == 2 * INSTANCES and set(fired.values()) == {1}
    reminders = _outbox(cluster.db, "reminder")
    assert len(reminders) == 2 * INSTANCES and set(reminders.values()) == {"sent"}
    mails = _mails(cluster.mailbox)
    ids = Counter(str(m["X-Signoff-Message-Id"]) for m in mails)
    for m in mails:  # the Message-ID is the outbox id, the idempotency id
        assert str(m["Message-ID"]).startswith(f"<{m['X-Signoff-Message-Id']}@")
    received = {str(m["X-Signoff-Message-Id"]) for m in _mails(cluster.mailbox, "reminder")}
    assert received == set(reminders)  # each reminder arrived; no reminder invented
    known = set(reminders) | set(_outbox(cluster.db, "task_assigned"))
    assert set(ids) == known  # the assignments too, and nothing else
    assert all(m["To"] == "Bob Buyer <bob@example.com>" for m in mails)
    return ids


def test_two_apis_two_workers_mail_each_reminder_once(cluster: Cluster) -> None:
    workers = [cluster.worker() for _ in range(2)]
    try:
        _start_requests(cluster)  # the workers fire while the API processes write
        _wait(lambda: _all_sent(cluster) and len(_outbox(cluster.db, "task_assigned")) == INSTANCES
              and set(_outbox(cluster.db, "task_assigned").values()) == {"sent"}, cluster)
    finally:
        _stop(workers)
    ids = _check(cluster)
    assert max(ids.values()) == 1  # no crash: every mail exactly once


def _holding(db: Database, name: str, table: str) -> bool:
    """Whether the worker ``name`` is inside a batch: its transaction holds rows of
    ``table`` claimed ``FOR UPDATE`` (a ROW SHARE lock on the table)."""
    with db.session(write=False) as s:
        return bool(s.connection().execute(sa.text(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "JOIN pg_class c ON c.oid = l.relation WHERE a.application_name = :n "
            "AND c.relname = :t AND l.mode = 'RowShareLock'"), {"n": name, "t": table}
        ).scalar_one())


def test_kill_9_mid_batch_loses_nothing(cluster: Cluster) -> None:
    _start_requests(cluster)
    assert not _mails(cluster.mailbox)  # nothing runs the timers yet
    workers: list[subprocess.Popen[bytes]] = []
    try:
        # a worker is killed five times inside a batch: twice while it fires a batch of
        # timers, three times while it mails a batch of messages
        for kill, table in enumerate(["timer", "timer", "outbox", "outbox", "outbox"]):
            name = f"victim-{kill}"
            victim = cluster.worker(name)
            workers.append(victim)
            deadline = time.monotonic() + 240
            while True:
                assert victim.poll() is None and time.monotonic() < deadline, \
                    f"worker {kill} never held a batch of {table}"
                if not _holding(cluster.db, name, table):
                    time.sleep(0.01)
                    continue
                if table == "timer":
                    break
                seen = len(_mails(cluster.mailbox))  # a mailing batch: wait for its first
                while (len(_mails(cluster.mailbox)) < seen + 3  # mails (it alone runs)
                       and time.monotonic() < deadline):
                    time.sleep(0.002)
                if _holding(cluster.db, name, table):  # still inside that batch
                    break
            victim.kill()  # SIGKILL: no cleanup; its claims die with its connection
            victim.wait(30)
        workers = [cluster.worker() for _ in range(2)]  # two workers finish the work
        _wait(lambda: _all_sent(cluster), cluster)
        _wait(lambda: set(_outbox(cluster.db, "task_assigned").values()) == {"sent"}, cluster)
    finally:
        _stop([w for w in workers if w.poll() is None])
    ids = _check(cluster)
    repeats = {i: n for i, n in ids.items() if n > 1}
    assert repeats  # the kills landed mid-delivery: some mails went again...
    for message_id in repeats:  # ...as the very same mail
        copies = [m for m in _mails(cluster.mailbox)
                  if m["X-Signoff-Message-Id"] == message_id]
        assert len({m.as_bytes() for m in copies}) == 1
