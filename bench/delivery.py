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
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from bench import org
from bench.harness import ROOT, Results, eprint
from bench.org import ORG
from engine import service
from engine.core import commands as cmds
from engine.store import OutboxRow, open_database

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
CLIENTS = 16  # threads running the commands the load offers
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


def run(res: Results, per_second: float = 100.0, seconds: float = 5.0) -> None:
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        res.skip("delivery", "aiosmtpd is not installed (the dev extra)")
        return
    url = org.fresh("ping", DEFINITION, datetime.now(UTC), {"bob": ["email"], "ann": ["app"]})
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
    def start(n: int) -> None:
        with db.session() as s:
            iid = service.start(s, service.DbCatalog(s), ORG, cmds.StartInstance(
                definition_key="ping", initiator="ann", data={"n": n}), datetime.now(UTC)).id
        if n >= 0:  # not the warm-up
            committed[iid] = time.perf_counter()  # the command returned: committed

    clients = ThreadPoolExecutor(CLIENTS, "load")
    try:
        start(-1)  # warm-up: measure only once the worker has delivered a first mail
        deadline = time.perf_counter() + 120
        while not inbox.received and time.perf_counter() < deadline:
            time.sleep(0.05)
        warm = set(inbox.received)
        total = int(per_second * seconds)
        t0 = time.perf_counter()
        # open loop: request n is offered at t0 + n / rate whatever the earlier ones do
        # (CLIENTS threads run them), so the rate offered is the rate asked for
        done = []
        for n in range(total):
            due = t0 + n / per_second
            if (wait := due - time.perf_counter()) > 0:
                time.sleep(wait)
            done.append(clients.submit(start, n))
        offered = total / (time.perf_counter() - t0)
        for f in done:
            f.result()
        achieved = total / (max(committed.values()) - t0)  # commits per second
        deadline = time.perf_counter() + 60
        while len(inbox.received) < total + len(warm) and time.perf_counter() < deadline:
            time.sleep(0.1)
        table = OutboxRow.__table__  # type: ignore[attr-defined]
        with db.session(write=False) as s:
            rows = s.connection().execute(sa.select(table.c.id, table.c.payload).where(
                table.c.kind == "task_assigned")).all()
    finally:
        clients.shutdown()
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
    eprint(f"   delivery: {len(latencies)} mails, {offered:.0f}/s offered, "
           f"{achieved:.0f} commits/s, "
           f"p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, missing {lost}")
    res.add("delivery.pg.commit_to_smtp_p50_ms", "ms", p50 * 1000)
    res.add("delivery.pg.commit_to_smtp_p99_ms", "ms", p99 * 1000,
            note=f"{offered:.0f} requests/s offered, {achieved:.0f} commits/s, "
                 "signoff worker in its own process")
    res.target("delivery: p99 from commit to the SMTP server under 1 s at 100 messages/s",
               p99 * 1000, 1000, higher_is_better=False, unit="ms")
    res.findings.append(f"delivery: {len(latencies)} of {total} mails received, "
                        f"{lost} missing after 60 s")


__all__ = ["run"]
