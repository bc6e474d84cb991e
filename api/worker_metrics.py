"""A worker that reports: deliveries by channel and result, timers fired and heartbeats
(``api.metrics``, labelled by worker), and a heartbeat row per round in the database
(``engine.store.heartbeat``) that readiness looks at from any process.

``ObservedWorker`` is ``engine.worker.Worker`` plus ``worker_id`` (default
``<host>:<pid>``); build it where a ``Worker`` is built. Results: ``sent``, ``failed``
(a retry may help) and ``rejected`` (a retry cannot help: the row goes dead).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from datetime import datetime

from api import metrics
from engine.notify import DeliveryFailed
from engine.store.heartbeat import beat
from engine.worker import Deliver, OutboxMessage, Worker


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def observed(deliver: Deliver, worker_id: str) -> Deliver:
    """``deliver``, counting each message's result."""

    def send(message: OutboxMessage) -> None:
        try:
            deliver(message)
        except DeliveryFailed as exc:
            metrics.record_delivery(message.channel,
                                    "failed" if exc.retryable else "rejected", worker_id)
            raise
        except Exception:
            metrics.record_delivery(message.channel, "failed", worker_id)
            raise
        metrics.record_delivery(message.channel, "sent", worker_id)

    return send


@dataclass
class ObservedWorker(Worker):
    worker_id: str = field(default_factory=default_worker_id)

    def __post_init__(self) -> None:
        if self.deliver is not None:
            self.deliver = observed(self.deliver, self.worker_id)

    def run_once(self, now: datetime | None = None, *, jobs: bool = True) -> tuple[int, int]:
        now = now or self.clock()
        fired, sent = super().run_once(now, jobs=jobs)
        if fired:
            metrics.record_timers_fired(fired, self.worker_id)
        metrics.worker_heartbeat(self.worker_id)
        with self.db.session() as session:
            beat(session, self.worker_id, now)
            session.commit()
        return fired, sent


__all__ = ["ObservedWorker", "default_worker_id", "observed"]
