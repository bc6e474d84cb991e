"""Part 4: the inbox (``GET /api/tasks``) on a large database, on SQLite and PostgreSQL.

The database holds ``tasks`` task rows (1,000,000 in the full run) in store_opening
instances of four steps each; a tenth of them are pending, spread evenly over 1,000
approvers (100 each). Sixteen of those approvers are real users of the demo org, whose
tokens the load uses; the rest are names that only own tasks. The rows (instances, tasks,
node visits) are written in bulk through the driver: the inbox reads only these tables,
so the event log is left empty here.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import sqlalchemy as sa

from bench import dbs, persisted, rawdb, servers, workload
from bench.harness import Results, eprint
from bench.http_bench import SECRET, signoff_cmd
from bench.sections import Size
from engine.store.projections import search_text
from engine.store.tables import Instance, NodeVisit, Task
from engine.store.types import AwareDateTime

APPROVERS = 1_000
PENDING_SHARE = 10  # one task in ten is pending
STEPS = ("regional_review", "site_review", "finance_review", "vp_review")


def real_approvers() -> list[str]:
    users = sorted(u for u in workload.org().users if u != "admin")
    return users[:16]


Rows = tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]


def _rows(n_tasks: int, seed: int = 11, chunk: int = 5_000) -> Iterator[Rows]:
    """(instances, tasks, visits), ``chunk`` instances at a time."""
    rng = random.Random(seed)
    names = real_approvers()
    names += [f"approver{i:04d}" for i in range(len(names), APPROVERS)]
    pending_per = n_tasks // PENDING_SHARE // APPROVERS
    pending_for = [a for a in names for _ in range(pending_per)]
    rng.shuffle(pending_for)
    instances: list[dict[str, Any]] = []
    tasks: list[dict[str, Any]] = []
    visits: list[dict[str, Any]] = []
    n_instances = n_tasks // len(STEPS)
    running = len(pending_for)  # instances 0 .. running-1 wait on their last step
    for i in range(n_instances):
        if len(instances) == chunk:
            yield instances, tasks, visits
            instances, tasks, visits = [], [], []
        iid = uuid4()
        start = workload.NOW - timedelta(days=rng.uniform(0, 365))
        is_running = i < running
        t = start
        for k, node in enumerate(STEPS):
            last = k == len(STEPS) - 1
            pending = is_running and last
            created = t
            t += timedelta(hours=rng.uniform(0.1, 60))
            who = pending_for[i] if pending else rng.choice(names)
            tasks.append({"id": uuid4(), "instance_id": iid, "definition_key": "store_opening",
                          "node": node, "visit": 1, "assignee": who, "rule": "role:bench",
                          "status": "pending" if pending else "done", "created_at": created,
                          "due_at": created + timedelta(days=2),
                          "decided_at": None if pending else t,
                          "action": None if pending else "approve"})
            visits.append({"instance_id": iid, "node": node, "visit": 1,
                           "definition_key": "store_opening", "definition_version": 1,
                           "kind": "approval", "entered_seq": k + 1, "entered_at": created,
                           "decided_at": None if pending else t,
                           "left_at": None if pending else t,
                           "outcome": None if pending else "approved",
                           "decided_by": None if pending else who, "comment_count": 0})
        instances.append({
            "id": iid, "definition_key": "store_opening", "definition_version": 1,
            "title": f"New store: bench {i}", "initiator": workload.INITIATOR,
            "status": "running" if is_running else "approved",
            "outcome": None if is_running else "approved",
            "node": STEPS[-1] if is_running else "approved", "node_since": t,
            "data": workload.REQUEST, "started_at": start,
            "finished_at": None if is_running else t, "updated_at": t, "seq": 20,
            "search": search_text(f"New store: bench {i}", workload.REQUEST)})
    yield instances, tasks, visits


def seed(url: str, n_tasks: int) -> None:
    """Write the inbox dataset: SQLite through ``sqlite3.executemany``, PostgreSQL through
    ``COPY``, values in the forms the store's column types write (SQLAlchemy Core with
    type processing took minutes for a million rows)."""
    with persisted.opened(url) as db:
        persisted.setup(db, workload.org())
    conn = rawdb.driver_connect(url)
    try:
        for chunk in _rows(n_tasks):
            _write_chunk(conn, chunk)
        cur = conn.cursor()
        cur.execute("ANALYZE")  # fresh statistics, as autovacuum would leave
        conn.commit()
    finally:
        conn.close()


_TABLES = (Instance.__table__, Task.__table__, NodeVisit.__table__)


def _write_chunk(conn: Any, chunk: Rows) -> None:
    is_sqlite = isinstance(conn, sqlite3.Connection)
    cur = conn.cursor()
    if is_sqlite:
        cur.execute("BEGIN IMMEDIATE")
    for table, rows in zip(_TABLES, chunk, strict=True):
        cols = [c.name for c in table.columns]  # type: ignore[attr-defined]
        conv = [_converter(c.type, is_sqlite) for c in table.columns]  # type: ignore[attr-defined]
        pairs = list(zip(cols, conv, strict=True))
        values = [tuple(f(r.get(c)) for c, f in pairs) for r in rows]
        name = table.name  # type: ignore[attr-defined]
        if is_sqlite:
            marks = ", ".join("?" * len(cols))
            cur.executemany(f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({marks})", values)
        else:
            with cur.copy(f"COPY {name} ({', '.join(cols)}) FROM STDIN") as copy:
                for v in values:
                    copy.write_row(v)
    conn.commit()


def _same(v: Any) -> Any:
    return v


def _json_text(v: Any) -> Any:
    return None if v is None else json.dumps(v)


def _uuid_hex(v: Any) -> Any:
    return None if v is None else v.hex


def _naive_utc(v: Any) -> Any:
    return None if v is None else v.astimezone(UTC).replace(tzinfo=None).isoformat(
        " ", "microseconds")


def _converter(type_: Any, is_sqlite: bool) -> Callable[[Any], Any]:
    """How the store's column type writes a value: in SQLite ``Uuid`` is 32 hex digits and
    ``AwareDateTime`` naive UTC text; JSON is text on both."""
    if isinstance(type_, sa.JSON):
        return _json_text
    if not is_sqlite:
        return _same
    if isinstance(type_, sa.Uuid):
        return _uuid_hex
    if isinstance(type_, AwareDateTime):
        return _naive_utc
    return _same


def _tokens(users: list[str]) -> list[str]:
    from api.tokens import issue_access_token

    now = datetime.now(UTC)
    return [issue_access_token(SECRET, u, now, timedelta(hours=6)).token for u in users]


def run(res: Results, size: Size, kinds: tuple[str, ...]) -> None:
    repeats = 1 if size.repeats < 3 else 3
    for kind in kinds:
        url = dbs.fresh(kind)
        eprint(f"  inbox on {kind}: writing {size.inbox_tasks:,} tasks")
        seed(url, size.inbox_tasks)
        _measure(res, kind, url, size, repeats)
        dbs.drop_all()
    for kind in kinds:
        res.target(f"inbox on {kind}: p99 under 5 ms, one client",
                   res.figures[f"inbox.{kind}.w1.c1.p99"].median, 5, higher_is_better=False,
                   unit="ms")
        res.target(f"inbox on {kind}: >= 1,000 requests/s at 16 clients, 2 workers",
                   res.figures[f"inbox.{kind}.w2.c16.per_s"].median, 1000, unit="requests/s")


def _measure(res: Results, kind: str, url: str, size: Size, repeats: int) -> None:
    users = real_approvers()
    tokens = _tokens(users)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "SIGNOFF_DATABASE_URL": url, "SIGNOFF_JWT_SECRET": SECRET,
               "SIGNOFF_STATE_DIR": tmp, "SIGNOFF_UI_DIST": str(Path(tmp) / "no-ui")}
        for workers, clients in ((1, 1), (2, 16)):
            port = servers.free_port()
            with servers.server(signoff_cmd(port, workers), port, env=env,
                                ready_path="/api/health"):
                if workers == 1:
                    _check_page(res, kind, port, tokens[0])
                n = size.http_requests
                reqs = [{"path": "/api/tasks?limit=50",
                         "headers": {"Authorization": f"Bearer {tokens[i % len(tokens)]}"}}
                        for i in range(n + 50)]
                for _ in range(repeats):
                    out = servers.load(port, reqs, clients, size.http_seconds, warmup=50)
                    key = f"inbox.{kind}.w{workers}.c{clients}"
                    res.add(f"{key}.per_s", "requests/s", float(out["per_second"]))
                    res.add(f"{key}.p50", "ms", float(out["p50_ms"]))
                    res.add(f"{key}.p99", "ms", float(out["p99_ms"]))
                    if set(out["status_counts"]) != {"200"}:
                        res.findings.append(f"{key}: answers {out['status_counts']}")


def _check_page(res: Results, kind: str, port: int, token: str) -> None:
    import httpx

    r = httpx.get(f"http://{servers.HOST}:{port}/api/tasks?limit=50",
                  headers={"Authorization": f"Bearer {token}"}, timeout=30)
    body = r.json()
    res.findings.append(f"inbox.{kind}: one approver's page: HTTP {r.status_code}, "
                        f"{len(body.get('items', []))} items of total {body.get('total')}, "
                        f"{len(r.content):,} bytes")

