"""A worker that reports: deliveries by channel and result, timers fired and heartbeats
move in the metrics (labelled by worker), and each round leaves a heartbeat row."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa

from api.metrics import REGISTRY
from api.worker_metrics import ObservedWorker
from engine.notify import DeliveryFailed
from engine.store.heartbeat import last_beat
from engine.worker import OutboxMessage
from tests.store.conftest import T0, World, db  # noqa: F401  (fixtures)
from tests.store.test_timers_outbox import start, timed  # noqa: F401


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_deliveries_timers_and_heartbeats_are_reported(timed: World) -> None:  # noqa: F811
    start(timed)
    wid = f"w-{uuid.uuid4().hex[:8]}"

    def deliver(message: OutboxMessage) -> None:
        if message.recipient == "bob":
            raise ConnectionError("receiver down")
        if message.recipient == "dan":
            raise DeliveryFailed(False, "no such mailbox")

    worker = ObservedWorker(timed.db, deliver, frozenset({"email"}), worker_id=wid)
    assert worker.run_once(T0) == (0, 4)
    for result, count in (("sent", 2), ("failed", 1), ("rejected", 1)):
        assert _value("signoff_deliveries_total", channel="email", result=result,
                      worker=wid) == count
    assert _value("signoff_worker_heartbeats_total", worker=wid) == 1
    with timed.db.session(write=False) as s:
        assert last_beat(s.connection()) == T0

    fired, _ = worker.run_once(T0 + timedelta(days=3))
    assert fired > 0
    assert _value("signoff_timers_fired_total", worker=wid) == fired
    assert _value("signoff_worker_heartbeats_total", worker=wid) == 2
    with timed.db.session(write=False) as s:
        assert last_beat(s.connection()) == T0 + timedelta(days=3)
        beats = s.connection().execute(sa.text("select count(*) from worker_heartbeat"))
        assert beats.scalar() == 1  # one row per worker, updated
