"""Firing due timers in batches: part of the service layer (``service.fire_timers``).

A batch claims up to ``limit`` due ``timer`` rows (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so workers never share one), loads the histories of their instances in one
query, decides each ``FireTimer`` command with the core exactly as a single command would
(every rule holds), and writes everything in one statement per table: the events, the
projection changes, the timer rows, the notifications and the outbox. One commit. Tasks an
escalation hands to someone out of office go on to their delegate in the same batch
(``engine.core.absence``), as after any command.

If another writer appended to one of the instances meanwhile, the event insert fails on
``(instance_id, seq)``; the caller rolls back and fires that batch one command at a time
instead. A timer that is no longer pending (its task closed) or no longer due by the
core's count is deleted.
"""

from __future__ import annotations

from collections import defaultdict
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
from engine.store import absences, bulk, event_log, messaging, writer
from engine.store.projections import Projection, project
from engine.store.tables import metadata

_timer = messaging.TimerRow.__table__  # type: ignore[attr-defined]
_events = metadata.tables["event_log"]


def claim(session: Session, now: datetime, limit: int) -> list[Any]:
    """Due timer rows, earliest first, locked for this transaction (skipping rows other
    workers hold)."""
    return list(session.connection().execute(
        sa.select(_timer.c.task_id, _timer.c.timer, _timer.c.instance_id)
        .where(_timer.c.due_at <= now).order_by(_timer.c.due_at).limit(limit)
        .with_for_update(skip_locked=True)))


def fire_batch(session: Session, catalog: Catalog, directory: OrgDirectory,
               now: datetime, limit: int) -> tuple[int, int]:
    """(timers claimed, timers fired); commits. Raises ``sa.exc.IntegrityError`` when an
    instance changed under the batch (nothing is written then)."""
    conn = session.connection()
    rows = claim(session, now, limit)
    if not rows:
        session.commit()
        return 0, 0
    mine: dict[UUID, list[tuple[UUID, str]]] = defaultdict(list)
    for task_id, key, instance_id in rows:
        mine[instance_id].append((task_id, key))
    histories = event_log.load_many(session, list(mine))
    calendar = messaging.calendar_of(conn.engine)
    definitions: dict[tuple[str, int], ProcessDefinition] = {}
    event_rows: list[dict[str, Any]] = []
    pairs: list[tuple[Projection | None, Projection]] = []
    plans: list[messaging.Planned] = []
    stale: list[dict[str, Any]] = []
    away: dict[str, absence.Absence] | None = None  # read once, when a batch needs it
    fired = 0
    for instance_id, timers in mine.items():
        history = histories.get(instance_id)
        if not history:
            stale += [{"t": t, "k": k} for t, k in timers]
            continue
        before = project(history)
        state = before.state
        ref = (state.definition_key, state.definition_version)
        defn = definitions.get(ref) or definitions.setdefault(ref, catalog.get(*ref))
        new: list[Event] = []
        for task_id, key in timers:
            try:
                events, state = decide_and_fold(defn, state, cmds.FireTimer(
                    task_id=task_id, timer=key), now, directory, calendar=calendar)
            except EngineError:  # not due by the core's count (the calendar changed)
                events = []
            if not events:
                stale.append({"t": task_id, "k": key})
                continue
            new += events
            fired += 1
        if not new:
            continue
        if absence.assigned(new):  # an escalation handed a task to someone away
            if away is None:
                away = absences.away(conn, now)
            new += absence.handovers(defn, state, new, away, now, directory, calendar)
        event_rows += event_log.records(instance_id, len(history), new)
        after = project([*history, *new], before)
        pairs.append((before, after))
        plans.append(messaging.plan(conn.engine, defn, before.state, after.state, new,
                                    len(history) + 1))
    if event_rows:
        bulk.insert_rows(conn, _events, event_rows)
        writer.write_many(session, pairs, conn)
    messaging.write_planned(session, plans, directory, now)
    bulk.delete_pairs(conn, _timer, "task_id", "timer", [(s["t"], s["k"]) for s in stale])
    session.commit()
    return len(rows), fired


__all__ = ["claim", "fire_batch"]
