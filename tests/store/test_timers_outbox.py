"""Timers and the outbox in the database (SQLite and PostgreSQL): rows written with
the command, fired once by the worker through the service, messages of every kind
written with their event, delivered with retries, backoff and a dead letter."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from engine import service
from engine.core import commands as cmds
from engine.core.decide import may_view
from engine.core.directory import load_directory as read_org
from engine.store import Database, NotificationRow, OutboxRow, TimerRow
from engine.worker import OutboxMessage, Worker
from tests.notify.conftest import smtp_server  # noqa: F401  (a real local SMTP server)
from tests.store.conftest import FIXTURES, T0, World, pending

TIMED = """
key: timed
title: Timed purchase
instance_title: "Timed: {item}"
form:
  type: object
  required: [item]
  properties: {item: {type: string}}
defaults:
  sla: 1d
  remind: [{before: 2h}, {at: due}, {every: 1d, after: due, max: 2}]
  escalate: [{after: 1d, notify: manager}]
start: check
nodes:
  check:
    approvers: {role: buyer}
    on: {approve: boss_ok, reject: rejected, return: initiator}
  boss_ok:
    approvers: {user: mgr}
    remind: []
    escalate:
      - {after: 1h, reassign: {user: boss}}
      - {after: 2d, auto: approve, reason: Approved after 2 days overdue}
    on: {approve: tell, reject: rejected}
  tell: {notify: {role: office}, next: approved}
  approved: {final: approved}
  rejected: {final: rejected}
"""


@pytest.fixture
def timed(db: Database, db_url: str, tmp_path: Path) -> World:
    folder = tmp_path / "defs"
    folder.mkdir()
    shutil.copy(FIXTURES / "org.yaml", folder / "org.yaml")
    (folder / "timed.yaml").write_text(TIMED, encoding="utf-8")
    org = read_org(folder / "org.yaml")
    with db.session() as s:
        service.save_directory(s, org)
        s.commit()
        service.sync_definitions(s, folder, org, actor="owner", now=T0)
    return World(db, org, db_url)


def start(w: World, item: str = "pens") -> Any:
    with w.db.session() as s:
        return service.start(s, service.DbCatalog(s), w.org, cmds.StartInstance(
            definition_key="timed", initiator="ann", data={"item": item}), T0)


def rows(w: World, table: Any, **where: Any) -> list[dict[str, Any]]:
    t = table.__table__
    with w.db.session(write=False) as s:
        q = sa.select(t).where(*(t.c[k] == v for k, v in where.items()))
        return [dict(r) for r in s.connection().execute(q).mappings()]


def kinds(w: World, iid: Any) -> list[str]:
    with w.db.session(write=False) as s:
        return [e.kind for e in service.instance_events(s, iid)]


def test_timer_rows_are_written_and_removed_with_the_commands(timed: World) -> None:
    state = start(timed)
    timers = rows(timed, TimerRow, instance_id=state.id)
    assert len(timers) == 3 * 5  # three buyers, five timers each
    assert {r["due_at"] for r in timers if r["timer"] == "remind.1"} == {T0 + timedelta(days=1)}
    bob = pending(state, "bob")[0]
    timed.on_task(cmds.DecideTask(task_id=bob.task_id, actor="bob", action="approve"),
                  T0 + timedelta(hours=1))
    left = rows(timed, TimerRow, instance_id=state.id)
    assert {r["timer"] for r in left} == {"escalate.0", "escalate.1"}  # mgr's task only


def test_worker_fires_each_timer_once_even_when_late(timed: World) -> None:
    state = start(timed)
    worker = Worker(timed.db)
    assert worker.run_once(T0 + timedelta(hours=1)) == (0, 0)
    late = T0 + timedelta(days=3)  # everything came due while no worker ran
    fired, _ = worker.run_once(late)
    assert fired == 3 * 4  # per buyer: before, at, the latest repeat, the escalation
    assert worker.run_once(late + timedelta(hours=1)) == (0, 0)
    with timed.db.session(write=False) as s:
        events = service.instance_events(s, state.id)
    sent = [e for e in events if e.kind == "reminder_sent"]
    assert len({(e.task_id, e.timer) for e in sent}) == len(sent)  # type: ignore[attr-defined]
    assert all(e.at == late for e in sent)
    escalated = [e for e in events if e.kind == "task_escalated"]
    assert escalated and all(e.recipients == ("mgr",) for e in escalated)  # type: ignore
    assert rows(timed, TimerRow, instance_id=state.id) == []
    reminders = rows(timed, OutboxRow, kind="reminder")
    assert sorted(r["recipient"] for r in reminders) == sorted(["bob", "cat", "dan"] * 3)
    assert len(rows(timed, NotificationRow, kind="escalated")) == 3
    # the manager told by the escalation may open the request the message links to
    with timed.db.session(write=False) as s:
        view = service.get_instance(s, state.id)
        assert "mgr" in view.cc
        assert may_view(view, "mgr", timed.org)
        assert service.check(s) == []  # the cc rows agree with the event log


def test_reassign_then_auto_approve_as_the_system(timed: World) -> None:
    state = start(timed)
    bob = pending(state, "bob")[0]
    timed.on_task(cmds.DecideTask(task_id=bob.task_id, actor="bob", action="approve"), T0)
    worker = Worker(timed.db)
    worker.run_once(T0 + timedelta(days=1, hours=2))
    assert kinds(timed, state.id)[-2:] == ["task_escalated", "task_reassigned"]
    assert [r["recipient"] for r in rows(timed, OutboxRow, kind="task_assigned")][-1] == "boss"
    worker.run_once(T0 + timedelta(days=3, hours=1))
    with timed.db.session(write=False) as s:
        final = service.get_instance(s, state.id)
        decided = [e for e in service.instance_events(s, state.id) if e.kind == "task_decided"]
    assert final.status == "approved"
    assert decided[-1].actor == "system"  # type: ignore[attr-defined]
    assert decided[-1].comment == "Approved after 2 days overdue"  # type: ignore
    assert {r["recipient"] for r in rows(timed, OutboxRow, kind="copied")} == {"eve"}
    assert [r["recipient"] for r in rows(timed, OutboxRow, kind="approved")] == ["ann"]


def test_every_message_kind_is_written_with_its_event(timed: World) -> None:
    state = start(timed)
    assert {r["recipient"] for r in rows(timed, OutboxRow, kind="task_assigned")} == \
        {"bob", "cat", "dan"}
    assert [r["recipient"] for r in rows(timed, OutboxRow, kind="now_with")] == ["ann"]
    bob = pending(state, "bob")[0]
    timed.on_task(cmds.DecideTask(task_id=bob.task_id, actor="bob", action="return",
                                  comment="Which colour?"), T0)
    returned = rows(timed, OutboxRow, kind="returned")
    assert [r["recipient"] for r in returned] == ["ann"]
    assert returned[0]["payload"]["data"]["reason"] == "Which colour?"
    assert returned[0]["payload"]["recipient"]["user_id"] == "ann"
    again = timed.execute(state.id, cmds.Resubmit(actor="ann", data={"item": "blue pens"}), T0)
    cat = pending(again, "cat")[0]
    timed.on_task(cmds.DecideTask(task_id=cat.task_id, actor="cat", action="reject",
                                  comment="Blue is out of stock"), T0)
    rejected = rows(timed, OutboxRow, kind="rejected")
    assert [r["recipient"] for r in rejected] == ["ann"]
    assert rejected[0]["payload"]["data"]["reason"] == "Blue is out of stock"  # told why
    assert rejected[0]["payload"]["data"]["actor"] == "cat"
    notes = rows(timed, NotificationRow, username="ann")
    assert {n["kind"] for n in notes} >= {"now_with", "returned", "rejected"}
    ids = [r["id"] for r in rows(timed, OutboxRow)]
    assert len(ids) == len(set(ids))


def test_delivery_retries_with_backoff_then_dead_letters(timed: World) -> None:
    start(timed)
    calls: list[OutboxMessage] = []
    failing = {"bob"}

    def deliver(message: OutboxMessage) -> None:
        calls.append(message)
        if message.recipient in failing:
            raise ConnectionError("receiver down")

    worker = Worker(timed.db, deliver, frozenset({"email"}), max_attempts=3,
                    backoff=timedelta(minutes=1))
    _, sent = worker.run_once(T0)
    assert sent == 4  # three buyers assigned, ann told where her request is
    by_user = {r["recipient"]: r for r in rows(timed, OutboxRow, kind="task_assigned")}
    assert by_user["cat"]["status"] == "sent" and by_user["bob"]["status"] == "pending"
    assert by_user["bob"]["attempts"] == 1 and "receiver down" in by_user["bob"]["last_error"]
    assert by_user["bob"]["next_attempt_at"] == T0 + timedelta(minutes=1)
    worker.run_once(T0 + timedelta(seconds=30))  # not yet: backoff
    assert rows(timed, OutboxRow, recipient="bob", kind="task_assigned")[0]["attempts"] == 1
    worker.run_once(T0 + timedelta(minutes=1))
    worker.run_once(T0 + timedelta(minutes=3))
    bob = rows(timed, OutboxRow, recipient="bob", kind="task_assigned")[0]
    assert bob["status"] == "dead" and bob["attempts"] == 3
    first = [m for m in calls if m.recipient == "bob"]
    assert len({m.id for m in first}) == 1 and [m.attempt for m in first] == [1, 2, 3]
    assert all(m.channel == "email" for m in calls)


def test_without_a_channel_mail_stays_in_the_outbox(timed: World) -> None:
    start(timed)
    Worker(timed.db).run_once(T0 + timedelta(days=5))
    assert {r["status"] for r in rows(timed, OutboxRow)} == {"pending"}


def test_timers_survive_a_restart(timed: World, db_url: str) -> None:
    from engine.store import open_database
    state = start(timed)
    timed.db.dispose()
    again = open_database(db_url)
    try:
        fired, _ = Worker(again).run_once(T0 + timedelta(hours=23))
        assert fired == 3
        with again.session(write=False) as s:
            sent = [e for e in service.instance_events(s, state.id)
                    if e.kind == "reminder_sent"]
        assert {e.scheduled_at for e in sent} == {T0 + timedelta(hours=22)}  # type: ignore
    finally:
        again.dispose()


def test_reminders_reach_a_real_smtp_server_once(timed: World,
                                                smtp_server: Any) -> None:  # noqa: F811
    from engine.notify import SmtpChannel
    from engine.worker import channel_sender
    state = start(timed)
    bob = pending(state, "bob")[0]
    timed.on_task(cmds.DecideTask(task_id=bob.task_id, actor="bob", action="approve"), T0)
    channel = SmtpChannel(smtp_server.host, smtp_server.port, sender="Signoff <s@example.com>")
    worker = Worker(timed.db, channel_sender({"email": channel}), frozenset({"email"}))
    try:
        worker.run_once(T0 + timedelta(days=1, hours=2))  # reassigned to boss
        worker.run_once(T0 + timedelta(days=1, hours=3))
    finally:
        channel.close()
    mails = smtp_server.mailbox.mails
    assert [m["To"] for m in mails] == ["Big Boss <boss@example.com>"]
    sent = [r for r in rows(timed, OutboxRow, recipient="boss") if r["status"] == "sent"]
    assert len(sent) == 1 and str(sent[0]["id"]) in mails[0]["Message-ID"]
    no_address = rows(timed, OutboxRow, recipient="ann")  # the directory has no address
    assert no_address and {r["status"] for r in no_address} == {"dead"}


def test_a_digest_reader_gets_one_message_for_what_came_due_together(timed: World) -> None:
    from engine.outbox import save_preferences
    with timed.db.session() as s:
        save_preferences(s, "ann", {"channels": ["app", "email"], "digest": True,
                                    "timezone": "UTC"}, T0)
        s.commit()
    for item in ("pens", "paper", "ink"):
        start(timed, item)
    held = rows(timed, OutboxRow, recipient="ann")
    assert len(held) == 3 and {r["next_attempt_at"] for r in held} == {T0.replace(hour=9)}
    calls: list[OutboxMessage] = []
    worker = Worker(timed.db, calls.append, frozenset({"email"}))
    worker.run_once(T0 + timedelta(hours=1))
    mine = [m for m in calls if m.recipient == "ann"]
    assert len(mine) == 1 and mine[0].payload["kind"] == "digest"
    assert len(mine[0].payload["data"]["items"]) == 3
    assert {r["status"] for r in rows(timed, OutboxRow, recipient="ann")} == {"sent"}
    assert all(m.payload["kind"] == "task_assigned" for m in calls if m.recipient != "ann")


def test_a_batch_that_meets_another_writer_is_fired_one_by_one(timed: World) -> None:
    """Another transaction appends to the instance while a batch is deciding: the
    batch's event insert waits on (instance_id, seq), fails when the other commits, and
    the timers are fired again one command at a time on the new history."""
    if timed.db.dialect != "postgresql":
        pytest.skip("SQLite has one writer: no other transaction can interleave")
    import threading
    import time
    state = start(timed)
    log = sa.table("event_log", sa.column("instance_id"), sa.column("seq"),
                   sa.column("kind"), sa.column("payload", sa.JSON), sa.column("at"))
    other = timed.db.engine.connect()
    tx = other.begin()
    other.execute(log.insert().values(instance_id=state.id, seq=state.seq + 1,
                                      kind="comment_added", at=T0 + timedelta(hours=1),
                                      payload={"actor": "ann", "text": "any news?",
                                               "node": "check"}))
    out: list[tuple[int, int]] = []

    def fire() -> None:
        with timed.db.session() as s:
            out.append(service.fire_timers(s, service.DbCatalog(s), timed.org,
                                           T0 + timedelta(hours=23)))

    thread = threading.Thread(target=fire)
    thread.start()
    waiting = sa.text("SELECT count(*) FROM pg_locks WHERE NOT granted")
    for _ in range(600):  # until the batch waits on the uncommitted event
        if other.execute(waiting).scalar_one():
            break
        time.sleep(0.05)
    tx.commit()
    other.close()
    thread.join(60)
    assert out == [(3, 3)]  # each buyer's "2h before" reminder, fired one by one
    assert kinds(timed, state.id)[-4:] == ["comment_added", "reminder_sent", "reminder_sent",
                                           "reminder_sent"]


def test_the_worker_and_outbox_commands(timed: World, db_url: str) -> None:
    from typer.testing import CliRunner

    import api.cli.worker  # noqa: F401  (registers worker and outbox)
    from api.cli import app
    start(timed)
    cli = CliRunner()
    env = {"SIGNOFF_SMTP_HOST": "", "SIGNOFF_WEBHOOK_URL": ""}
    done = cli.invoke(app, ["worker", "--once", "--db", db_url], env=env)
    assert done.exit_code == 0, done.output
    assert "fired" in done.output and "delivered 0 messages" in done.output
    listed = cli.invoke(app, ["outbox", "list", "--db", db_url, "--status", "pending"],
                        env={**env, "COLUMNS": "200"})
    assert listed.exit_code == 0 and "task_assigned" in listed.output
    with timed.db.session() as s:
        s.connection().execute(OutboxRow.__table__.update().values(  # type: ignore
            status="dead", last_error="gave up"))
        s.commit()
    again = cli.invoke(app, ["outbox", "retry", "--db", db_url], env=env)
    count = len(rows(timed, OutboxRow))  # the worker fired every timer: "now" is later
    assert again.exit_code == 0 and f"{count} message(s) queued again" in again.output
    assert {r["status"] for r in rows(timed, OutboxRow)} == {"pending"}
