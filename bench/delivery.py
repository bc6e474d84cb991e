"""Delivery latency: from a command's commit to the SMTP server receiving the mail it
caused, on PostgreSQL, with ``signoff worker`` in its own process and a real SMTP server
(aiosmtpd) on localhost.

The load starts requests at a fixed rate (100 per second by default) for a few seconds;
each assigns a task to ``bob``, whose preferences send e-mail, so each commit writes one
``task_assigned`` outbox row (and wakes the worker through ``NOTIFY``). The latency of a
mail is the time the SMTP server accepted it minus the time the command returned after
its commit, matched through the outbox id the mail carries in its ``Message-ID``.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from bench import dbs
from bench.harness import ROOT, Results, eprint
from engine import service
from engine.core import commands as cmds
from engine.core.directory import OrgDirectory, User
from engine.store import OutboxRow, open_database
from engine.store.messaging_tables import UserPreference

DEFINITION = """
key: ping
title: Ping
form: {type: object, properties: {n: {type: integer}}}
start: check
nodes:
  check:
    approvers: {user: bob}
    on: {approve: done}
  done: {final: approved}
"""
ORG = OrgDirectory(users={"ann": User("ann", "Ann", manager="bob"),
                          "bob": User("bob", "Bob", email="bob@example.com")})
_ID = re.compile(r"<([0-9a-f-]{36})@")


class _Inbox:
    def __init__(self) -> None:
        self.received: dict[str, float] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        now = time.perf_counter()
        raw = envelope.original_content or envelope.content
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        found = _ID.search(text.split("\r\n\r\n", 1)[0])
        if found:
            with self.lock:
                self.received.setdefault(found.group(1), now)
        return "250 OK"


def _setup() -> str:
    url = dbs.fresh("postgresql")
    db = open_database(url)
    folder = Path(tempfile.mkdtemp(prefix="signoff-delivery-"))
    (folder / "ping.yaml").write_text(DEFINITION, encoding="utf-8")
    now = datetime.now(UTC)
    try:
        with db.session() as s:
            service.save_directory(s, ORG)
            s.commit()
            service.sync_definitions(s, folder, ORG, actor="bench", now=now)
            s.add(UserPreference(username="bob", channels=["email"], updated_at=now))
            s.add(UserPreference(username="ann", channels=["app"], updated_at=now))
            s.commit()
    finally:
        db.dispose()
    return url


def run(res: Results, per_second: float = 100.0, seconds: float = 5.0) -> None:
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        res.skip("delivery", "aiosmtpd is not installed (the dev extra)")
        return
    url = _setup()
    inbox = _Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd cannot start on port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    env = {**os.environ, "SIGNOFF_DATABASE_URL": url, "SIGNOFF_SMTP_HOST": "127.0.0.1",
           "SIGNOFF_SMTP_PORT": str(port), "SIGNOFF_SMTP_FROM": "Signoff <s@example.com>"}
    worker = subprocess.Popen([sys.executable, "-m", "api.cli", "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = open_database(url)
    committed: dict[UUID, float] = {}
    def start(n: int) -> UUID:
        with db.session() as s:
            return service.start(s, service.DbCatalog(s), ORG, cmds.StartInstance(
                definition_key="ping", initiator="ann", data={"n": n}), datetime.now(UTC)).id

    try:
        start(-1)  # warm-up: measure only once the worker has delivered a first mail
        deadline = time.perf_counter() + 120
        while not inbox.received and time.perf_counter() < deadline:
            time.sleep(0.05)
        warm = set(inbox.received)
        total = int(per_second * seconds)
        t0 = time.perf_counter()
        for n in range(total):
            due = t0 + n / per_second
            if (wait := due - time.perf_counter()) > 0:
                time.sleep(wait)
            iid = start(n)
            committed[iid] = time.perf_counter()
        offered = total / (time.perf_counter() - t0)
        deadline = time.perf_counter() + 60
        while len(inbox.received) < total + len(warm) and time.perf_counter() < deadline:
            time.sleep(0.1)
        table = OutboxRow.__table__  # type: ignore[attr-defined]
        with db.session(write=False) as s:
            rows = s.connection().execute(sa.select(table.c.id, table.c.payload).where(
                table.c.kind == "task_assigned")).all()
    finally:
        worker.terminate()
        worker.wait(30)
        smtp.stop()
        db.dispose()
    latencies = sorted(inbox.received[str(oid)] - committed[UUID(p["data"]["instance_id"])]
                       for oid, p in rows if str(oid) in inbox.received
                       and UUID(p["data"]["instance_id"]) in committed)
    lost = total - len(latencies)
    if not latencies:
        res.skip("delivery", "no mail arrived")
        return
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
    p50 = latencies[len(latencies) // 2]
    eprint(f"   delivery: {len(latencies)} mails at {offered:.0f}/s offered, "
           f"p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, missing {lost}")
    res.add("delivery.pg.commit_to_smtp_p50_ms", "ms", p50 * 1000)
    res.add("delivery.pg.commit_to_smtp_p99_ms", "ms", p99 * 1000,
            note=f"{offered:.0f} commits/s offered, signoff worker in its own process")
    res.target("delivery: p99 from commit to the SMTP server under 1 s at 100 messages/s",
               p99 * 1000, 1000, higher_is_better=False, unit="ms")
    res.findings.append(f"delivery: {len(latencies)} of {total} mails received, "
                        f"{lost} missing after 60 s")


__all__ = ["run"]
