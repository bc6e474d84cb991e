"""Timers counted in working time follow the org calendar: when it changes (the
settings, read at start-up), ``service.recompute_timers`` moves every pending timer row
to its new due time, once, on SQLite and PostgreSQL; the worker then fires it at the new
time rather than dropping it as not due."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, time
from pathlib import Path

import sqlalchemy as sa

from engine import service
from engine.core import commands as cmds
from engine.core.calendar import WorkingCalendar
from engine.core.directory import OrgDirectory
from engine.core.directory import load_directory as read_org
from engine.core.state import replay
from engine.core.timers import pending_timers
from engine.store import Database, TimerRow, event_log, messaging
from engine.worker import Worker
from tests.store.conftest import FIXTURES

OFFICE = """
key: office
title: Office hours
form: {type: object, properties: {n: {type: integer}}}
defaults: {sla: 1d, clock: working, escalate: [{after: 4h, notify: manager}]}
start: check
nodes:
  check:
    approvers: {user: bob}
    on: {approve: done}
  done: {final: approved}
"""
THURSDAY = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
MONDAY_TO_FRIDAY = WorkingCalendar(country=None, timezone="UTC", start=time(9), end=time(17))
MONDAY_TO_WEDNESDAY = WorkingCalendar(country=None, timezone="UTC", start=time(9),
                                      end=time(17), weekdays=frozenset({0, 1, 2}))


def _rows(db: Database) -> dict[tuple[str, str], datetime]:
    table = TimerRow.__table__  # type: ignore[attr-defined]
    with db.session(write=False) as s:
        return {(str(r.task_id), r.timer): r.due_at
                for r in s.connection().execute(sa.select(table))}


def _expected(db: Database, calendar: WorkingCalendar) -> dict[tuple[str, str], datetime]:
    with db.session(write=False) as s:
        catalog = service.DbCatalog(s)
        out = {}
        for events in event_log.load_many(s, [i for ids in event_log.instance_ids(s)
                                              for i in ids]).values():
            state = replay(events)
            defn = catalog.get(state.definition_key, state.definition_version)
            out |= {(str(t.task_id), t.key): t.at
                    for t in pending_timers(defn, state, calendar)}
    return out


def _recompute(db: Database) -> int:
    with db.session() as s:
        return service.recompute_timers(s, service.DbCatalog(s))


def _office(db: Database, tmp_path: Path) -> OrgDirectory:
    """The office process published on a five-day calendar; the org it runs in."""
    folder = tmp_path / "defs"
    folder.mkdir()
    shutil.copy(FIXTURES / "org.yaml", folder / "org.yaml")
    (folder / "office.yaml").write_text(OFFICE, encoding="utf-8")
    org = read_org(folder / "org.yaml")
    messaging.set_calendar(db.engine, MONDAY_TO_FRIDAY)
    with db.session() as s:
        service.save_directory(s, org)
        s.commit()
        service.sync_definitions(s, folder, org, actor="owner", now=THURSDAY)
    return org


def test_a_changed_calendar_moves_pending_timers(db: Database, tmp_path: Path) -> None:
    org = _office(db, tmp_path)
    assert _recompute(db) == 0  # nothing to move; the calendar is recorded
    for n in range(3):
        with db.session() as s:
            service.start(s, service.DbCatalog(s), org, cmds.StartInstance(
                definition_key="office", initiator="ann", data={"n": n}), THURSDAY)
    before = _rows(db)
    assert len(before) == 3 and before == _expected(db, MONDAY_TO_FRIDAY)  # an escalation each
    assert _recompute(db) == 0  # same calendar: untouched

    messaging.set_calendar(db.engine, MONDAY_TO_WEDNESDAY)  # a restart, a shorter week
    assert _recompute(db) == 3
    after = _rows(db)
    assert after == _expected(db, MONDAY_TO_WEDNESDAY) and after.keys() == before.keys()
    # due Friday 10:00 (recorded when the task was created); 4 working hours after it:
    # Friday 14:00 on a five-day week, Monday 13:00 when Friday is not a working day
    assert all(b == datetime(2026, 3, 6, 14, tzinfo=UTC) for b in before.values())
    assert all(a == datetime(2026, 3, 9, 13, tzinfo=UTC) for a in after.values())
    assert _recompute(db) == 0  # recorded: done once

    reminder, old_reminder = min(after.values()), min(before.values())
    worker = Worker(db)
    assert worker.run_once(old_reminder)[0] == 0  # no longer due then...
    assert _rows(db) == after  # ...and kept
    assert worker.run_once(reminder)[0] == 3  # fired at the new time
    assert _rows(db) == {}


def test_forced_recompute_restores_rows(db: Database, tmp_path: Path) -> None:
    """``force`` rewrites rows from the histories even when the calendar is unchanged
    (a row deleted by hand comes back)."""
    org = _office(db, tmp_path)
    with db.session() as s:
        service.start(s, service.DbCatalog(s), org, cmds.StartInstance(
            definition_key="office", initiator="ann", data={"n": 1}), THURSDAY)
    assert _recompute(db) == 0
    rows = _rows(db)
    table = TimerRow.__table__  # type: ignore[attr-defined]
    with db.session() as s:
        s.connection().execute(table.delete())
        s.commit()
    with db.session() as s:
        assert service.recompute_timers(s, service.DbCatalog(s), force=True) == 1
    assert _rows(db) == rows
    assert list(rows.values()) == [datetime(2026, 3, 6, 14, tzinfo=UTC)]
