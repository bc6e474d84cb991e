"""Writing timers and messages in a command's own transaction, and waking who waits.

``record(session, defn, before, after, events, first_seq, directory)`` is the one hook
the command path calls after writing the events and projections: it brings the
``timer`` rows of the instance from ``before`` to ``after`` (one row per pending
(task, timer)), writes the messages the events cause (``engine.core.messages``) to
``notification`` (in-app) and ``outbox`` (one row per outside channel the recipient
chose), and wakes the workers and live streams once the transaction commits:
PostgreSQL ``NOTIFY`` (delivered at commit, across processes) on the channels
``wake_channel`` / ``events_channel`` of the database schema, and on SQLite the
in-process ``Bus`` of the database file (one writing process runs everything there).

The org calendar that ``clock: working`` durations count on is set per database
engine by whoever opens it (``set_calendar``); the default is China office hours.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any
from uuid import UUID, uuid4, uuid5

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from engine.core.definition import ProcessDefinition
from engine.core.directory import OrgDirectory
from engine.core.events import Event, ServiceCalled
from engine.core.messages import Message, messages_for
from engine.core.state import InstanceState
from engine.core.timers import Timer, pending_timers
from engine.core.worktime import WorkingHours
from engine.notify.timing import Preferences, release_at
from engine.store import bulk
from engine.store.messaging_tables import (
    NotificationRow,
    OutboxRow,
    TimerBasis,
    TimerRow,
    UserPreference,
)

_timer = TimerRow.__table__  # type: ignore[attr-defined]
_outbox = OutboxRow.__table__  # type: ignore[attr-defined]
_note = NotificationRow.__table__  # type: ignore[attr-defined]
_pref = UserPreference.__table__  # type: ignore[attr-defined]
DEFAULT_CHANNELS = ("email",)
_PENDING = "signoff_publish"
_NOTIFY = sa.text("SELECT CASE WHEN :w <> '' THEN pg_notify(:w, '') END, "
                  "CASE WHEN :e <> '' THEN pg_notify(:e, :p) END")


# -- the org calendar, per database engine ------------------------------------------------
_calendars: dict[sa.Engine, WorkingHours] = {}


def set_calendar(engine: sa.Engine, calendar: WorkingHours) -> None:
    _calendars[engine] = calendar


def calendar_of(engine: sa.Engine) -> WorkingHours:
    found = _calendars.get(engine)
    if found is None:
        from engine.core.calendar import WorkingCalendar
        found = _calendars.setdefault(engine, WorkingCalendar())
    return found


# -- waking: NOTIFY on PostgreSQL, an in-process bus on SQLite -----------------------------
class Bus:
    """In-process wake-ups and live events of one database (SQLite, and the fan-out of
    what a PostgreSQL listener receives)."""

    def __init__(self) -> None:
        self.work = threading.Event()
        self._lock = threading.Lock()
        self._subscribers: list[Callable[[dict[str, Any]], None]] = []

    def subscribe(self, callback: Callable[[dict[str, Any]], None]) -> Callable[[], None]:
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)
        return unsubscribe

    def publish(self, item: dict[str, Any]) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            callback(item)


_buses: dict[str, Bus] = {}
_buses_guard = threading.Lock()
_schemas: dict[sa.Engine, str] = {}


def bus_of(engine: sa.Engine) -> Bus:
    key = engine.url.render_as_string(hide_password=True)
    with _buses_guard:
        return _buses.setdefault(key, Bus())


def schema_of(conn: sa.Connection) -> str:
    found = _schemas.get(conn.engine)
    if found is None:
        found = str(conn.execute(sa.text("SELECT current_schema()")).scalar_one())
        _schemas[conn.engine] = found
    return found


def wake_channel(schema: str) -> str:
    return f"signoff_work_{schema}"[:63]


def events_channel(schema: str) -> str:
    return f"signoff_events_{schema}"[:63]


def notify(session: Session, *, work: bool, users: Iterable[str] = (),
           inbox: Iterable[str] = (), conn: sa.Connection | None = None) -> None:
    """Wake workers (``work``) and tell live streams that ``users`` have new
    notifications and ``inbox`` users' inboxes changed, once the transaction commits."""
    users, inbox = sorted(set(users)), sorted(set(inbox))
    if not (work or users or inbox):
        return
    conn = conn or session.connection()
    item = {"users": users, "inbox": inbox}
    if conn.dialect.name == "postgresql":  # one round trip for both channels
        schema = schema_of(conn)
        payload = json.dumps(item)
        if len(payload) > 7900:  # NOTIFY payloads stop at 8000 bytes: everyone looks
            payload = json.dumps({"users": [], "inbox": [], "all": True})
        conn.execute(_NOTIFY, {"w": wake_channel(schema) if work else "",
                               "e": events_channel(schema) if users or inbox else "",
                               "p": payload})
        return
    pending = session.info.setdefault(_PENDING, [])
    pending.append((work, item if users or inbox else None))


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending or session.bind is None:
        return
    bus = bus_of(session.bind)  # type: ignore[arg-type]
    for work, item in pending:
        if work:
            bus.work.set()
        if item is not None:
            bus.publish(item)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


# -- the hook of the command path ----------------------------------------------------------
def _key(t: Timer) -> tuple[UUID, str]:
    return t.task_id, t.key


@dataclass
class Planned:
    """What one command's events mean for timers and messages, not yet written."""

    gone: list[dict[str, Any]] = field(default_factory=list)  # timer rows to delete
    added: list[dict[str, Any]] = field(default_factory=list)  # timer rows to insert
    messages: list[Message] = field(default_factory=list)
    inbox: set[str] = field(default_factory=set)  # users whose pending tasks changed
    calls: list[dict[str, Any]] = field(default_factory=list)  # service calls (outbox rows)


def _timer_diff(old: list[Timer], new: list[Timer], into: Planned) -> None:
    before = {_key(t): t for t in old}
    after = {_key(t): t for t in new}
    into.gone += [{"t": k[0], "k": k[1]} for k, t in before.items()
                  if k not in after or after[k].at != t.at]
    into.added += [{"task_id": t.task_id, "timer": t.key, "instance_id": t.instance_id,
                    "due_at": t.at} for k, t in after.items()
                   if k not in before or before[k].at != t.at]


def _write_timers(conn: sa.Connection, gone: list[dict[str, Any]],
                  added: list[dict[str, Any]]) -> None:
    bulk.delete_pairs(conn, _timer, "task_id", "timer", [(g["t"], g["k"]) for g in gone])
    bulk.insert_rows(conn, _timer, added)


def sync_timers(conn: sa.Connection, old: list[Timer], new: list[Timer]) -> bool:
    """Bring the timer rows from ``old`` to ``new``; True if a row was added."""
    planned = Planned()
    _timer_diff(old, new, planned)
    _write_timers(conn, planned.gone, planned.added)
    return bool(planned.added)


def plan(engine: sa.Engine, defn: ProcessDefinition, before: InstanceState | None,
         after: InstanceState, events: list[Event], first_seq: int) -> Planned:
    """The timer rows and messages that ``events`` (the first has ``seq`` ``first_seq``)
    cause, taking the instance from ``before`` to ``after``."""
    calendar = calendar_of(engine)
    planned = Planned(messages=messages_for(defn, events, first_seq, after))
    old = pending_timers(defn, before, calendar) if before is not None else []
    _timer_diff(old, pending_timers(defn, after, calendar), planned)
    holders = {t.assignee for t in after.tasks if t.status == "pending"}
    if before is not None:
        holders ^= {t.assignee for t in before.tasks if t.status == "pending"}
    planned.inbox = holders
    planned.calls = [service_call_row(e, now=e.at) for e in events
                     if isinstance(e, ServiceCalled)]
    return planned


SERVICE_CHANNEL = "service"  # the outbox channel of service steps' calls


def service_call_row(e: ServiceCalled, now: datetime) -> dict[str, Any]:
    """The outbox row of a service step's call: its id is the call's id (the receiver's
    idempotency id); the worker sends it to the system (``engine.notify.service``)."""
    payload = {"call_id": str(e.call_id), "instance_id": str(e.instance_id),
               "step": e.node, "system": e.system, "data": e.request,
               "created_at": now.isoformat()}
    return {"id": e.call_id, "kind": "service_call", "recipient": e.system,
            "channel": SERVICE_CHANNEL, "payload": payload, "created_at": now, "attempts": 0,
            "next_attempt_at": now, "status": "pending", "last_error": None,
            "sent_at": None}


def _with_numbers(conn: sa.Connection, messages: list[Message]) -> None:
    """Messages quote the request number (``engine.store.numbers``) where it has one."""
    from engine.store import numbers
    from engine.store.tables import Instance

    found = {m.instance_id: numbers.known(m.instance_id) for m in messages}
    missing = [iid for iid, number in found.items() if number is None]
    if missing:
        inst = Instance.__table__.c  # type: ignore[attr-defined]
        # a Result has keys(): dict.update would take it for a mapping, hence all()
        found.update(conn.execute(sa.select(inst.id, inst.number)
                                  .where(inst.id.in_(missing))).tuples().all())
    for m in messages:
        number = found.get(m.instance_id)
        if number:
            m.payload["request_number"] = number


def write_planned(session: Session, plans: list[Planned], directory: OrgDirectory,
                  now: datetime, conn: sa.Connection | None = None) -> None:
    """Write what ``plan`` found for one or many commands of this transaction, in one
    statement per table, and wake who waits once it commits (through ``conn``, the
    session's connection, when the caller has it at hand)."""
    conn = conn or session.connection()
    _write_timers(conn, [g for p in plans for g in p.gone], [a for p in plans for a in p.added])
    messages = [m for p in plans for m in p.messages]
    if messages:
        _with_numbers(conn, messages)
        write_messages(conn, messages, directory, now)
    calls = [c for p in plans for c in p.calls]
    bulk.insert_rows(conn, _outbox, calls)
    notify(session, work=bool(messages or calls) or any(p.added for p in plans),
           users=[m.recipient for m in messages], inbox=[u for p in plans for u in p.inbox],
           conn=conn)


def record(session: Session, defn: ProcessDefinition, before: InstanceState | None,
           after: InstanceState, events: list[Event], first_seq: int,
           directory: OrgDirectory, now: datetime, conn: sa.Connection | None = None) -> None:
    """The hook of the command path: timers and messages of one command's events."""
    conn = conn or session.connection()
    write_planned(session, [plan(conn.engine, defn, before, after, events, first_seq)],
                  directory, now, conn)


_PREFERENCES = sa.select(_pref).where(  # built once: a construct per call costs its cache key
    _pref.c.username.in_(sa.bindparam("names", expanding=True)))


def preferences(conn: sa.Connection, users: Iterable[str]) -> dict[str, dict[str, Any]]:
    names = sorted(set(users))
    if not names:
        return {}
    rows = conn.execute(_PREFERENCES, {"names": names}).mappings()
    return {r["username"]: dict(r) for r in rows}


def _preferences(pref: dict[str, Any], language: str) -> Preferences:
    def at(text: Any) -> time | None:
        return time.fromisoformat(text) if text else None
    return Preferences(channels=tuple(pref.get("channels") or DEFAULT_CHANNELS),
                       language="zh" if language == "zh" else "en",
                       timezone=pref.get("timezone") or "Asia/Shanghai",
                       quiet_start=at(pref.get("quiet_start")),
                       quiet_end=at(pref.get("quiet_end")), digest=bool(pref.get("digest")))


def _cast(payload: dict[str, Any]) -> tuple[Any, ...]:
    """The people a message names (initiator, actor, holders)."""
    holders = payload.get("holders") or []
    return (payload.get("initiator"), payload.get("actor"),
            *(holders if isinstance(holders, list) else [holders]))


def _people(payload: dict[str, Any], directory: OrgDirectory) -> dict[str, dict[str, str]]:
    """``{username: {"name", "name_zh"}}`` of the people a message names (``_cast``), so a
    mail shows names rather than user names."""
    out: dict[str, dict[str, str]] = {}
    for name in _cast(payload):
        user = directory.get(name) if isinstance(name, str) else None
        if user is not None:
            out[user.username] = {"name": user.name or user.username,
                                  "name_zh": user.name_zh or user.name or user.username}
    return out


def _recipient(username: str, pref: dict[str, Any], directory: OrgDirectory
               ) -> tuple[Preferences, dict[str, Any]]:
    user = directory.get(username)
    p = _preferences(pref, pref.get("language") or (user.locale if user else "en"))
    return p, {"user_id": username, "name": (user.name if user else "") or username,
               "email": (user.email if user else "") or "", "language": p.language,
               "timezone": p.timezone}


def _outbox_row(oid: UUID, kind: str, username: str, channel: str,
                recipient: dict[str, Any], data: dict[str, Any], release: datetime,
                now: datetime, digest: bool = False) -> dict[str, Any]:
    payload = {"id": str(oid), "kind": kind, "created_at": now.isoformat(),
               "recipient": recipient, "data": data, "digest": digest}
    return {"id": oid, "kind": kind, "recipient": username, "channel": channel,
            "payload": payload, "created_at": now, "attempts": 0,
            "next_attempt_at": release, "status": "pending", "last_error": None,
            "sent_at": None}


def write_messages(conn: sa.Connection, messages: list[Message], directory: OrgDirectory,
                   now: datetime) -> None:
    """A ``notification`` row per message (the bell) and an ``outbox`` row per outside
    channel the recipient chose (default e-mail; ``app`` alone means none), held until
    the end of their quiet hours or their digest time (``engine.notify.release_at``).
    The outbox payload is ``engine.notify.Message.to_dict()``; its data carries
    ``people`` (the names of the people it mentions)."""
    prefs = preferences(conn, (m.recipient for m in messages))
    notes: list[dict[str, Any]] = []
    out: list[dict[str, Any]] = []
    recipients: dict[str, tuple[Preferences, dict[str, Any]]] = {}  # once per person
    people: dict[tuple[Any, ...], dict[str, dict[str, str]]] = {}  # and per cast
    for m in messages:
        notes.append({"id": m.id, "username": m.recipient, "kind": m.kind,
                      "instance_id": m.instance_id, "payload": m.payload, "created_at": now,
                      "read_at": None})
        if m.recipient not in recipients:
            recipients[m.recipient] = _recipient(m.recipient, prefs.get(m.recipient, {}),
                                                 directory)
        p, recipient = recipients[m.recipient]
        if m.payload.get("language") in ("zh", "en"):  # a message in a set language (the
            recipient = {**recipient, "language": m.payload["language"]}  # daily report's)
        cast = _cast(m.payload)
        if cast not in people:
            people[cast] = _people(m.payload, directory)
        data = {**m.payload, "people": people[cast]}
        for channel in p.channels:
            if channel != "app":
                out.append(_outbox_row(uuid5(m.id, channel), m.kind, m.recipient, channel,
                                       recipient, data, release_at(p, m.kind, now), now,
                                       p.digest))
    bulk.insert_rows(conn, _note, notes)  # ids are new by construction (the event's seq)
    bulk.insert_rows(conn, _outbox, out)


def write_test_messages(conn: sa.Connection, username: str, channels: Iterable[str],
                        directory: OrgDirectory, now: datetime) -> list[tuple[UUID, str]]:
    """A ``test`` message to ``username`` in the outbox on each of ``channels`` (sent at
    once, whatever their quiet hours), for the worker to deliver: (id, channel) each."""
    p, recipient = _recipient(username, preferences(conn, [username]).get(username, {}),
                              directory)
    rows = [_outbox_row(uuid4(), "test", username, channel, recipient,
                        {"channel": channel, "sent_by": username, "path": "/settings"},
                        release_at(p, "test", now), now)
            for channel in dict.fromkeys(channels) if channel != "app"]
    if rows:
        conn.execute(_outbox.insert(), rows)
    return [(r["id"], r["channel"]) for r in rows]


__all__ = ["DEFAULT_CHANNELS", "SERVICE_CHANNEL", "Bus", "NotificationRow", "OutboxRow",
           "Planned", "TimerBasis", "TimerRow",
           "UserPreference", "bus_of", "calendar_of", "events_channel", "notify", "plan",
           "preferences", "record", "schema_of", "service_call_row", "set_calendar", "sync_timers",
           "wake_channel", "write_messages", "write_planned", "write_test_messages"]
