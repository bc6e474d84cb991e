"""The org directory: users, their roles and reporting lines. Loaded from YAML or CSV.

YAML shape (``definitions/org.yaml``)::

    roles: {finance: Finance team}          # optional: roles known even without members
    users:
      - {username: li.na, name: Li Na, name_zh: 李娜, email: li.na@example.com,
         manager: zhao.lei, roles: [store_manager], is_admin: false}

CSV columns: ``username,name,name_zh,email,manager,roles,is_admin,is_process_owner``
with roles separated by ``;`` and booleans written ``true``/``false``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from engine.core.errors import DefinitionError, DefinitionInvalid, DirectoryInvalid
from engine.core.limits import DEFAULT
from engine.core.yamlpos import read_yaml


@dataclass(frozen=True, slots=True)
class User:
    username: str
    name: str = ""
    name_zh: str = ""
    email: str = ""
    manager: str | None = None
    roles: tuple[str, ...] = ()
    is_admin: bool = False
    is_process_owner: bool = False
    locale: str = "en"
    token_version: int = 0  # raised by each password change: older tokens are refused


@dataclass(frozen=True, slots=True)
class OrgDirectory:
    users: Mapping[str, User] = field(default_factory=dict)
    role_names: Mapping[str, str] = field(default_factory=dict)  # declared role -> description

    def get(self, username: str) -> User | None:
        return self.users.get(username)

    def manager_of(self, user: str, levels: int = 1) -> str | None:
        """The manager ``levels`` steps up from ``user``, or None when the chain ends."""
        current: str | None = user
        for _ in range(levels):
            found = self.users.get(current) if current else None
            current = found.manager if found else None
            if current is None:
                return None
        return current

    def users_with_role(self, role: str) -> tuple[str, ...]:
        return tuple(sorted(u.username for u in self.users.values() if role in u.roles))

    @property
    def roles(self) -> frozenset[str]:
        held = {r for u in self.users.values() for r in u.roles}
        return frozenset(held | set(self.role_names))


def load_directory(path: str | Path) -> OrgDirectory:
    """Read a directory from a ``.yaml``/``.yml`` or ``.csv`` file; raise DirectoryInvalid."""
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    if p.suffix.lower() == ".csv":
        return directory_from_csv(text, str(p))
    return directory_from_yaml(text, str(p))


def directory_from_yaml(text: str, source: str = "<string>") -> OrgDirectory:
    try:  # an org is an operator's file and may be large; aliases and depth still refused
        doc = read_yaml(text, source, replace(DEFAULT, max_yaml_bytes=64 * 1024 * 1024,
                                              max_yaml_nodes=10_000_000))
    except DefinitionInvalid as exc:
        raise DirectoryInvalid(exc.errors) from None
    if not isinstance(doc, Mapping) or not isinstance(doc.get("users"), list):
        raise DirectoryInvalid([DefinitionError(source, 1, 1, "expected a mapping with 'users:'")])
    rows: list[tuple[tuple[int, int], dict[str, Any]]] = []
    for i, item in enumerate(doc["users"]):
        line, col = doc["users"].lc.item(i)
        rows.append(((line + 1, col + 1), dict(item) if isinstance(item, Mapping) else {}))
    roles = doc.get("roles") or {}
    return _build(rows, {str(k): str(v or "") for k, v in dict(roles).items()}, source)


def directory_from_csv(text: str, source: str = "<string>") -> OrgDirectory:
    rows: list[tuple[tuple[int, int], dict[str, Any]]] = []
    for i, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        clean: dict[str, Any] = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        clean["roles"] = [r.strip() for r in clean.get("roles", "").split(";") if r.strip()]
        for flag in ("is_admin", "is_process_owner"):
            clean[flag] = clean.get(flag, "").lower() in ("true", "1", "yes", "y")
        clean["manager"] = clean.get("manager") or None
        rows.append(((i, 1), clean))
    return _build(rows, {}, source)


def _build(rows: list[tuple[tuple[int, int], dict[str, Any]]], roles: dict[str, str],
           source: str) -> OrgDirectory:
    errors: list[DefinitionError] = []
    users: dict[str, User] = {}
    lines: dict[str, tuple[int, int]] = {}
    for pos, row in rows:
        name = row.get("username")
        if not isinstance(name, str) or not name:
            errors.append(DefinitionError(source, *pos, "user without a username"))
            continue
        if name in users:
            errors.append(DefinitionError(source, *pos, f"duplicate username {name!r}"))
            continue
        users[name] = User(
            username=name, name=str(row.get("name") or name), name_zh=str(row.get("name_zh") or ""),
            email=str(row.get("email") or ""), manager=row.get("manager") or None,
            roles=tuple(str(r) for r in row.get("roles") or ()),
            is_admin=bool(row.get("is_admin", False)),
            is_process_owner=bool(row.get("is_process_owner", False)),
            locale=str(row.get("locale") or "en"))
        lines[name] = pos
    for name, user in users.items():
        if user.manager is not None and user.manager not in users:
            errors.append(DefinitionError(source, *lines[name],
                                          f"user {name!r}: unknown manager {user.manager!r}"))
    errors += _cycles(users, lines, source)
    if errors:
        raise DirectoryInvalid(errors)
    return OrgDirectory(users=users, role_names=roles)


def _cycles(users: dict[str, User], lines: dict[str, tuple[int, int]],
            source: str) -> list[DefinitionError]:
    errors = []
    for name in users:
        seen = {name}
        current = users[name].manager
        while current is not None and current in users:
            if current in seen:
                errors.append(DefinitionError(source, *lines[name],
                                              f"user {name!r}: reporting line loops back"))
                break
            seen.add(current)
            current = users[current].manager
    return errors


__all__ = ["OrgDirectory", "User", "directory_from_csv", "directory_from_yaml", "load_directory"]
