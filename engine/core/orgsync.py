"""Org sync, pure: what an incoming org directory (an HR export, a push from the HR
system) changes against the current one, and who takes over the open tasks of people who
leave.

- ``plan(current, incoming)``: new users, users who moved (manager or unit changed),
  other changes, users who left (in the current directory, not in the incoming one), and
  unit changes. Admins missing from the incoming directory are kept, not removed: an HR
  system does not know the operators' accounts (``kept``).
- ``merged(current, incoming, plan)``: the directory after the sync (the incoming one
  plus the admins kept).
- ``successor(user, current, leaving)``: who takes over ``user``'s tasks: their manager in
  the current directory, or the first one up the reporting line who is not leaving.
- ``HandOverTask`` (``engine.core.commands``), decided by ``hand_over``: the system moves an
  open task of a leaver to their successor (a ``TaskReassigned`` by ``system``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace

from engine.core import commands as cmds
from engine.core import events as ev
from engine.core.directory import OrgDirectory, Unit, User
from engine.core.errors import NotPermitted, TaskNotFound, TransitionNotAllowed, UserNotFound
from engine.core.flow import Flow

SYSTEM = "system"
_COMPARED = ("name", "name_zh", "email", "manager", "roles", "unit", "is_admin",
             "is_process_owner", "locale")


@dataclass(frozen=True, slots=True)
class Moved:
    """A user whose manager or unit changed (``None``: had none / has none now)."""

    username: str
    manager: tuple[str | None, str | None] | None = None  # (before, after) when changed
    unit: tuple[str | None, str | None] | None = None


@dataclass(frozen=True, slots=True)
class OrgPlan:
    new: tuple[str, ...] = ()
    moved: tuple[Moved, ...] = ()
    changed: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (username, fields) other changes
    left: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()  # admins not in the incoming directory, kept
    units_new: tuple[str, ...] = ()
    units_changed: tuple[str, ...] = ()
    units_removed: tuple[str, ...] = ()
    roles_new: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))


def _differs(a: User, b: User) -> tuple[str, ...]:
    return tuple(f for f in _COMPARED if getattr(a, f) != getattr(b, f))


def plan(current: OrgDirectory, incoming: OrgDirectory) -> OrgPlan:
    """What applying ``incoming`` (the whole org) to ``current`` changes."""
    new, moved, changed = [], [], []
    for name, user in sorted(incoming.users.items()):
        before = current.users.get(name)
        if before is None:
            new.append(name)
            continue
        diff = _differs(before, user)
        if "manager" in diff or "unit" in diff:
            moved.append(Moved(name,
                               (before.manager, user.manager) if "manager" in diff else None,
                               (before.unit, user.unit) if "unit" in diff else None))
        other = tuple(f for f in diff if f not in ("manager", "unit"))
        if other:
            changed.append((name, other))
    gone = sorted(set(current.users) - set(incoming.users))
    kept = [u for u in gone if current.users[u].is_admin]
    units_changed = sorted(u for u in set(current.units) & set(incoming.units)
                           if current.units[u] != incoming.units[u])
    return OrgPlan(
        new=tuple(new), moved=tuple(moved), changed=tuple(changed),
        left=tuple(u for u in gone if u not in kept), kept=tuple(kept),
        units_new=tuple(sorted(set(incoming.units) - set(current.units))),
        units_changed=tuple(units_changed),
        units_removed=tuple(sorted(set(current.units) - set(incoming.units))),
        roles_new=tuple(sorted(set(incoming.role_names) - set(current.role_names))))


def merged(current: OrgDirectory, incoming: OrgDirectory, org_plan: OrgPlan) -> OrgDirectory:
    """The directory after the sync: the incoming users and units, the admins kept (their
    unit cleared when it is gone) and every role declared before or now."""
    users = dict(incoming.users)
    for name in org_plan.kept:
        user = current.users[name]
        if user.unit is not None and user.unit not in incoming.units:
            user = replace(user, unit=None)
        users[name] = user
    roles = {**current.role_names, **incoming.role_names}
    roles_zh = {**current.role_names_zh, **incoming.role_names_zh}
    units: dict[str, Unit] = dict(incoming.units)
    return OrgDirectory(users=users, role_names=roles, role_names_zh=roles_zh, units=units)


def successor(user: str, current: OrgDirectory, leaving: Iterable[str]) -> str | None:
    """``user``'s manager in ``current``, else the first manager up the line who is not
    leaving; None when the line ends."""
    away = set(leaving)
    seen = {user}
    manager = current.manager_of(user)
    while manager is not None and manager in away and manager not in seen:
        seen.add(manager)
        manager = current.manager_of(manager)
    return None if manager is None or manager in away else manager


def hand_over(flow: Flow, cmd: cmds.HandOverTask) -> None:
    """The system moves an open task to ``cmd.to_user`` (who must be in the directory and
    hold no open task of this step); only the ``system`` actor may."""
    if cmd.actor != SYSTEM:
        raise NotPermitted(cmd.actor, "hand over", "only the system hands tasks over")
    task = flow.state.task(cmd.task_id)
    if task is None:
        raise TaskNotFound(cmd.task_id)
    if not task.open:
        raise TransitionNotAllowed(task.node, "hand over", f"the task is {task.status}")
    if cmd.to_user not in flow.directory.users:
        raise UserNotFound(cmd.to_user)
    if any(t.open and t.assignee == cmd.to_user for t in flow.state.tasks):
        raise TransitionNotAllowed(task.node, "hand over", f"{cmd.to_user} already has this step")
    flow.emit(ev.TaskReassigned(instance_id=flow.state.id, at=flow.now, task_id=task.task_id,
                                node=task.node, actor=SYSTEM, from_user=task.assignee,
                                to_user=cmd.to_user, reason=cmd.reason))


__all__ = ["SYSTEM", "Moved", "OrgPlan", "hand_over", "merged", "plan", "successor"]
