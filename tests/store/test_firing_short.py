"""Firing plain reminders from the claimed rows (``engine.firing``'s short way) writes the
rows the command path writes: the same claimed timers are fired once each way in a
transaction that is rolled back, and every table the firing touches is compared (SQLite
and PostgreSQL), at clock points where the short way applies, where it does not (repeats,
escalations) and where both meet in one batch."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from engine import firing, service
from engine.core import commands as cmds
from engine.outbox import save_preferences
from engine.store import metadata
from tests.store.conftest import T0, World, pending
from tests.store.test_timers_outbox import start, timed  # noqa: F401  (the fixture)

WORKING = """
key: worktimed
title: Working-time purchase
form: {type: object, properties: {item: {type: string}}}
defaults:
  sla: 1d
  clock: working
  remind: [{before: 2h}, {at: due}]
start: check
nodes:
  check:
    approvers: {role: buyer}
    on: {approve: approved}
  approved: {final: approved}
"""
TABLES = ("event_log", "instance", "task", "node_visit", "cc", "timer", "notification",
          "outbox")


def _snapshot(conn: sa.Connection) -> dict[str, list[dict[str, Any]]]:
    out = {}
    for name in TABLES:
        table = metadata.tables[name]
        columns = [c for c in table.c  # not the serial ids (sequences are not rolled back)
                   if not (name in ("event_log", "cc") and c.name == "id")]
        found = [dict(r) for r in conn.execute(sa.select(*columns)).mappings()]
        out[name] = sorted(found, key=lambda r: json.dumps(r, sort_keys=True, default=str))
    return out


def _fire(w: World, now: datetime, rows: list[Any], short: bool
          ) -> tuple[dict[str, list[dict[str, Any]]], int, int]:
    with w.db.session() as s:
        done = firing.write_batch(s, service.DbCatalog(s), w.org, now, rows, short=short)
        seen = _snapshot(s.connection())
        s.rollback()
    return seen, done.fired, done.short


def _both_ways(w: World, now: datetime) -> tuple[int, int]:
    """(timers fired, of which the short way) after checking both ways write the same."""
    with w.db.session() as s:
        rows = firing.claim(s, now, 500)
        s.rollback()
    short, fired, by_rows = _fire(w, now, rows, True)
    command, fired_too, none = _fire(w, now, rows, False)
    assert none == 0 and fired == fired_too
    for name in TABLES:
        assert short[name] == command[name], name
    return fired, by_rows


def test_plain_reminders_from_rows_write_what_the_command_writes(timed: World) -> None:  # noqa: F811
    with timed.db.session() as s:  # preferences shape the outbox rows: channels, quiet hours
        save_preferences(s, "bob", {"channels": ["email", "webhook"], "language": "zh",
                                    "quiet_start": "22:00", "quiet_end": "08:00"}, T0)
        save_preferences(s, "cat", {"channels": ["app"], "digest": True}, T0)
        s.commit()
    states = [start(timed, item) for item in ("pens", "paper", "ink")]
    bob = pending(states[2], "bob")[0]  # this one moves on to the manager's escalations
    timed.on_task(cmds.DecideTask(task_id=bob.task_id, actor="bob", action="approve"), T0)
    fired, by_rows = _both_ways(timed, T0 + timedelta(hours=22))  # reminders before due
    assert fired == by_rows == 2 * 3
    fired, by_rows = _both_ways(timed, T0 + timedelta(days=1))  # and at due: two a task
    assert fired == by_rows == 2 * 3 * 2
    fired, by_rows = _both_ways(timed, T0 + timedelta(days=1, hours=2))  # + a reassignment
    assert by_rows == 2 * 3 * 2 and fired == by_rows + 1
    fired, by_rows = _both_ways(timed, T0 + timedelta(days=3))  # repeats, escalations
    assert by_rows == 0 and fired > 0


def test_reminders_on_working_time_then_nothing_is_left(timed: World) -> None:  # noqa: F811
    with timed.db.session() as s:
        service.publish_definition(s, WORKING, "owner", timed.org, now=T0)
        s.commit()
    with timed.db.session() as s:
        state = service.start(s, service.DbCatalog(s), timed.org, cmds.StartInstance(
            definition_key="worktimed", initiator="ann", data={"item": "pens"}), T0)
    late = T0 + timedelta(days=5)
    assert _both_ways(timed, late) == (3 * 2, 3 * 2)
    with timed.db.session() as s:  # fired for real: each once, the log and rows agree
        assert service.fire_timers(s, service.DbCatalog(s), timed.org, late) == (6, 6)
    with timed.db.session(write=False) as s:
        sent = [e for e in service.instance_events(s, state.id) if e.kind == "reminder_sent"]
        assert len(sent) == 6 and service.check(s) == []
    assert _both_ways(timed, late + timedelta(days=1)) == (0, 0)
