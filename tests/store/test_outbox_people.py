"""What the outbox writer puts in a message (SQLite and PostgreSQL): the names of the
people it mentions (so a mail shows "Ann Asker", not "ann"), links that open the task
for the kinds about a task, and the admins' test message."""

from __future__ import annotations

from datetime import timedelta

from engine import outbox
from engine.core import commands as cmds
from engine.notify import Message, render
from engine.store import NotificationRow, OutboxRow
from engine.worker import Worker
from tests.store.conftest import T0, World, pending
from tests.store.test_timers_outbox import rows, start, timed  # noqa: F401  (fixture)


def test_mails_name_the_people_they_mention(timed: World) -> None:  # noqa: F811
    state = start(timed)
    bob = pending(state, "bob")[0]
    timed.on_task(cmds.DecideTask(task_id=bob.task_id, actor="bob", action="return",
                                  comment="Which colour?"), T0)
    returned = rows(timed, OutboxRow, kind="returned")[0]["payload"]
    assert returned["data"]["people"] == {
        "ann": {"name": "Ann Asker", "name_zh": "Ann Asker"},
        "bob": {"name": "Bob Buyer", "name_zh": "Bob Buyer"}}
    text = render(Message.from_dict(returned), "https://signoff.example").text
    assert "Bob Buyer" in text and "bob " not in text
    now_with = rows(timed, OutboxRow, kind="now_with")[0]["payload"]["data"]
    assert set(now_with["people"]) == {"ann", "bob", "cat", "dan"}  # initiator, holders


def test_messages_about_a_task_open_the_task(timed: World) -> None:  # noqa: F811
    state = start(timed)
    Worker(timed.db).run_once(T0 + timedelta(days=3))  # reminders and the escalation
    for kind in ("task_assigned", "reminder", "escalated"):
        found = rows(timed, OutboxRow, kind=kind) + rows(timed, NotificationRow, kind=kind)
        assert found, kind
        for row in found:
            data = row["payload"].get("data", row["payload"])
            assert data["path"] == f"/tasks/{data['task_id']}", kind
    now_with = rows(timed, NotificationRow, kind="now_with")[0]["payload"]
    assert now_with["path"] == f"/requests/{state.id}"
    mail = rows(timed, OutboxRow, kind="reminder")[0]["payload"]
    link = render(Message.from_dict(mail), "https://signoff.example").link
    assert link == f"https://signoff.example/tasks/{mail['data']['task_id']}"


def test_a_test_message_waits_in_the_outbox_for_the_worker(timed: World) -> None:  # noqa: F811
    with timed.db.session() as s:
        written = outbox.send_test(s, "boss", ["email", "webhook", "app"],
                                   timed.org, T0)
        s.commit()
    assert [c for _, c in written] == ["email", "webhook"]
    tests = rows(timed, OutboxRow, kind="test")
    assert {r["status"] for r in tests} == {"pending"}
    assert {r["next_attempt_at"] for r in tests} == {T0}
    mail = next(r for r in tests if r["channel"] == "email")["payload"]
    assert mail["recipient"]["email"] == "boss@example.com"
    rendered = render(Message.from_dict(mail), "")
    assert "email" in rendered.text and rendered.subject
