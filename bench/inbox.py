"""Part 4: the inbox (``GET /api/tasks``) on a large database, on SQLite and PostgreSQL.

The database holds ``tasks`` task rows (1,000,000 in the full run) in store_opening
instances of four steps each; a tenth of them are pending, spread evenly over 1,000
approvers (100 each). Sixteen of those approvers are real users of the demo org, whose
tokens the load uses; the rest are names that only own tasks. The rows (instances, tasks,
node visits) are written in bulk through SQLAlchemy Core: the inbox reads only these
tables, so the event log is left empty here.
"""

from __future__ import annotations

import os
import random
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import sqlalchemy as sa

from bench import dbs, persisted, servers, workload
from bench.harness import Results, eprint
from bench.http_bench import SECRET, signoff_cmd
from bench.sections import Size
from engine.store.tables import Instance, NodeVisit, Task

APPROVERS = 1_000
PENDING_SHARE = 10  # one task in ten is pending
STEPS = ("regional_review", "site_review", "finance_review", "vp_review")


def real_approvers() -> list[str]:
    users = sorted(u for u in workload.org().users if u != "admin")
    return users[:16]


def _rows(n_tasks: int, seed: int = 11) -> tuple[list[dict[str, Any]], list[dict[str, Any]],
                                                  list[dict[str, Any]]]:
    rng = random.Random(seed)
    names = real_approvers()
    names += [f"approver{i:04d}" for i in range(len(names), APPROVERS)]
    pending_per = n_tasks // PENDING_SHARE // APPROVERS
    pending_for = [a for a in names for _ in range(pending_per)]
    rng.shuffle(pending_for)
    instances, tasks, visits = [], [], []
    n_instances = n_tasks // len(STEPS)
    running = set(range(len(pending_for)))  # instance i < that waits on its last step
    for i in range(n_instances):
        iid = uuid4()
        start = workload.NOW - timedelta(days=rng.uniform(0, 365))
        is_running = i in running
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
            "finished_at": None if is_running else t, "updated_at": t, "seq": 20})
    return instances, tasks, visits


def seed(url: str, n_tasks: int) -> None:
    with persisted.opened(url) as db:
        persisted.setup(db, workload.org())
    instances, tasks, visits = _rows(n_tasks)
    engine = sa.create_engine(url)
    try:
        for table, rows in ((Instance.__table__, instances), (Task.__table__, tasks),
                            (NodeVisit.__table__, visits)):
            for i in range(0, len(rows), 20_000):
                with engine.begin() as conn:
                    conn.execute(sa.insert(table), rows[i:i + 20_000])  # type: ignore[arg-type]
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")  # fresh statistics, as autovacuum would leave
    finally:
        engine.dispose()


def _tokens(users: list[str]) -> list[str]:
    from datetime import UTC, datetime

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

