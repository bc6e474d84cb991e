"""Org sync, pure: the plan of an incoming org against the current one, the directory
after it, who takes over a leaver's tasks, and the system's hand-over command."""

from __future__ import annotations

import pytest

from engine.core import commands as cmds
from engine.core import events as ev
from engine.core.directory import directory_from_yaml
from engine.core.errors import NotPermitted, TransitionNotAllowed, UserNotFound
from engine.core.orgsync import merged, plan, successor
from tests.engine.helpers import Run, definition, directory

CURRENT = """
roles: {buyer: Buyers}
units: [{id: hq, head: boss}, {id: shop, parent: hq, head: mgr}]
users:
  - {username: root, is_admin: true}
  - {username: boss, unit: hq}
  - {username: mgr, manager: boss, unit: shop}
  - {username: ann, manager: mgr, unit: shop, roles: [buyer]}
  - {username: bob, manager: mgr, unit: shop, email: bob@old.example}
"""
INCOMING = """
roles: {buyer: Buyers, seller: Sellers}
units: [{id: hq, head: boss}, {id: web, parent: hq, head: boss}]
users:
  - {username: boss, unit: hq}
  - {username: ann, manager: boss, unit: web, roles: [buyer]}
  - {username: bob, manager: boss, unit: web, email: bob@new.example, roles: [seller]}
  - {username: cy, manager: boss, unit: web}
"""


def test_plan_names_new_moved_changed_leaving_and_kept() -> None:
    current = directory_from_yaml(CURRENT, "now.yaml")
    incoming = directory_from_yaml(INCOMING, "hr.yaml")
    p = plan(current, incoming)
    assert p.new == ("cy",) and p.left == ("mgr",) and p.kept == ("root",)
    assert [(m.username, m.manager, m.unit) for m in p.moved] == [
        ("ann", ("mgr", "boss"), ("shop", "web")), ("bob", ("mgr", "boss"), ("shop", "web"))]
    assert p.changed == (("bob", ("email", "roles")),)
    assert (p.units_new, p.units_removed, p.roles_new) == (("web",), ("shop",), ("seller",))
    after = merged(current, incoming, p)
    assert set(after.users) == {"root", "boss", "ann", "bob", "cy"} and set(after.units) == {
        "hq", "web"}
    assert plan(after, incoming).left == () and plan(incoming, incoming).empty


def test_successor_walks_up_past_leavers() -> None:
    org = directory()
    assert successor("bai.lu", org, ["bai.lu"]) == "li.na"
    assert successor("bai.lu", org, ["bai.lu", "li.na"]) == "zhao.lei"
    assert successor("wang.jian", org, ["wang.jian"]) is None


def test_only_the_system_hands_a_task_over_to_someone_present_and_free() -> None:
    run = Run(definition("sample_order"))
    run.start("bai.lu", {"store_code": "SH012", "region": "east", "season": "SS26",
                         "items": [{"sku": "SS26-DRS-001", "quantity": 1}],
                         "needed_by": "2026-04-01"})
    task = run.task("li.na")
    with pytest.raises(NotPermitted):
        run.do(cmds.HandOverTask(task_id=task.task_id, to_user="zhao.lei", actor="li.na"))
    with pytest.raises(UserNotFound):
        run.do(cmds.HandOverTask(task_id=task.task_id, to_user="nobody"))
    with pytest.raises(TransitionNotAllowed, match="already has this step"):
        run.do(cmds.HandOverTask(task_id=task.task_id, to_user="li.na"))
    [moved] = run.do(cmds.HandOverTask(task_id=task.task_id, to_user="zhao.lei",
                                       reason="li.na left"))
    assert isinstance(moved, ev.TaskReassigned)
    assert (moved.actor, moved.from_user, moved.to_user) == ("system", "li.na", "zhao.lei")
    assert run.holders() == ["zhao.lei"]
