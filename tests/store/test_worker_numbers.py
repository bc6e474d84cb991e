"""A worker in a process of its own has not seen the requests started elsewhere: the
reminders it fires still quote each request's number, read from the database (SQLite
and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from engine.store import NotificationRow, numbers
from engine.worker import Worker
from tests.store.conftest import T0, World
from tests.store.test_timers_outbox import start, timed  # noqa: F401  (the fixture)


def test_reminders_fired_elsewhere_quote_the_request_number(timed: World) -> None:  # noqa: F811
    first, second = start(timed, "pens"), start(timed, "ink")
    with timed.db.session(write=False) as s:
        inst = sa.table("instance", sa.column("id", sa.Uuid), sa.column("number"))
        number = dict(s.connection().execute(sa.select(inst.c.id, inst.c.number)).tuples().all())
    assert number[first.id] and number[second.id]
    numbers._known.clear()  # as in a fresh worker process
    fired, _ = Worker(timed.db).run_once(T0 + timedelta(hours=23))  # {before: 2h} is due
    assert fired == 6  # three buyers hold each request
    table = NotificationRow.__table__  # type: ignore[attr-defined]
    with timed.db.session(write=False) as s:
        got = {r.instance_id: r.payload["request_number"] for r in s.connection().execute(
            sa.select(table).where(table.c.kind == "reminder"))}
    assert got == {first.id: number[first.id], second.id: number[second.id]}
