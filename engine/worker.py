"""The worker: fires due timers through ``engine.service`` and delivers the outbox.

``Worker(db, directory_source, deliver, ...)``: ``run_once(now)`` does one round (timers,
deliveries, the periodic jobs, then what they wrote) and ``run(stop)`` loops until
``stop`` is set, sleeping until the next due time, a wake-up (PostgreSQL ``LISTEN`` on
the schema's work channel; on SQLite the in-process bus of the database file) or
``max_sleep``, never busy polling.

Delivery: rows of ``outbox`` with status ``pending`` whose channel has a configured
sender (``deliver`` is given the channel) and whose ``next_attempt_at`` has come are
claimed (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), handed to ``deliver`` with their id
as the idempotency id, and marked ``sent``; a failure counts an attempt and retries
after ``backoff * 2**(attempts-1)`` (capped at an hour) until ``max_attempts``, then the
row is ``dead`` (at once when ``engine.notify.DeliveryFailed`` says a retry cannot help;
``retry_after`` is honoured). A worker killed mid-batch loses nothing: its claims end with its
connection and the rows are delivered again by the next one, with the same id. Rows for
channels with no sender stay pending, readable by admins (``signoff outbox list``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from engine import service
from engine.core.directory import OrgDirectory
from engine.notify import Channel, DeliveryFailed, render
from engine.notify import Message as NotifyMessage
from engine.notify import deliver as notify_deliver
from engine.notify.timing import NOT_DIGESTED, group_digests
from engine.store import Database, messaging
from engine.store.definitions import DbCatalog
from engine.store.messaging_tables import OutboxRow, TimerRow
from engine.store.org import current_directory
from engine.store.startup_lock import sqlite_worker_turn

log = logging.getLogger("signoff.worker")
_outbox = OutboxRow.__table__  # type: ignore[attr-defined]
_timer = TimerRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class _Failure:
    reason: str
    retryable: bool = True
    retry_after: float | None = None


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """What a channel sender is given: ``id`` is the idempotency id (receivers dedupe
    on it), ``payload`` the message's fields (title, node, due time, language...)."""

    id: UUID
    kind: str
    recipient: str
    channel: str
    payload: dict[str, Any]
    attempt: int


Deliver = Callable[[OutboxMessage], None]


def channel_sender(channels: Mapping[str, Channel], public_url: str = "") -> Deliver:
    """A ``Deliver`` over ``engine.notify`` channels (by name: email, webhook, dingtalk,
    feishu, wecom): rebuild the message from the row, render it in the recipient's
    language, send it (``DeliveryFailed`` says whether a retry may help)."""

    def send(row: OutboxMessage) -> None:
        message = NotifyMessage.from_dict(row.payload)
        notify_deliver(channels[row.channel], render(message, public_url), message)

    return send


def service_sender(caller: Any) -> Deliver:
    """A ``Deliver`` of service steps' calls (``engine.notify.service.ServiceCaller``)."""

    def send(row: OutboxMessage) -> None:
        caller.send(str(row.id), row.payload)

    return send


def by_channel(senders: Mapping[str, Deliver]) -> Deliver:
    """One ``Deliver`` handing each message to the sender of its channel."""

    def send(row: OutboxMessage) -> None:
        senders[row.channel](row)

    return send


@dataclass
class Worker:
    db: Database
    deliver: Deliver | None = None  # None: nothing leaves; messages wait in the outbox
    channels: frozenset[str] = frozenset()  # the channels ``deliver`` handles
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    batch: int = 100
    max_attempts: int = 8
    backoff: timedelta = timedelta(seconds=30)
    max_sleep: float = 60.0
    jobs_every: float = 1.0  # seconds between runs of ``jobs`` while the loop is busy
    # more periodic work for the same loop (at-risk warnings, daily reports): each is
    # called with the database and ``now`` every round and returns how much it did; it
    # claims its own rows (SKIP LOCKED) and writes messages with
    # ``engine.store.messaging.write_messages`` so they leave through this outbox
    jobs: tuple[Callable[[Database, datetime], int], ...] = ()
    # messages of one batch sent at the same time (threads; each channel keeps a
    # connection per thread): a mail costs a few round trips to the server, so one at a
    # time caps a worker at a few hundred messages per second even on a quiet machine
    senders: int = 8
    _pool: ThreadPoolExecutor | None = field(default=None, init=False, repr=False)

    def directory(self) -> OrgDirectory:
        with self.db.session(write=False) as session:
            return current_directory(session)

    def fire_timers(self, now: datetime) -> int:
        with self.db.session(write=False) as session:  # most rounds: none due, no org read
            if session.connection().execute(sa.select(_timer.c.task_id).where(
                    _timer.c.due_at <= now).limit(1)).first() is None:
                return 0
        directory = self.directory()
        total = 0
        while True:
            with self.db.session() as session:
                claimed, fired = service.fire_timers(session, DbCatalog(session), directory,
                                                     now, limit=self.batch)
            total += fired
            if claimed < self.batch:
                return total

    def deliver_outbox(self, now: datetime) -> int:
        if self.deliver is None or not self.channels:
            return 0
        total = 0
        while True:
            done = self._deliver_batch(now)
            total += done
            if done < self.batch:
                return total

    def _due(self, now: datetime) -> sa.Select[Any]:
        return (sa.select(_outbox).where(_outbox.c.status == "pending",
                                         _outbox.c.channel.in_(sorted(self.channels)),
                                         _outbox.c.next_attempt_at <= now)
                .order_by(_outbox.c.next_attempt_at).limit(self.batch))

    def _deliver_batch(self, now: datetime) -> int:
        assert self.deliver is not None
        if self.db.dialect != "postgresql":  # one process: read, send, then write results
            with self.db.session(write=False) as session:
                rows = [dict(r) for r in session.connection().execute(self._due(now)).mappings()]
            results = self._send_all(rows)
            with self.db.session() as session:
                self._save(session.connection(), rows, results, now)
                session.commit()
            return len(rows)
        with self.db.session() as session:
            conn = session.connection()
            rows = [dict(r) for r in conn.execute(
                self._due(now).with_for_update(skip_locked=True)).mappings()]
            results = self._send_all(rows)
            self._save(conn, rows, results, now)
            session.commit()
        return len(rows)

    def _send_all(self, rows: list[dict[str, Any]]) -> list[_Failure | None]:
        """Send each row, except that a digest reader's messages due together on one
        channel go as one ``digest`` (``engine.notify.group_digests``) whose outcome is
        every member's."""
        results: list[_Failure | None] = [None] * len(rows)
        groups: dict[tuple[str, str], list[int]] = {}
        single: list[int] = []
        for i, row in enumerate(rows):
            if row["payload"].get("digest") and row["kind"] not in NOT_DIGESTED:
                groups.setdefault((row["recipient"], row["channel"]), []).append(i)
            else:
                single.append(i)
        if len(single) > 1 and self.senders > 1:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.senders, "signoff-send")
            for i, failure in zip(single, self._pool.map(self._send, (rows[i] for i in single)),
                                  strict=True):
                results[i] = failure
        else:
            for i in single:
                results[i] = self._send(rows[i])
        for members in groups.values():
            where = {str(rows[i]["id"]): i for i in members}
            for message in group_digests([NotifyMessage.from_dict(rows[i]["payload"])
                                          for i in members]):
                parts = [where[item["id"]] for item in message.data.get("items", ())
                         ] if message.kind == "digest" else [where[message.id]]
                first = rows[parts[0]]
                failure = self._send({**first, "kind": message.kind,
                                      "payload": message.to_dict(),
                                      "attempts": max(rows[i]["attempts"] for i in parts)})
                for i in parts:
                    results[i] = failure
        return results

    def _send(self, row: dict[str, Any]) -> _Failure | None:
        assert self.deliver is not None
        message = OutboxMessage(row["id"], row["kind"], row["recipient"], row["channel"],
                                row["payload"], row["attempts"] + 1)
        try:
            self.deliver(message)
        except Exception as exc:  # any failure of a channel is retried, then dead-lettered
            log.warning("delivery of %s to %s over %s failed: %s", row["id"],
                        row["recipient"], row["channel"], exc)
            if isinstance(exc, DeliveryFailed):
                return _Failure(exc.reason[:2000], exc.retryable, exc.retry_after)
            return _Failure(f"{type(exc).__name__}: {exc}"[:2000])
        return None

    def _save(self, conn: sa.Connection, rows: list[dict[str, Any]],
              results: list[_Failure | None], now: datetime) -> None:
        sent = [row for row, error in zip(rows, results, strict=True) if error is None]
        if sent:  # one statement for all the messages that went (most of them)
            conn.execute(_outbox.update().where(_outbox.c.id.in_([r["id"] for r in sent]))
                         .values(status="sent", attempts=_outbox.c.attempts + 1,
                                 sent_at=now, last_error=None))
        for row, error in zip(rows, results, strict=True):
            attempts = row["attempts"] + 1
            if error is not None:
                dead = attempts >= self.max_attempts or not error.retryable
                delay = min(self.backoff * 2 ** (attempts - 1), timedelta(hours=1))
                if error.retry_after:
                    delay = max(delay, timedelta(seconds=error.retry_after))
                values = {"status": "dead" if dead else "pending", "attempts": attempts,
                          "last_error": error.reason, "next_attempt_at": now + delay}
                conn.execute(_outbox.update().where(_outbox.c.id == row["id"]).values(values))

    def run_once(self, now: datetime | None = None, *, jobs: bool = True) -> tuple[int, int]:
        """One round: timers, deliveries, the extra jobs (unless ``jobs`` is false) and,
        when they did something, deliveries again; (fired, delivered). Messages already
        written leave before the jobs run (a forecast round takes a while), and what the
        jobs write leaves in the same round."""
        now = now or self.clock()
        fired = self.fire_timers(now)
        sent = self.deliver_outbox(now)
        if jobs:
            did = [job(self.db, now) for job in self.jobs]
            if any(did):
                sent += self.deliver_outbox(now)
        return fired, sent

    def next_due(self) -> datetime | None:
        with self.db.session(write=False) as session:
            conn = session.connection()
            timer = conn.execute(sa.select(sa.func.min(_timer.c.due_at))).scalar()
            mail = None
            if self.deliver is not None and self.channels:
                mail = conn.execute(sa.select(sa.func.min(_outbox.c.next_attempt_at)).where(
                    _outbox.c.status == "pending",
                    _outbox.c.channel.in_(sorted(self.channels)))).scalar()
        found = [t if t.tzinfo else t.replace(tzinfo=UTC) for t in (timer, mail) if t]
        return min(found) if found else None

    def run(self, stop: threading.Event) -> None:
        """Loop until ``stop`` is set (on SQLite, once it is this worker's turn: one
        running worker per database file)."""
        try:
            with sqlite_worker_turn(self.db.url, stop) as turn:
                if turn:
                    self._loop(stop)
        finally:
            self.close()

    def close(self) -> None:
        """Stop the sending threads (a later delivery starts them again)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)

    def _loop(self, stop: threading.Event) -> None:
        waiter = _Waiter(self.db, stop)
        last_jobs = -float("inf")
        try:
            while not stop.is_set():
                try:
                    # a burst of wake-ups (messages written at 100 per second) runs rounds
                    # back to back: the jobs (reports, forecasts) need not run in each
                    jobs = time.monotonic() - last_jobs >= self.jobs_every
                    if jobs:
                        last_jobs = time.monotonic()
                    self.run_once(jobs=jobs)
                except Exception:  # keep the worker alive; the next round retries
                    log.exception("worker round failed")
                    stop.wait(1.0)
                nxt = self.next_due()
                wait = self.max_sleep
                if nxt is not None:
                    wait = max(0.0, min(wait, (nxt - self.clock()).total_seconds()))
                waiter.wait(wait)
        finally:
            waiter.close()


class _Waiter:
    """Sleep until woken: LISTEN on PostgreSQL, the in-process bus on SQLite."""

    def __init__(self, db: Database, stop: threading.Event) -> None:
        self.db, self.stop = db, stop
        self.bus = messaging.bus_of(db.engine)
        self.conn: Any = None
        if db.dialect == "postgresql":
            import psycopg
            with db.engine.connect() as c:
                channel = messaging.wake_channel(messaging.schema_of(c))
            url = db.url.set(drivername="postgresql")
            self.conn = psycopg.connect(url.render_as_string(hide_password=False),
                                        autocommit=True)
            self.conn.execute(f'LISTEN "{channel}"')

    def wait(self, seconds: float) -> None:
        """Return when woken, when ``seconds`` passed or when ``stop`` is set (looked
        at every second)."""
        deadline = time.monotonic() + seconds
        while not self.stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            if self.conn is None:
                if self.bus.work.wait(min(left, 1.0)):
                    self.bus.work.clear()
                    return
                continue
            for _ in self.conn.notifies(timeout=min(left, 1.0), stop_after=1):
                return

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def run_in_thread(worker: Worker) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), name="signoff-worker",
                              daemon=True)
    thread.start()
    return thread, stop


def pending_count(db: Database, channels: Iterable[str] | None = None) -> int:
    with db.session(write=False) as session:
        q = sa.select(sa.func.count()).select_from(_outbox).where(_outbox.c.status == "pending")
        if channels is not None:
            q = q.where(_outbox.c.channel.in_(sorted(channels)))
        return int(session.connection().execute(q).scalar_one())


__all__ = ["Deliver", "OutboxMessage", "Worker", "by_channel", "channel_sender",
           "pending_count", "run_in_thread", "service_sender"]
