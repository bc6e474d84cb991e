"""An org sync in the database: the directory with the users who already left (to follow
their reporting line), the open tasks of given users, and writing a synced directory
(users saved, leavers marked ``left_at``, units no longer in the org removed).

The decisions (who is new, moved, left; who takes over) are ``engine.core.orgsync``; the
orchestration, with the hand-overs as commands, is ``engine.org_sync``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlmodel import Session, col, select

from engine.core.directory import OrgDirectory
from engine.store.org import role_names, save_directory, unit_of, user_of
from engine.store.security_tables import AuditRecord
from engine.store.tables import AppUser, OrgRole, OrgUnit, Task


@dataclass(frozen=True, slots=True)
class OpenTask:
    task_id: UUID
    instance_id: UUID
    definition_key: str
    node: str
    holder: str


def full_directory(session: Session) -> OrgDirectory:
    """Every user ever stored, those who left included (their reporting line still says
    who took over from them)."""
    users = {r.username: user_of(r) for r in session.exec(select(AppUser)).all()}
    roles, roles_zh = role_names(session.exec(select(OrgRole)).all())
    units = {u.id: unit_of(u) for u in session.exec(select(OrgUnit)).all()}
    return OrgDirectory(users=users, role_names=roles, role_names_zh=roles_zh, units=units)


def open_tasks_of(session: Session, users: Iterable[str]) -> list[OpenTask]:
    """Pending and waiting tasks held by ``users``, oldest first (then by request and
    holder)."""
    names = sorted(set(users))
    if not names:
        return []
    rows = session.exec(select(Task).where(col(Task.assignee).in_(names),
                                           col(Task.status).in_(("pending", "waiting")))
                        .order_by(col(Task.created_at), col(Task.instance_id),
                                  col(Task.assignee))).all()
    return [OpenTask(r.id, r.instance_id, r.definition_key, r.node, r.assignee) for r in rows]


def open_holders(session: Session, instances: Iterable[UUID]) -> dict[UUID, set[str]]:
    """Who holds an open task of each instance."""
    ids = sorted(set(instances))
    out: dict[UUID, set[str]] = {i: set() for i in ids}
    if ids:
        rows = session.exec(select(Task.instance_id, Task.assignee).where(
            col(Task.instance_id).in_(ids), col(Task.status).in_(("pending", "waiting")))).all()
        for instance_id, assignee in rows:
            out[instance_id].add(assignee)
    return out


def synced(session: Session) -> bool:
    """Whether an org sync was ever applied (the directory then belongs to HR)."""
    query = select(AuditRecord.id).where(AuditRecord.action == "org.synced").limit(1)
    return session.exec(query).first() is not None


def left_users(session: Session) -> set[str]:
    query = select(AppUser.username).where(col(AppUser.left_at).is_not(None))
    return set(session.exec(query).all())


def write_synced(session: Session, org: OrgDirectory, leaving: Iterable[str],
                 now: datetime) -> None:
    """Save ``org`` (users, roles, units), mark ``leaving`` as left at ``now`` (users of
    ``org`` who had left are back) and remove the units ``org`` no longer has (in the
    caller's transaction)."""
    save_directory(session, org)
    gone = set(leaving)
    for row in session.exec(select(AppUser).where(
            col(AppUser.username).in_(sorted(gone | set(org.users))))).all():
        # a leaver keeps the time they first left; someone listed again is back
        left_at = (row.left_at or now) if row.username in gone else None
        if row.left_at != left_at:
            row.left_at = left_at
            session.add(row)
    for unit in session.exec(select(OrgUnit)).all():
        if unit.id not in org.units:
            session.delete(unit)
    session.flush()


__all__ = ["OpenTask", "full_directory", "left_users", "open_holders", "open_tasks_of",
           "synced", "write_synced"]
