"""The crash test: ``kill -9`` of ``signoff serve`` mid-load, again and again, loses and
doubles nothing.

    python -m bench.crash --db sqlite --kills 30 --clients 4
    python -m bench.crash --db postgresql --kills 30 --clients 4 --workers 2

Each round starts ``signoff serve`` on the same database and lets several clients load
it: some start store-opening requests as the requester, the others approve the regional
director's tasks, every request with an ``Idempotency-Key``. After a random amount of
acknowledged work the whole server process group gets SIGKILL, mid-request. A request
whose answer was lost is retried with the same key in a later round (as a client would).
At the end, ``signoff db check`` must be clean, and in the event log every acknowledged
decision appears exactly once, no task is decided twice, and no request was started
twice. tests/bench/test_crash.py runs it with small counts on both databases.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from bench.harness import ROOT
from bench.servers import HOST, free_port

REQUESTER, APPROVER = "xu.ming", "zhao.lei"  # zhao.lei reviews xu.ming's store openings
PASSWORD = "crash-test-password"
SECRET = "crash-test-secret-" + "x" * 32
STORE = {"city": "Shanghai", "address": "1 Test Road", "monthly_rent": 30000,
         "lease_years": 5, "opening_date": "2027-06-01", "area_sqm": 120,
         "legal_contact": "song.qian"}


@dataclass
class Outcome:
    kills: int = 0
    decisions_acked: int = 0
    starts_acked: int = 0
    retried: int = 0
    db_check: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Ledger:
    """What the clients were told, shared by their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    decided: set[str] = field(default_factory=set)  # task ids acknowledged as approved
    started: dict[str, str] = field(default_factory=dict)  # start key -> instance id
    unknown_tasks: set[str] = field(default_factory=set)  # sent, answer lost
    unknown_starts: set[str] = field(default_factory=set)
    progress: int = 0
    errors: list[str] = field(default_factory=list)  # answers no client should get


def _prepare(url: str, folder: Path) -> None:
    from rich.console import Console

    from api.prepare import prepare
    from api.settings import Settings
    from api.tokens import hash_password
    from engine.store import AppUser, open_database

    prepare(Settings(_env_file=None, database_url=url, definitions_dir=ROOT / "definitions",
                     state_dir=folder / "state", jwt_secret=SECRET),
            console=Console(quiet=True), seed_history=False)
    db = open_database(url)
    try:
        with db.session() as s:
            hashed = hash_password(PASSWORD)
            for name in (REQUESTER, APPROVER):
                row = s.get(AppUser, name)
                assert row is not None, f"{name} is not in definitions/org.yaml"
                row.password_hash = hashed
                s.add(row)
            s.commit()
    finally:
        db.dispose()


def _serve(url: str, port: int, folder: Path, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SIGNOFF_JWT_SECRET": SECRET, "SIGNOFF_UI_DIST": str(folder / "none")}
    cmd = [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--db", url,
           "--definitions", str(ROOT / "definitions"), "--workers", str(workers)]
    log = (folder / "server.log").open("ab")
    proc = subprocess.Popen(cmd, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"signoff serve exited {proc.returncode}: see {folder}")
        try:
            if httpx.get(f"http://{HOST}:{port}/api/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    _kill(proc)
    raise RuntimeError("signoff serve did not become healthy in 180 s")


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL to the server's whole process group (uvicorn's workers too)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def _token(base: str, username: str) -> str:
    r = httpx.post(f"{base}/api/auth/login", json={"username": username,
                                                    "password": PASSWORD}, timeout=30)
    r.raise_for_status()
    return str(r.json()["access_token"])


def _client(base: str, tokens: dict[str, str], index: int, clients: int, ledger: _Ledger,
            stop: threading.Event) -> None:
    """Start requests (even clients) or approve tasks (odd ones) until the server dies."""
    http = httpx.Client(base_url=base, timeout=30)
    n = 0
    try:
        while not stop.is_set():
            n += 1
            if index % 2 == 0:
                key = f"start-{index}-{n}-{random.getrandbits(32):08x}"
                _start(http, tokens[REQUESTER], key, ledger)
            else:
                _approve_some(http, tokens[APPROVER], index // 2, max(1, clients // 2), ledger)
    except httpx.TransportError:
        return  # the server was killed
    except Exception as exc:
        with ledger.lock:
            ledger.errors.append(f"client {index}: {exc}")
    finally:
        http.close()


def _start(http: httpx.Client, token: str, key: str, ledger: _Ledger) -> None:
    with ledger.lock:
        ledger.unknown_starts.add(key)
    r = http.post("/api/instances", headers={"Authorization": f"Bearer {token}",
                                             "Idempotency-Key": key},
                  json={"definition": "store_opening", "data": {**STORE, "store_name": key}})
    if r.status_code != 201:
        raise AssertionError(f"start answered {r.status_code}: {r.text}")
    with ledger.lock:
        ledger.unknown_starts.discard(key)
        ledger.started[key] = str(r.json()["id"])
        ledger.progress += 1


def _approve_some(http: httpx.Client, token: str, share: int, shares: int,
                  ledger: _Ledger) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    page = http.get("/api/tasks", params={"limit": 50, "sort": "created"}, headers=auth)
    page.raise_for_status()
    mine = [t["id"] for t in page.json()["items"]
            if t["status"] == "pending" and int(t["id"][-4:], 16) % shares == share]
    if not mine:
        time.sleep(0.05)
    for task_id in mine[:5]:
        _approve(http, auth, task_id, ledger)


def _approve(http: httpx.Client, auth: dict[str, str], task_id: str, ledger: _Ledger) -> None:
    with ledger.lock:
        ledger.unknown_tasks.add(task_id)
    r = http.post(f"/api/tasks/{task_id}/approve", headers={
        **auth, "Idempotency-Key": f"approve-{task_id}"})
    if r.status_code != 200:
        raise AssertionError(f"approve {task_id} answered {r.status_code}: {r.text}")
    with ledger.lock:
        ledger.unknown_tasks.discard(task_id)
        ledger.decided.add(task_id)
        ledger.progress += 1


def _retry_unknown(base: str, tokens: dict[str, str], ledger: _Ledger, out: Outcome) -> None:
    """Requests whose answer was lost, sent again with the same key (as a client would)."""
    with httpx.Client(base_url=base, timeout=30) as http:
        for key in sorted(ledger.unknown_starts):
            out.retried += 1
            _start(http, tokens[REQUESTER], key, ledger)
        for task_id in sorted(ledger.unknown_tasks):
            out.retried += 1
            _approve(http, {"Authorization": f"Bearer {tokens[APPROVER]}"}, task_id, ledger)


def _round(url: str, folder: Path, workers: int, clients: int, ledger: _Ledger,
           out: Outcome, kill: bool) -> None:
    port = free_port()
    base = f"http://{HOST}:{port}"
    proc = _serve(url, port, folder, workers)
    try:
        tokens = {u: _token(base, u) for u in (REQUESTER, APPROVER)}
        _retry_unknown(base, tokens, ledger, out)
        if not kill:
            return
        stop = threading.Event()
        threads = [threading.Thread(target=_client, args=(base, tokens, i, clients, ledger, stop),
                                    daemon=True) for i in range(clients)]
        target = ledger.progress + random.randint(3, 12)
        for t in threads:
            t.start()
        deadline = time.monotonic() + 120
        while ledger.progress < target and time.monotonic() < deadline:
            if not any(t.is_alive() for t in threads):
                break
            time.sleep(0.01)
        time.sleep(random.uniform(0.0, 0.2))  # land the kill anywhere in a request
        _kill(proc)
        stop.set()
        for t in threads:
            t.join(timeout=60)
    finally:
        if proc.poll() is None:
            _kill(proc)
    out.kills += 1


def _verify(url: str, ledger: _Ledger, out: Outcome) -> None:
    from engine.store import open_database

    check = subprocess.run([sys.executable, "-m", "api.cli", "db", "check", "--db", url],
                           cwd=ROOT, capture_output=True, text=True, timeout=600)
    out.db_check = (check.stdout + check.stderr).strip().splitlines()[-1:][0] if (
        check.stdout or check.stderr) else ""
    if check.returncode != 0:
        out.problems.append(f"signoff db check failed: {check.stdout}{check.stderr}")
    db = open_database(url)
    try:
        with db.engine.connect() as conn:
            payloads = conn.execute(sa.text(
                "SELECT payload FROM event_log WHERE kind = 'task_decided'")).scalars().all()
            names = conn.execute(sa.text("SELECT data FROM instance")).scalars().all()
    finally:
        db.dispose()
    decided = Counter(str(_doc(p)["task_id"]) for p in payloads)
    twice = [t for t, n in decided.items() if n > 1]
    if twice:
        out.problems.append(f"tasks decided more than once: {twice[:5]}")
    lost = [t for t in ledger.decided if decided.get(t, 0) != 1]
    if lost:
        out.problems.append(f"acknowledged decisions not in the log exactly once: {lost[:5]}")
    starts = Counter(str(_doc(d).get("store_name")) for d in names)
    doubled = [k for k in ledger.started if starts.get(k, 0) != 1]
    if doubled:
        out.problems.append(f"acknowledged requests not stored exactly once: {doubled[:5]}")
    out.problems += ledger.errors
    if ledger.unknown_starts or ledger.unknown_tasks:
        out.problems.append("requests left unanswered after the last retry")
    out.decisions_acked, out.starts_acked = len(ledger.decided), len(ledger.started)


def _doc(value: Any) -> dict[str, Any]:
    return dict(json.loads(value) if isinstance(value, str) else value)


def run(url: str, kills: int, clients: int = 4, workers: int = 1,
        folder: Path | None = None) -> Outcome:
    """``kills`` rounds of load and SIGKILL on the database at ``url``, a last clean round
    that retries what was left unanswered, then the checks."""
    folder = folder or Path(tempfile.mkdtemp(prefix="signoff-crash-"))
    folder.mkdir(parents=True, exist_ok=True)
    _prepare(url, folder)
    ledger, out = _Ledger(), Outcome()
    for _ in range(kills):
        _round(url, folder, workers, clients, ledger, out, kill=True)
    _round(url, folder, workers, clients, ledger, out, kill=False)
    _verify(url, ledger, out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite",
                        help="sqlite, postgresql (a fresh schema in TEST_PG_URL / the bench "
                             "database) or a database URL")
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    from bench import dbs

    url = dbs.fresh(args.db, migrate=False) if args.db in ("sqlite", "postgresql") else args.db
    try:
        out = run(url, args.kills, args.clients, args.workers)
    finally:
        dbs.drop_all()  # only the databases made here
    print(json.dumps({**asdict(out), "ok": out.ok}, indent=2))
    sys.exit(0 if out.ok else 1)


if __name__ == "__main__":
    main()
