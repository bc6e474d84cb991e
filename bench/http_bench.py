"""Part 3: approvals per second and latency over HTTP, next to a bare FastAPI ceiling.

One PostgreSQL database holds N store_opening requests, each waiting for its regional
director (seeded in bulk with ``service.append_histories``). Each request of the load
approves a different one:
- Signoff: ``POST /api/tasks/{id}/approve`` through ``signoff serve`` (1 and 2 workers);
- the ceiling: ``POST /txn/{instance}/{task}`` on ``bench.ceiling``, which runs the
  statements Signoff's approval ran (captured once, ids substituted) through SQLAlchemy
  Core in one transaction; ``POST /noop/...`` on the same app is the HTTP stack alone.
The load generator is a separate process (``bench.loadgen``); 1, 16 and 64 clients.
Afterwards every acknowledged approval must be in the event log exactly once.
"""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from bench import dbs, persisted, rawdb, servers, workload
from bench.harness import Results, eprint
from bench.sections import Size
from engine import service
from engine.core.decide import decide
from engine.core.events import Event, TaskCreated

CLIENTS = (1, 16, 64)
SECRET = "bench-secret-not-for-production-0123456789abcdef"
APPROVER = "zhao.lei"  # the regional director of the workload's initiator
Pair = tuple[UUID, UUID]  # (instance id, pending task id)


def seed(url: str, count: int) -> list[Pair]:
    """``count`` fresh requests waiting for their first approval."""
    directory, defn = workload.org(), workload.definition()
    histories: list[list[Event]] = [
        decide(defn, None, workload.start_command(), workload.NOW, directory)
        for _ in range(count)]
    with persisted.opened(url) as db:
        persisted.setup(db, directory)
        with db.session() as s:
            service.append_histories(s, histories, batch=1000)
        with db.session() as s:
            # what the first ``signoff serve`` on this database does once (api.prepare):
            # the requests' timers on the org calendar, the calendar recorded. Done here,
            # untimed: at the server's start it replays every request, longer than the
            # harness waits for it to answer
            service.recompute_timers(s, service.DbCatalog(s))
    return [(h[0].instance_id, next(e.task_id for e in h if isinstance(e, TaskCreated)))
            for h in histories]


def capture_template(url: str, pair: Pair) -> list[rawdb.Statement]:
    """The statements (reads and writes) of Signoff approving ``pair``'s task."""
    directory = workload.org()
    with persisted.opened(url) as db:
        cap = rawdb.Capture(db.engine)
        with db.session() as s:
            state = service.get_instance(s, pair[0])
        with cap.txn("template"):
            persisted.decide_one(db, directory, state, workload.NOW + workload.STEP)
        cap.close()
    return cap.transactions[0].queries()


def signoff_cmd(port: int, workers: int) -> list[str]:
    """``signoff serve`` when it takes ``--workers``, else uvicorn on the same factory."""
    exe = shutil.which("signoff", path=str(Path(sys.executable).parent))
    if exe:
        help_text = subprocess.run([exe, "serve", "--help"], capture_output=True, text=True,
                                   check=False).stdout
        if "--workers" in help_text:
            # the approvals alone, as the ceiling: the timers/outbox worker (forecasts,
            # delivery) runs elsewhere, measured by the timers and delivery parts; in this
            # process it would re-predict every one of the ~90,000 seeded requests at start
            quiet = ["--no-worker"] if "--no-worker" in help_text else []
            return [exe, "serve", "--host", servers.HOST, "--port", str(port),
                    "--workers", str(workers), *quiet]
    return servers.uvicorn_cmd("api.app:app_from_env", port, workers)


def token() -> str:
    from api.tokens import issue_access_token

    now = datetime.now(UTC)
    return issue_access_token(SECRET, APPROVER, now, timedelta(hours=6)).token


def run(res: Results, size: Size, kinds: tuple[str, ...]) -> None:
    if "postgresql" not in kinds:
        res.skip("http", "needs PostgreSQL (the issue measures several workers on it)")
        return
    repeats = 1 if size.repeats < 3 else 3
    per_point = size.http_requests
    warm = 20
    points = len(CLIENTS) * 2 * repeats  # (workers 1 and 2) x clients x repeats
    url = dbs.fresh("postgresql")
    eprint(f"  seeding {2 * points * (per_point + warm) + 1:,} requests")
    pairs = seed(url, 2 * points * (per_point + warm) + 1)
    template = (capture_template(url, pairs[0]), pairs[0])
    pairs = pairs[1:]
    with tempfile.TemporaryDirectory() as tmp:
        tpl_path = Path(tmp) / "template.pickle"
        tpl_path.write_bytes(pickle.dumps(template))
        env = {"SIGNOFF_DATABASE_URL": url, "SIGNOFF_JWT_SECRET": SECRET,
               "SIGNOFF_STATE_DIR": tmp, "SIGNOFF_UI_DIST": str(Path(tmp) / "no-ui"),
               "SIGNOFF_WORKER": "false",  # uvicorn on the factory: no embedded worker
               "BENCH_CEILING_DB": url, "BENCH_CEILING_TEMPLATE": str(tpl_path)}
        acked: set[UUID] = set()
        offered: set[UUID] = set()
        for workers in (1, 2):
            _measure_workers(res, workers, repeats, env, pairs, per_point, warm,
                             (offered, acked), size.http_seconds)
    _check_exactly_once(res, url, offered, acked)
    _targets(res)


def _take(pairs: list[Pair], n: int) -> list[Pair]:
    taken = pairs[-n:]
    del pairs[-n:]
    return taken


def _measure_workers(res: Results, workers: int, repeats: int, env: dict[str, str],
                     pairs: list[Pair], per_point: int, warm: int,
                     sent: tuple[set[UUID], set[UUID]], seconds: float) -> None:
    offered, acked = sent
    auth = {"Authorization": f"Bearer {token()}"}
    p_ceiling, p_signoff = servers.free_port(), servers.free_port()
    with ExitStack() as stack:
        stack.enter_context(servers.server(
            servers.uvicorn_cmd("bench.ceiling:create_app", p_ceiling, workers), p_ceiling,
            env={**os.environ, **env}))
        stack.enter_context(servers.server(
            signoff_cmd(p_signoff, workers), p_signoff, env={**os.environ, **env},
            ready_path="/api/health", timeout=300))
        for _ in range(repeats):
            for clients in CLIENTS:
                n = per_point + warm
                noop = [{"method": "POST", "path": f"/noop/{i}"} for i in range(n)]
                txn = [{"method": "POST", "path": f"/txn/{i}/{t}", "json": {}}
                       for i, t in _take(pairs, n)]
                mine = _take(pairs, n)
                offered.update(t for _, t in mine)
                ours = [{"method": "POST", "path": f"/api/tasks/{t}/approve", "json": {},
                         "headers": auth} for _, t in mine]
                for name, port, reqs in (("ceiling_noop", p_ceiling, noop),
                                         ("ceiling_txn", p_ceiling, txn),
                                         ("signoff", p_signoff, ours)):
                    out = servers.load(port, reqs, clients, seconds, warmup=warm)
                    _record(res, f"http.{name}.w{workers}.c{clients}", out)
                    if name == "signoff":
                        answered = {**out["statuses"], **out["warmup_statuses"]}
                        acked |= {mine[int(i)][1] for i, s in answered.items()
                                  if 200 <= s < 300}


def _record(res: Results, key: str, out: dict[str, Any]) -> None:
    res.add(f"{key}.per_s", "requests/s", float(out["per_second"]))
    res.add(f"{key}.p50", "ms", float(out["p50_ms"]))
    res.add(f"{key}.p99", "ms", float(out["p99_ms"]))
    bad = {k: v for k, v in out["status_counts"].items() if not k.startswith("2")}
    if bad:
        res.findings.append(f"{key}: non-2xx answers {bad}; errors {out['errors']}")


def _check_exactly_once(res: Results, url: str, offered: set[UUID], acked: set[UUID]) -> None:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT payload->>'task_id', count(*) FROM event_log WHERE kind = 'task_decided' "
            "GROUP BY 1")).all()
    engine.dispose()
    decided = {UUID(t): int(n) for t, n in rows if UUID(t) in offered}
    twice = sum(1 for n in decided.values() if n > 1)
    missing = len(acked - decided.keys())
    unacked = len(decided.keys() - acked)
    res.target("http: every acknowledged approval in the log exactly once (violations)",
               float(twice + missing), 0, higher_is_better=False)
    res.findings.append(f"http: {len(acked):,} approvals acknowledged; in the log twice: "
                        f"{twice}; acknowledged but missing: {missing}; decided without "
                        f"acknowledgement: {unacked}")


def _targets(res: Results) -> None:
    for w in (1, 2):
        res.ratio(f"http.signoff.w{w}.c16.per_s", f"http.ceiling_txn.w{w}.c16.per_s")
        res.ratio(f"http.ceiling_txn.w{w}.c16.per_s", f"http.ceiling_noop.w{w}.c16.per_s")
    best = max((res.figures[k].median for k in res.figures
                if k.startswith("http.signoff.w2.") and k.endswith(".per_s")), default=0.0)
    ceiling = max((res.figures[k].median for k in res.figures
                   if k.startswith("http.ceiling_txn.w2.") and k.endswith(".per_s")),
                  default=float("nan"))
    res.target("http: >= 60% of the bare FastAPI transaction ceiling (2 workers, best of "
               "1/16/64 clients each)", best / ceiling, 0.6, unit="x")
    res.target("http: about 600 approvals/s with 2 workers on PostgreSQL", best, 600,
               unit="approvals/s")
    res.target("http: p99 under 100 ms at 16 clients (2 workers)",
               res.figures["http.signoff.w2.c16.p99"].median, 100, higher_is_better=False,
               unit="ms")

