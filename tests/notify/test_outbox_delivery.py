"""End to end on SQLite and PostgreSQL: a command writes outbox rows, the worker sends
them through channels built from settings, and the real SMTP server receives each
message, rendered in the recipient's language with its link."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from api.channels import channels_from_settings
from api.settings import Settings
from engine import service
from engine.core import commands as cmds
from engine.core.directory import load_directory
from engine.core.messages import KINDS as CORE_KINDS
from engine.notify import KINDS, SmtpChannel
from engine.store import Database, OutboxRow, open_database, upgrade
from engine.worker import Worker, channel_sender
from tests.notify.conftest import SmtpServer
from tests.notify.servers import closed_port

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
PUBLIC = "https://signoff.example.cn"
ORG = """
roles: {buyer: Buyers}
users:
  - {username: boss, name: Big Boss, email: boss@example.com, roles: [], is_admin: true,
     is_process_owner: true}
  - {username: ann, name: Ann Asker, name_zh: 安安, email: ann@example.com, manager: boss,
     roles: [], locale: zh}
  - {username: bob, name: Bob Buyer, email: bob@example.com, manager: boss, roles: [buyer]}
  - {username: cy, name: Cy Noaddress, manager: boss, roles: []}
"""
DEFINITION = """
key: buy
title: Purchase
title_zh: 采购
instance_title: "Buy {item}"
form: {type: object, required: [item], properties: {item: {type: string}}}
defaults: {sla: 1d}
start: check
nodes:
  check:
    title: Buyer check
    title_zh: 采购审核
    approvers: {role: buyer}
    on: {approve: approved, reject: rejected, return: initiator}
  approved: {final: approved}
  rejected: {final: rejected}
"""


@pytest.fixture
def db(db_url: str, tmp_path: Path) -> Iterator[Database]:
    upgrade(db_url)
    database = open_database(db_url)
    folder = tmp_path / "defs"
    folder.mkdir()
    (folder / "org.yaml").write_text(ORG, encoding="utf-8")
    (folder / "buy.yaml").write_text(DEFINITION, encoding="utf-8")
    org = load_directory(folder / "org.yaml")
    with database.session() as s:
        service.save_directory(s, org)
        s.commit()
        service.sync_definitions(s, folder, org, actor="boss", now=T0)
    try:
        yield database
    finally:
        database.dispose()


def _outbox(db: Database) -> list[dict[str, Any]]:
    t = OutboxRow.__table__  # type: ignore[attr-defined]
    with db.session(write=False) as s:
        return [dict(r) for r in s.connection().execute(sa.select(t)).mappings()]


def test_the_core_kinds_are_kinds_we_render() -> None:
    assert set(CORE_KINDS) <= set(KINDS)


def test_commands_reach_the_smtp_server_through_the_worker(
        db: Database, smtp_server: SmtpServer) -> None:
    org = load_directory_from(db)
    settings = Settings(smtp_host=smtp_server.host, smtp_port=smtp_server.port,
                        smtp_from="Signoff <signoff@example.cn>", public_url=PUBLIC)
    channels = channels_from_settings(settings)
    worker = Worker(db, channel_sender(channels, settings.public_url), frozenset(channels))
    with db.session() as s:
        state = service.start(s, service.DbCatalog(s), org, cmds.StartInstance(
            definition_key="buy", initiator="ann", data={"item": "pens"}), T0)
    worker.run_once(T0)
    mails = {m["To"].addresses[0].addr_spec: m for m in smtp_server.mailbox.mails}
    assert set(mails) == {"bob@example.com", "ann@example.com"}
    bob = mails["bob@example.com"]
    assert bob["Subject"].startswith("Approval needed: ") and "Buy pens" in bob["Subject"]
    assert bob["To"].addresses[0].display_name == "Bob Buyer"
    text = bob.get_body(("plain",)).get_content()
    assert "“Buyer check” of" in text and "is waiting for your decision." in text
    bob_task = next(t for t in state.tasks if t.assignee == "bob")
    assert f"{PUBLIC}/tasks/{bob_task.task_id}" in text  # the link opens bob's task
    ann = mails["ann@example.com"]  # her locale is zh: the step's Chinese title
    assert ann["Content-Language"] == "zh-CN"
    assert "已进入「采购审核」" in ann.get_body(("plain",)).get_content()
    rows = _outbox(db)
    assert {m["X-Signoff-Message-Id"] for m in smtp_server.mailbox.mails} == {
        str(r["id"]) for r in rows}
    assert {r["status"] for r in rows} == {"sent"}

    task = next(t for t in state.tasks if t.assignee == "bob")
    with db.session() as s:
        service.execute_on_task(s, service.DbCatalog(s), org, cmds.DecideTask(
            task_id=task.task_id, actor="bob", action="return", comment="Which colour?"),
            T0 + timedelta(hours=1))
    worker.run_once(T0 + timedelta(hours=1))
    returned = smtp_server.mailbox.mails[-1]
    assert returned["Subject"].startswith("已退回给你：")
    assert "原因：Which colour?" in returned.get_body(("plain",)).get_content()
    for channel in channels.values():
        channel.close()


def test_a_mail_server_that_is_down_leaves_the_rows_pending_with_the_reason(
        db: Database) -> None:
    org = load_directory_from(db)
    channel = SmtpChannel("127.0.0.1", closed_port(), sender="s@example.cn", timeout=2)
    worker = Worker(db, channel_sender({"email": channel}, PUBLIC), frozenset({"email"}))
    with db.session() as s:
        service.start(s, service.DbCatalog(s), org, cmds.StartInstance(
            definition_key="buy", initiator="ann", data={"item": "pens"}), T0)
    worker.run_once(T0)
    rows = _outbox(db)
    assert {r["status"] for r in rows} == {"pending"}  # retryable: tried again later
    assert all("email:" in r["last_error"] for r in rows)
    assert all(r["next_attempt_at"] > T0 for r in rows)


def test_a_person_without_an_address_is_dead_lettered_at_once(
        db: Database, smtp_server: SmtpServer) -> None:
    org = load_directory_from(db)
    channel = SmtpChannel(smtp_server.host, smtp_server.port, sender="s@example.cn")
    worker = Worker(db, channel_sender({"email": channel}, PUBLIC), frozenset({"email"}))
    with db.session() as s:
        service.start(s, service.DbCatalog(s), org, cmds.StartInstance(
            definition_key="buy", initiator="cy", data={"item": "pens"}), T0)
    worker.run_once(T0)
    by_user = {r["recipient"]: r for r in _outbox(db)}
    assert by_user["bob"]["status"] == "sent"
    assert by_user["cy"]["status"] == "dead" and by_user["cy"]["attempts"] == 1
    assert "no e-mail address" in by_user["cy"]["last_error"]


def load_directory_from(db: Database) -> Any:
    from engine.store.org import current_directory
    with db.session(write=False) as s:
        return current_directory(s)
