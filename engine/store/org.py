"""The org directory in the database: ``save_directory`` and ``load_directory``, and
``current_directory`` (the same, cached per process while the database's fingerprint of
the users, roles and units is unchanged; a user's ``token_version`` is part of it, so a
password change is seen by every process at once).

``save_directory`` adds and updates users, declared roles and org units; it never deletes
a user (their history and tokens stay meaningful) and never touches ``password_hash``.
A user whose ``left_at`` is set (an org sync found them gone, ``engine.store.org_sync``)
is not part of the directory; ``save_directory`` leaves that mark alone (only a later
org sync that lists them again brings them back).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import Session, select

from engine.core.directory import OrgDirectory, Unit, User
from engine.store.tables import AppUser, OrgRole, OrgUnit


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
        row.unit = user.unit
        session.add(row)
    roles = {r.name: r for r in session.exec(select(OrgRole)).all()}
    for name, description in org.role_names.items():
        role = roles.get(name) or OrgRole(name=name)
        role.description = description
        role.name_zh = org.role_names_zh.get(name) or None
        session.add(role)
    units = {u.id: u for u in session.exec(select(OrgUnit)).all()}
    for unit in org.units.values():
        session.add(unit_row(unit, units.get(unit.id)))
    session.flush()


def role_names(rows: Iterable[OrgRole]) -> tuple[dict[str, str], dict[str, str]]:
    """The declared roles' names and Chinese names, from their rows."""
    rows = list(rows)
    return ({r.name: r.description for r in rows},
            {r.name: r.name_zh for r in rows if r.name_zh})


def unit_row(unit: Unit, row: OrgUnit | None = None) -> OrgUnit:
    """``row`` (or a new row) holding ``unit``."""
    row = row or OrgUnit(id=unit.id)
    row.name = unit.name
    row.name_zh = unit.name_zh or None
    row.kind = unit.kind
    row.parent = unit.parent
    row.head = unit.head
    return row


def unit_of(row: OrgUnit) -> Unit:
    return Unit(id=row.id, name=row.name, name_zh=row.name_zh or "", kind=row.kind,
                parent=row.parent, head=row.head)


def user_of(row: AppUser) -> User:
    return User(username=row.username, name=row.name, name_zh=row.name_zh or "",
                email=row.email or "", manager=row.manager, roles=tuple(row.roles or ()),
                is_admin=row.is_admin, is_process_owner=row.is_process_owner,
                locale=row.locale, token_version=row.token_version or 0, unit=row.unit)


def load_directory(session: Session) -> OrgDirectory:
    """The users present (not left), the declared roles and the org units."""
    query = select(AppUser).where(AppUser.left_at.is_(None))  # type: ignore[union-attr]
    users = {row.username: user_of(row)
             for row in session.exec(query.order_by(AppUser.username)).all()}
    roles, roles_zh = role_names(session.exec(select(OrgRole)).all())
    units = {u.id: unit_of(u) for u in session.exec(select(OrgUnit).order_by(OrgUnit.id)).all()}
    return OrgDirectory(users=users, role_names=roles, role_names_zh=roles_zh, units=units)


# --- a per-process cache of the directory -------------------------------------------
# Every request needs the directory (who the caller is, managers and roles for routing);
# building it from ORM rows is a good part of a request. The cache is checked against
# ``org_version.version``, which triggers raise in the same transaction as any change to
# a column the directory is made of (migration 0022): one row read, so a change made by
# any process is seen by the next request, and no expiry is needed.

_VERSION = sa.text("SELECT version FROM org_version WHERE id = 1")
_directories: weakref.WeakKeyDictionary[sa.Engine, tuple[str, OrgDirectory]] = (
    weakref.WeakKeyDictionary())


def directory_fingerprint(conn: sa.Connection) -> str | None:
    """Text that changes whenever a user, role or unit changes (None without the row)."""
    version = conn.execute(_VERSION).scalar_one_or_none()
    return None if version is None else str(version)


def current_directory(session: Session) -> OrgDirectory:
    """``load_directory``, served from a per-process cache while the database's
    fingerprint of the users and roles is unchanged."""
    conn = session.connection()
    fingerprint = directory_fingerprint(conn)
    hit = _directories.get(conn.engine)
    if fingerprint is not None and hit is not None and hit[0] == fingerprint:
        return hit[1]
    if conn.dialect.name != "postgresql":
        # A SQLite transaction reads one snapshot: the fingerprint and the rows agree.
        directory = load_directory(session)
    else:
        # PostgreSQL reads committed rows statement by statement: read the fingerprint
        # and the rows again together, in one snapshot, so that what is cached is exactly
        # what the fingerprint stands for.
        with conn.engine.connect() as snap:
            snap.execution_options(isolation_level="REPEATABLE READ")
            with Session(bind=snap) as snapshot:
                fingerprint = directory_fingerprint(snapshot.connection())
                directory = load_directory(snapshot)
    if fingerprint is not None:
        _directories[conn.engine] = (fingerprint, directory)
    return directory


__all__ = ["current_directory", "directory_fingerprint", "load_directory", "role_names",
           "save_directory", "unit_of", "unit_row", "user_of"]
