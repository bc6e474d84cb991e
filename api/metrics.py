"""Prometheus metrics: what this process did, and what the database says now.

Each process (API or worker) keeps its own counters and exposes them at ``/metrics``;
Prometheus scrapes every process and sums. Names and what to alert on are listed in
docs/operations.md. The registry API other parts call:

- ``observe_request(method, route, status, seconds)``: the request middleware;
- ``command(kind)``: a context manager around one engine command (its outcome is taken
  from the exception it ends with: ``ok``, ``conflict``, ``refused``, ``error``);
- ``record_delivery(channel, result, worker=...)``: the worker, per outbox message;
- ``record_timers_fired(count, worker=...)``: the worker, per batch of timers fired;
- ``worker_heartbeat(worker_id)``: the worker, once per loop.

Gauges read from the database (pool use, outbox depth, dead letters and age, timers due
and late, the newest worker heartbeat) are computed at scrape time by a collector bound
to the app's database. ``start_http_server(port)`` exposes a process without an API (a
``signoff worker``) the same way.

Access (``metrics_access``): ``off`` (404), ``token`` (``Authorization: Bearer
<metrics_token>``), ``local`` (the default: that token, or a client on this host),
``open`` (anyone, for a private network).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from fastapi import APIRouter, FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

from api.context import current_request_id
from api.problems import Problem
from engine.core.errors import ConcurrentUpdate, EngineError
from engine.store import gauges, heartbeat

if TYPE_CHECKING:
    from api.runtime import Runtime

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
REQUESTS = Counter("signoff_http_requests", "HTTP requests answered, by route template "
                   "and status", ["method", "route", "status"], registry=REGISTRY)
REQUEST_SECONDS = Histogram("signoff_http_request_duration_seconds", "Time to answer an "
                            "HTTP request", ["method", "route"], buckets=_SECONDS,
                            registry=REGISTRY)
IN_PROGRESS = Gauge("signoff_http_requests_in_progress", "HTTP requests being answered",
                    registry=REGISTRY)
COMMANDS = Counter("signoff_commands", "Engine commands run, by kind and outcome "
                   "(ok, conflict, refused, error)", ["kind", "outcome"], registry=REGISTRY)
COMMAND_SECONDS = Histogram("signoff_command_duration_seconds", "Time to run an engine "
                            "command (one transaction)", ["kind"], buckets=_SECONDS,
                            registry=REGISTRY)
DELIVERIES = Counter("signoff_deliveries", "Outbox messages the worker tried to deliver, by "
                     "channel and result", ["channel", "result", "worker"], registry=REGISTRY)
TIMERS_FIRED = Counter("signoff_timers_fired", "Timers fired by this worker", ["worker"],
                       registry=REGISTRY)
HEARTBEATS = Counter("signoff_worker_heartbeats", "Worker loops completed", ["worker"],
                     registry=REGISTRY)
LAST_HEARTBEAT = Gauge("signoff_worker_last_heartbeat_timestamp_seconds", "Unix time of the "
                       "worker's last loop", ["worker"], registry=REGISTRY)

# --- the registry API ---------------------------------------------------------------


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method, route, str(status)).inc()
    REQUEST_SECONDS.labels(method, route).observe(seconds)


def outcome_of(exc: BaseException | None) -> str:
    if exc is None:
        return "ok"
    if isinstance(exc, ConcurrentUpdate | sa.exc.IntegrityError):
        return "conflict"
    return "refused" if isinstance(exc, EngineError) else "error"


_command_log = logging.getLogger("signoff.command")


@contextmanager
def command(kind: str, subject: object = None) -> Iterator[None]:
    """Count, time and log (``signoff.command``, with the request id) the command run
    inside the block; ``subject`` names what it acts on (an instance or task id)."""
    start = time.perf_counter()
    outcome, error = "ok", ""
    try:
        yield
    except BaseException as exc:
        outcome, error = outcome_of(exc), type(exc).__name__
        raise
    finally:
        seconds = time.perf_counter() - start
        COMMANDS.labels(kind, outcome).inc()
        COMMAND_SECONDS.labels(kind).observe(seconds)
        _command_log.log(logging.ERROR if outcome == "error" else logging.INFO,
                         "%s %s%s", kind, outcome, f" ({error})" if error else "",
                         extra={"command": kind, "outcome": outcome, "error": error or None,
                                "subject": str(subject) if subject is not None else None,
                                "duration_ms": round(seconds * 1000, 1),
                                "request_id": current_request_id()})


def record_delivery(channel: str, result: str, worker: str = "embedded") -> None:
    """One outbox message tried: ``result`` is e.g. ``sent``, ``retry``, ``dead``."""
    DELIVERIES.labels(channel, result, worker).inc()


def record_timers_fired(count: int, worker: str = "embedded") -> None:
    TIMERS_FIRED.labels(worker).inc(count)


def worker_heartbeat(worker_id: str) -> None:
    HEARTBEATS.labels(worker_id).inc()
    LAST_HEARTBEAT.labels(worker_id).set(time.time())


# --- gauges read at scrape time -----------------------------------------------------


class DatabaseCollector:
    """Pool use of this process's engines, and the queue figures the database holds."""

    late_after = timedelta(minutes=1)

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def describe(self) -> list[Metric]:
        return []  # computed per scrape; nothing to check at registration

    def collect(self) -> Iterator[Metric]:
        yield from self._pool()
        up = GaugeMetricFamily("signoff_database_up", "1 when the last scrape could read "
                               "the database")
        try:
            found = list(self._queues())
        except sa.exc.SQLAlchemyError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from found

    def _pool(self) -> Iterator[Metric]:
        db = self.runtime.db
        engines = {"write": db.engine, "read": db.read_engine}
        if db.read_engine is db.engine:
            engines = {"write": db.engine}
        used = GaugeMetricFamily("signoff_db_pool_connections", "Pooled database "
                                 "connections by state", labels=["engine", "state"])
        size = GaugeMetricFamily("signoff_db_pool_size", "Configured pool size (overflow "
                                 "comes on top)", labels=["engine"])
        for name, engine in engines.items():
            pool = engine.pool
            for state, method in (("checked_out", "checkedout"), ("idle", "checkedin"),
                                  ("overflow", "overflow")):
                value = getattr(pool, method, None)
                if callable(value):
                    used.add_metric([name, state], max(float(value()), 0.0))
            if callable(getattr(pool, "size", None)):
                size.add_metric([name], float(pool.size()))  # type: ignore[attr-defined]
        yield used
        yield size

    def _queues(self) -> Iterator[Metric]:
        now = self.runtime.clock()
        with self.runtime.db.read_engine.connect() as conn:
            outbox = gauges.outbox_stats(conn, now)
            timers = gauges.timer_stats(conn, now, self.late_after)
            seen = heartbeat.last_beat(conn)
        yield GaugeMetricFamily("signoff_outbox_depth", "Outbox messages waiting to be "
                                "delivered", value=outbox.depth)
        yield GaugeMetricFamily("signoff_outbox_dead", "Outbox messages given up on (dead "
                                "letters: `signoff outbox retry`)", value=outbox.dead)
        yield GaugeMetricFamily("signoff_outbox_oldest_age_seconds", "Age of the oldest "
                                "waiting outbox message", value=outbox.oldest_age_seconds)
        yield GaugeMetricFamily("signoff_timers_due", "Timers due and not fired",
                                value=timers.due)
        yield GaugeMetricFamily("signoff_timers_late", "Timers due more than a minute ago "
                                "and not fired", value=timers.late)
        if seen is not None:
            yield GaugeMetricFamily("signoff_worker_last_seen_age_seconds", "Seconds since "
                                    "any worker last wrote its heartbeat",
                                    value=max((now - seen).total_seconds(), 0.0))


# --- the endpoint -------------------------------------------------------------------

router = APIRouter(include_in_schema=False)


def _is_local(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _allowed(request: Request, runtime: Runtime) -> bool:
    mode, token = runtime.settings.metrics_access, runtime.settings.metrics_token
    if mode == "open":
        return True
    given = request.headers.get("authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    return mode == "local" and _is_local(request)


@router.get("/metrics")
def metrics(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    if runtime.settings.metrics_access == "off":
        raise Problem(404, "Metrics are off (metrics_access=off)")
    if not _allowed(request, runtime):
        raise Problem(403, "Metrics need the metrics token (Authorization: Bearer ...) or a "
                           "request from this host")
    body = generate_latest(REGISTRY) + generate_latest(request.app.state.metrics_registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def start_http_server(port: int, addr: str = "127.0.0.1") -> None:
    """Serve this process's counters on ``addr:port`` (a worker has no API to carry
    ``/metrics``); database gauges come from the API processes."""
    from prometheus_client import start_http_server as serve

    serve(port, addr, registry=REGISTRY)


def install(app: FastAPI, runtime: Runtime) -> None:
    """``/metrics`` on ``app`` (before the UI's catch-all) and its database gauges."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(runtime))
    app.state.metrics_registry = registry
    app.include_router(router)


__all__ = ["REGISTRY", "DatabaseCollector", "command", "install", "observe_request",
           "outcome_of", "record_delivery", "record_timers_fired", "start_http_server",
           "worker_heartbeat"]
