"""The timer benchmark's floor (one server-built statement per batch) writes, for the
same due reminders, the rows the worker writes: the same tables, counts, instance
sequence numbers, event payload keys and message fields. Otherwise the floor would not
be the cost of the worker's writes but of something else. PostgreSQL only, like the
benchmark (workers claim with ``SKIP LOCKED``)."""

from __future__ import annotations

import queue
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from bench import dbs, timers
from engine.store import open_database
from engine.worker import Worker
from tests.conftest import pg_base_url

pytestmark = pytest.mark.pg


@pytest.fixture
def bench_pg(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    base = pg_base_url()
    if not base:
        pytest.skip("TEST_PG_URL unset")
    monkeypatch.setenv("BENCH_PG_URL", base)
    yield
    dbs.drop_all()


class _Now:
    def wait(self) -> None:  # the benchmark's barrier, with one process
        pass


def _written(url: str) -> dict[str, Any]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        def one(sql: str) -> Any:
            return conn.execute(sa.text(sql)).one()
        out = {t: one(f"SELECT count(*) FROM {t}")[0]
               for t in ("event_log", "notification", "outbox", "timer", "instance")}
        out["seq"] = one("SELECT min(seq), max(seq) FROM instance")
        out["last_event"] = one("SELECT min(seq), max(seq) FROM event_log "
                                "WHERE kind = 'reminder_sent'")
        out["event_keys"] = sorted(one("SELECT payload FROM event_log "
                                       "WHERE kind = 'reminder_sent' LIMIT 1")[0])
        notification = one("SELECT username, kind, payload FROM notification LIMIT 1")
        out["a notification"] = (*notification[:2], sorted(notification[2]))
        outbox = one("SELECT kind, recipient, channel, status, payload FROM outbox LIMIT 1")
        out["an outbox row"] = (*outbox[:4], sorted(outbox[4]), sorted(outbox[4]["recipient"]))
    engine.dispose()
    return out


def test_the_floor_writes_what_the_worker_writes(bench_pg: None) -> None:
    n = 2 * timers.BATCH + 7  # full batches and a short one
    worker_url, floor_url = timers._setup(n), timers._setup(n)
    db = open_database(worker_url)
    try:
        assert Worker(db, batch=timers.BATCH).fire_timers(timers.NOW) == n
    finally:
        db.dispose()
    out: queue.Queue[tuple[int, float]] = queue.Queue()
    timers._floor(floor_url, _Now(), out)
    assert out.get_nowait()[0] == n
    worker, floor = _written(worker_url), _written(floor_url)
    assert worker["timer"] == 0 and worker["outbox"] == worker["notification"] == n
    assert worker == floor
