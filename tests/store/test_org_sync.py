"""Org sync against a real database (SQLite and PostgreSQL): the preview says who is new,
moved and leaving and which open tasks move to whom, writing nothing; applying it marks
the leavers as left (kept for history, out of the directory), hands their open tasks up
the reporting line as ``system`` (past a manager who already holds the step), records it
in the audit log, and applying it again finds nothing left to do."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select
from typer.testing import CliRunner

from api.audit import cli_actor
from api.cli import _register, app
from api.org_view import sync_text
from engine import org_sync
from engine.core import events as ev
from engine.core.directory import directory_from_yaml
from engine.store import audit, event_log
from engine.store.org import load_directory
from engine.store.tables import AppUser
from tests.store.conftest import FIXTURES, T0, World, pending

ORG = (FIXTURES / "org.yaml").read_text(encoding="utf-8")
LATER = T0 + timedelta(hours=2)


def _hr_export() -> str:
    """bob and cat leave, eve now reports to the boss, fay joins; two units appear."""
    text = "\n".join(line for line in ORG.splitlines()
                     if "username: bob" not in line and "username: cat" not in line)
    text = text.replace("{username: eve, name: Eve Office, manager: mgr,",
                        "{username: eve, name: Eve Office, manager: boss, unit: office,")
    text = text.replace("users:\n", "units:\n  - {id: hq, name: HQ, head: boss}\n"
                        "  - {id: office, name: Office, parent: hq, head: eve}\nusers:\n")
    return text + "\n  - {username: fay, name: Fay New, manager: mgr, roles: [buyer]}\n"


def test_preview_then_apply_hands_the_leavers_tasks_up_the_line(world: World) -> None:
    state = world.start()
    assert sorted(t.assignee for t in pending(state)) == ["bob", "cat", "dan"]
    incoming = directory_from_yaml(_hr_export(), "hr.yaml")
    with world.db.session(write=False) as s:
        seen = org_sync.preview(s, incoming)
    plan = seen.plan
    assert (plan.new, plan.left, [m.username for m in plan.moved]) == (
        ("fay",), ("bob", "cat"), ["eve"])
    assert plan.moved[0].manager == ("mgr", "boss") and plan.moved[0].unit == (None, "office")
    assert plan.units_new == ("hq", "office")
    # bob's task goes to his manager; cat's manager then holds the step: the boss takes it
    assert [(h.task.holder, h.to) for h in seen.handovers] == [("bob", "mgr"), ("cat", "boss")]
    assert "leaving (2): bob, cat" in sync_text(seen)
    with world.db.session(write=False) as s:  # a preview writes nothing
        assert "bob" in load_directory(s).users

    with world.db.session() as s:
        done = org_sync.apply(s, incoming, LATER, actor="hr-bot", source="test")
    assert [(h.task.holder, h.to, h.done) for h in done.handovers] == [
        ("bob", "mgr", True), ("cat", "boss", True)]
    with world.db.session(write=False) as s:
        org = load_directory(s)
        assert {"bob", "cat"}.isdisjoint(org.users) and "fay" in org.users
        assert org.manager_of("eve") == "boss" and org.head_of("office") == "eve"
        left = s.exec(select(AppUser).where(AppUser.username == "bob")).one()
        assert left.left_at is not None  # kept, with its history
        history = event_log.load(s, state.id)
        entries = audit.entries(s, audit.AuditQuery(action="org.synced"))
    moved = [e for e in history if isinstance(e, ev.TaskReassigned)]
    assert [(e.actor, e.from_user, e.to_user) for e in moved] == [
        ("system", "bob", "mgr"), ("system", "cat", "boss")]
    assert "bob left the organisation" in moved[0].reason
    assert [(e.actor, e.detail["left"]) for e in entries] == [("hr-bot", ["bob", "cat"])]

    with world.db.session() as s:  # again: nothing left to do
        again = org_sync.apply(s, incoming, LATER, actor="hr-bot")
    assert again.plan.empty and again.handovers == ()


def test_a_leaver_without_anyone_above_keeps_the_task_and_is_reported(world: World) -> None:
    world.start()
    top = ORG.replace("{username: mgr, name: Mia Manager, manager: boss,",
                      "{username: mgr, name: Mia Manager,")
    with world.db.session() as s:  # mgr reports to nobody now
        org_sync.apply(s, directory_from_yaml(top, "hr.yaml"), T0, actor="hr-bot")
    # dan and his manager leave: nobody is left up dan's line
    text = "\n".join(line for line in top.splitlines()
                     if not any(f"username: {u}," in line for u in ("dan", "mgr")))
    incoming = directory_from_yaml(text.replace("manager: mgr", "manager: boss"), "hr.yaml")
    with world.db.session(write=False) as s:
        seen = org_sync.preview(s, incoming)
    assert seen.plan.left == ("dan", "mgr")
    assert [(h.task.holder, h.to) for h in seen.handovers] == [("dan", None)]
    assert "nobody up the reporting line can take it" in sync_text(seen)
    with world.db.session() as s:
        done = org_sync.apply(s, incoming, LATER, actor="hr-bot")
    assert [(h.to, h.done, h.note) for h in done.handovers] == [
        (None, False, "nobody up the reporting line can take it")]
    with world.db.session(write=False) as s:  # the task stays; an admin delegates it
        again = org_sync.preview(s, incoming).handovers
        assert [(h.task.holder, h.to) for h in again] == [("dan", None)]
        assert "dan" not in load_directory(s).users


def test_cli_previews_by_default_and_applies_with_apply(world: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    world.start()
    path = tmp_path / "hr.yaml"
    path.write_text(_hr_export(), encoding="utf-8")
    _register()
    runner = CliRunner()
    preview = runner.invoke(app, ["org", "import", str(path), "--db", world.url])
    assert preview.exit_code == 0, preview.output
    assert "Preview (nothing written" in preview.output
    assert "purchase/buyer_check" in preview.output and "bob -> mgr" in preview.output
    with world.db.session(write=False) as s:
        assert "bob" in load_directory(s).users
    applied = runner.invoke(app, ["org", "import", str(path), "--apply", "--db", world.url])
    assert applied.exit_code == 0, applied.output
    assert "Applied:" in applied.output and "cat -> boss (moved)" in applied.output
    with world.db.session(write=False) as s:
        assert "bob" not in load_directory(s).users
        [entry] = audit.entries(s, audit.AuditQuery(action="org.synced"))
        assert entry.actor == cli_actor() and entry.subject == str(path)
    broken = tmp_path / "broken.yaml"
    broken.write_text(_hr_export().replace("manager: boss, unit: office",
                                            "manager: nobody, unit: office"), encoding="utf-8")
    refused = runner.invoke(app, ["org", "import", str(broken), "--apply", "--db", world.url])
    assert refused.exit_code == 1
    assert "unknown manager 'nobody'" in refused.output and f"{broken}:" in refused.output
