"""Firing due timers in batches: part of the service layer (``service.fire_timers``).

A batch claims up to ``limit`` due ``timer`` rows (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so workers never share one) with their task's and instance's projection rows,
loads the histories of their instances in one query, decides each ``FireTimer`` command
with the core exactly as a single command would (every rule holds), and writes everything
in one statement per table: the events, the projection changes, the timer rows, the
notifications and the outbox. One commit. Tasks an escalation hands to someone out of
office go on to their delegate in the same batch (``engine.core.absence``), as after any
command.

Most due timers are plain reminders (``before`` / ``at`` the due time), whose firing
changes nothing but the task's list of fired timers: an instance whose claimed timers are
all such reminders of its pending tasks skips the history (load, replay, decide, project,
timer diff) and fires them from the claimed rows with the core's ``plain_reminder`` and
``reminder_messages``; the rows written are the ones the command would write
(``tests/store/test_firing_short.py`` compares them).

If another writer appended to one of the instances meanwhile, the event insert fails on
``(instance_id, seq)``; the caller rolls back and fires that batch one command at a time
instead. A timer that is no longer pending (its task closed) or no longer due by the
core's count is deleted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Session

from engine.core import absence
from engine.core import commands as cmds
from engine.core.catalog import Catalog
from engine.core.decide import decide_and_fold
from engine.core.definition import ProcessDefinition
from engine.core.directory import OrgDirectory
from engine.core.errors import EngineError
from engine.core.events import Event
from engine.core.messages import reminder_messages
from engine.core.timers import plain_reminder
from engine.core.worktime import WorkingHours
from engine.store import absences, bulk, event_log, messaging, numbers, writer
from engine.store import definitions as defs
from engine.store.projections import Projection, project
from engine.store.tables import metadata

_timer = messaging.TimerRow.__table__  # type: ignore[attr-defined]
_events = metadata.tables["event_log"]
_task = metadata.tables["task"]
_instance = metadata.tables["instance"]
_version = metadata.tables["definition_version"]
_TITLE: int = _instance.c.title.type.length  # type: ignore[attr-defined]  # may be cut short
_CLAIM = (sa.select(_timer.c.task_id, _timer.c.timer, _timer.c.instance_id,
                    _task.c.status.label("task_status"), _task.c.node, _task.c.assignee,
                    _task.c.due_at, _instance.c.status, _instance.c.node.label("at_node"),
                    _instance.c.seq, _instance.c.title, _instance.c.initiator,
                    _instance.c.data, _instance.c.number, _instance.c.definition_key,
                    _instance.c.definition_version, _version.c.digest)
          .select_from(_timer.outerjoin(_task, _task.c.id == _timer.c.task_id)
                       .outerjoin(_instance, _instance.c.id == _timer.c.instance_id)
                       .outerjoin(_version, sa.and_(
                           _version.c.key == _instance.c.definition_key,
                           _version.c.version == _instance.c.definition_version)))
          .where(_timer.c.due_at <= sa.bindparam("now")).order_by(_timer.c.due_at)
          .limit(sa.bindparam("limit")).with_for_update(skip_locked=True, of=_timer))


def claim(session: Session, now: datetime, limit: int) -> list[Any]:
    """Due timer rows, earliest first, locked for this transaction (skipping rows other
    workers hold), with their task's and instance's projection rows (``task_id``,
    ``timer``, ``instance_id``, ``task_status``, ``node``, ``assignee``, ``due_at`` of
    the task, ``status``, ``at_node``, ``seq``, ``title``, ``initiator``, ``data``,
    ``number``, the definition version of the instance and its ``digest``; None where the
    row is gone)."""
    return list(session.connection().execute(_CLAIM, {"now": now, "limit": limit}))


@dataclass
class _Writes:
    """What a batch writes, gathered over its instances."""

    events: list[dict[str, Any]] = field(default_factory=list)
    pairs: list[tuple[Projection | None, Projection]] = field(default_factory=list)
    advanced: list[tuple[UUID, int, datetime]] = field(default_factory=list)
    plans: list[messaging.Planned] = field(default_factory=list)
    stale: list[tuple[UUID, str]] = field(default_factory=list)
    fired: int = 0
    short: int = 0  # timers fired from their rows (``_reminders``)


def fire_batch(session: Session, catalog: Catalog, directory: OrgDirectory,
               now: datetime, limit: int) -> tuple[int, int]:
    """(timers claimed, timers fired); commits. Raises ``sa.exc.IntegrityError`` when an
    instance changed under the batch (nothing is written then)."""
    rows = claim(session, now, limit)
    fired = write_batch(session, catalog, directory, now, rows).fired if rows else 0
    session.commit()
    return len(rows), fired


def write_batch(session: Session, catalog: Catalog, directory: OrgDirectory,
                now: datetime, rows: list[Any], *, short: bool = True) -> _Writes:
    """Fire the claimed ``rows`` and write it all, without committing. An instance whose
    claimed timers are all plain reminders of its pending tasks fires them from the rows
    (``_reminders``) unless ``short`` is False; the others go through the core's
    ``FireTimer`` on their histories (``_by_command``)."""
    conn = session.connection()
    calendar = messaging.calendar_of(conn.engine)
    mine: dict[UUID, list[Any]] = defaultdict(list)
    for row in rows:
        mine[row.instance_id].append(row)
    definitions: dict[tuple[str, int], ProcessDefinition] = {}

    def definition(ref: tuple[str, int], digest: str | None = None) -> ProcessDefinition:
        found = definitions.get(ref) or (defs.cached(*ref, digest) if digest else None)
        return definitions.setdefault(ref, found or catalog.get(*ref))

    out = _Writes()
    rest = {iid: claimed for iid, claimed in mine.items()
            if not (short and _reminders(out, definition, claimed, now, calendar))}
    if rest:
        _by_command(session, out, definition, rest, directory, now, calendar)
    with bulk.together(conn):  # the bulk writes in one statement (PostgreSQL)
        if out.events:
            bulk.insert_rows(conn, _events, out.events)
            writer.write_many(session, out.pairs, conn)
            writer.advance(conn, out.advanced)
        messaging.write_planned(session, out.plans, directory, now)
        bulk.delete_pairs(conn, _timer, "task_id", "timer", out.stale)
    return out


def _reminders(out: _Writes, definition: Callable[..., ProcessDefinition],
               claimed: list[Any], now: datetime, calendar: WorkingHours) -> bool:
    """Fire the timers claimed for one instance from their rows, when the instance runs and
    each timer is a plain reminder of a pending task (``timers.plain_reminder``: the same
    event ``FireTimer`` emits; the timer row proves it has not fired). Its projections
    change only in ``seq`` and ``updated_at``, its messages are ``reminder_messages``.
    False, having done nothing, for anything else. Times in the log are UTC (every
    command's ``now``), so the rows' UTC times give the same event payloads."""
    first = claimed[0]
    if first.status != "running" or first.at_node is None or len(first.title) >= _TITLE:
        return False
    defn = definition((first.definition_key, first.definition_version), first.digest)
    if first.number:  # the messages quote it (messaging reads it there)
        numbers.remember(first.instance_id, first.number)
    new = []
    for row in claimed:
        e = None if row.task_status != "pending" or row.due_at is None else plain_reminder(
            defn, row.instance_id, row.task_id, row.node, row.assignee, row.due_at,
            row.timer, now, calendar)
        if e is None:
            return False
        new.append((e, row.due_at.isoformat()))
    iid, seq = first.instance_id, first.seq
    out.events += event_log.records(iid, seq, [e for e, _ in new])
    out.plans.append(messaging.Planned(
        gone=[{"t": row.task_id, "k": row.timer} for row in claimed],
        messages=reminder_messages(
            defn, iid, first.title, first.initiator, first.data,
            [(i, e, due) for i, (e, due) in enumerate(new, start=seq + 1)])))
    out.advanced.append((iid, seq + len(new), now))
    out.fired += len(new)
    out.short += len(new)
    return True


def _by_command(session: Session, out: _Writes,
                definition: Callable[[tuple[str, int]], ProcessDefinition],
                mine: dict[UUID, list[Any]], directory: OrgDirectory, now: datetime,
                calendar: WorkingHours) -> None:
    """Fire the timers claimed for these instances as ``FireTimer`` commands on their
    histories, as a single command would (every rule holds)."""
    conn = session.connection()
    histories = event_log.load_many(session, list(mine))
    away: dict[str, absence.Absence] | None = None  # read once, when a batch needs it
    for instance_id, claimed in mine.items():
        history = histories.get(instance_id)
        if not history:
            out.stale += [(row.task_id, row.timer) for row in claimed]
            continue
        before = project(history)
        state = before.state
        defn = definition((state.definition_key, state.definition_version))
        new: list[Event] = []
        for row in claimed:
            try:
                events, state = decide_and_fold(defn, state, cmds.FireTimer(
                    task_id=row.task_id, timer=row.timer), now, directory, calendar=calendar)
            except EngineError:  # not due by the core's count (the calendar changed)
                events = []
            if not events:
                out.stale.append((row.task_id, row.timer))
                continue
            new += events
            out.fired += 1
        if not new:
            continue
        if absence.assigned(new):  # an escalation handed a task to someone away
            if away is None:
                away = absences.away(conn, now)
            new += absence.handovers(defn, state, new, away, now, directory, calendar)
        out.events += event_log.records(instance_id, len(history), new)
        after = project([*history, *new], before)
        out.pairs.append((before, after))
        out.plans.append(messaging.plan(conn.engine, defn, before.state, after.state, new,
                                        len(history) + 1))


__all__ = ["claim", "fire_batch", "write_batch"]
