"""The org directory in the database: ``save_directory`` and ``load_directory``.

``save_directory`` adds and updates users and declared roles; it never deletes a user
(their history and tokens stay meaningful) and never touches ``password_hash``.
"""

from __future__ import annotations

from sqlmodel import Session, select

from engine.core.directory import OrgDirectory, User
from engine.store.tables import AppUser, OrgRole


def save_directory(session: Session, org: OrgDirectory) -> None:
    """Upsert every user and role of ``org`` (in the caller's transaction)."""
    existing = {u.username: u for u in session.exec(select(AppUser)).all()}
    for user in org.users.values():
        row = existing.get(user.username) or AppUser(username=user.username, roles=[])
        row.name = user.name
        row.name_zh = user.name_zh or None
        row.email = user.email or None
        row.manager = user.manager
        row.roles = list(user.roles)
        row.is_admin = user.is_admin
        row.is_process_owner = user.is_process_owner
        row.locale = user.locale
        session.add(row)
    roles = {r.name: r for r in session.exec(select(OrgRole)).all()}
    for name, description in org.role_names.items():
        role = roles.get(name) or OrgRole(name=name)
        role.description = description
        session.add(role)
    session.flush()


def user_of(row: AppUser) -> User:
    return User(username=row.username, name=row.name, name_zh=row.name_zh or "",
                email=row.email or "", manager=row.manager, roles=tuple(row.roles or ()),
                is_admin=row.is_admin, is_process_owner=row.is_process_owner,
                locale=row.locale)


def load_directory(session: Session) -> OrgDirectory:
    users = {row.username: user_of(row)
             for row in session.exec(select(AppUser).order_by(AppUser.username)).all()}
    roles = {r.name: r.description for r in session.exec(select(OrgRole)).all()}
    return OrgDirectory(users=users, role_names=roles)


__all__ = ["load_directory", "save_directory", "user_of"]
