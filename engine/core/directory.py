"""The org directory: users, their roles and reporting lines, and org units (regions,
departments, stores) with their heads and members. Loaded from YAML or CSV.

YAML shape (``definitions/org.yaml``)::

    roles:                                  # optional: roles known even without members
      finance: Finance team                 # a description...
      legal: {name: Legal team, name_zh: 法务团队}   # ...or one in both languages
    units:                                  # optional: a tree of org units
      - {id: east, name: East region, name_zh: 华东区, kind: region, parent: retail,
         head: zhao.lei}
    users:
      - {username: li.na, name: Li Na, name_zh: 李娜, email: li.na@example.com,
         manager: zhao.lei, roles: [store_manager], unit: sh012, is_admin: false}

Users CSV columns: ``username,name,name_zh,email,manager,roles,unit,is_admin,
is_process_owner`` with roles separated by ``;`` and booleans written ``true``/``false``.
Units CSV columns (``directory_from_csv(users, units=...)``): ``id,name,name_zh,kind,
parent,head``.

A user is a member of at most one unit; the members of a unit ``deep`` are those of the
unit and of every unit under it. A unit's ``head`` need not be one of its members.
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
    unit: str | None = None  # the org unit the user is a member of


@dataclass(frozen=True, slots=True)
class Unit:
    """An org unit: a region, department, store (``kind`` is free text), its ``parent``
    unit (None at the top) and its ``head`` (a username, or None)."""

    id: str
    name: str = ""
    name_zh: str = ""
    kind: str = ""
    parent: str | None = None
    head: str | None = None


@dataclass(frozen=True, slots=True)
class OrgDirectory:
    users: Mapping[str, User] = field(default_factory=dict)
    role_names: Mapping[str, str] = field(default_factory=dict)  # declared role -> description
    role_names_zh: Mapping[str, str] = field(default_factory=dict)  # the same in Chinese
    units: Mapping[str, Unit] = field(default_factory=dict)
    _by_role: dict[str, tuple[str, ...]] = field(default_factory=dict, init=False,
                                                 repr=False, compare=False, hash=False)

    def unit_up(self, unit: str | None, level: int = 1) -> str | None:
        """The unit ``level - 1`` steps above ``unit`` (level 1 is the unit itself), or
        None when the unit is unknown or the tree ends sooner."""
        current = unit
        for _ in range(level - 1):
            found = self.units.get(current) if current else None
            current = found.parent if found else None
        return current if current in self.units else None

    def unit_of(self, user: str, level: int = 1) -> str | None:
        """The unit ``user`` is a member of (``level`` 2: the unit above it, ...)."""
        found = self.users.get(user)
        return self.unit_up(found.unit, level) if found else None

    def head_of(self, unit: str | None) -> str | None:
        found = self.units.get(unit) if unit else None
        return found.head if found else None

    def units_under(self, unit: str) -> frozenset[str]:
        """``unit`` and every unit below it."""
        children: dict[str, list[str]] = {}
        for u in self.units.values():
            if u.parent is not None:
                children.setdefault(u.parent, []).append(u.id)
        seen, todo = set(), [unit]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo += children.get(current, [])
        return frozenset(seen)

    def members(self, unit: str, role: str | None = None, deep: bool = True
                ) -> tuple[str, ...]:
        """Users of ``unit`` (and, ``deep``, of the units under it) holding ``role`` (any
        role when None), sorted by username."""
        inside = self.units_under(unit) if deep else frozenset({unit})
        return tuple(sorted(u.username for u in self.users.values()
                            if u.unit in inside and (role is None or role in u.roles)))

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
        by_role = self._by_role
        if not by_role and self.users:  # a directory is a frozen value: indexed once
            held: dict[str, list[str]] = {}
            for user in sorted(self.users.values(), key=lambda u: u.username):
                for r in dict.fromkeys(user.roles):
                    held.setdefault(r, []).append(user.username)
            by_role.update({r: tuple(names) for r, names in held.items()})
            by_role.setdefault("", ())  # indexed, even when no user holds a role
        return by_role.get(role, ())

    @property
    def roles(self) -> frozenset[str]:
        held = {r for u in self.users.values() for r in u.roles}
        return frozenset(held | set(self.role_names))


def load_directory(path: str | Path, units: str | Path | None = None) -> OrgDirectory:
    """Read a directory from a ``.yaml``/``.yml`` or ``.csv`` file (a users CSV may come
    with a units CSV, ``units``); raise DirectoryInvalid."""
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    if p.suffix.lower() == ".csv":
        unit_text = Path(units).read_text(encoding="utf-8") if units is not None else None
        return directory_from_csv(text, str(p), unit_text, str(units))
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
    unit_rows: list[tuple[tuple[int, int], dict[str, Any]]] = []
    raw_units: Any = doc.get("units")
    if raw_units is not None and not isinstance(raw_units, list):
        where: Any = doc  # a ruamel mapping: it knows its positions
        line, col = where.lc.value("units")
        raise DirectoryInvalid([DefinitionError(source, line + 1, col + 1,
                                                "'units' must be a list of units")])
    units_list: Any = raw_units or []  # a ruamel sequence: it knows its positions
    for i, item in enumerate(units_list):
        line, col = units_list.lc.item(i)
        unit_rows.append(((line + 1, col + 1), dict(item) if isinstance(item, Mapping) else {}))
    roles = dict(doc.get("roles") or {})
    named = {str(k): v if isinstance(v, Mapping) else {"name": v} for k, v in roles.items()}
    org = _build(rows, {k: str(v.get("name") or "") for k, v in named.items()}, source,
                 unit_rows)
    return replace(org, role_names_zh={k: str(v["name_zh"]) for k, v in named.items()
                                       if v.get("name_zh")})


def _csv_rows(text: str) -> list[tuple[tuple[int, int], dict[str, Any]]]:
    return [((i, 1), {k.strip(): (v or "").strip() for k, v in row.items() if k})
            for i, row in enumerate(csv.DictReader(io.StringIO(text)), start=2)]


def directory_from_csv(text: str, source: str = "<string>", units: str | None = None,
                       units_source: str = "<units>") -> OrgDirectory:
    """Users from ``text``; the org units, when given, from the CSV text ``units``."""
    rows = _csv_rows(text)
    for _pos, clean in rows:
        clean["roles"] = [r.strip() for r in clean.get("roles", "").split(";") if r.strip()]
        for flag in ("is_admin", "is_process_owner"):
            clean[flag] = clean.get(flag, "").lower() in ("true", "1", "yes", "y")
        clean["manager"] = clean.get("manager") or None
    return _build(rows, {}, source, _csv_rows(units) if units else [], units_source)


def _build_units(rows: list[tuple[tuple[int, int], dict[str, Any]]], source: str
                 ) -> tuple[dict[str, Unit], dict[str, tuple[int, int]], list[DefinitionError]]:
    errors: list[DefinitionError] = []
    units: dict[str, Unit] = {}
    lines: dict[str, tuple[int, int]] = {}
    for pos, row in rows:
        uid = row.get("id")
        if not isinstance(uid, str) or not uid:
            errors.append(DefinitionError(source, *pos, "unit without an id"))
            continue
        if uid in units:
            errors.append(DefinitionError(source, *pos, f"duplicate unit {uid!r}"))
            continue
        units[uid] = Unit(id=uid, name=str(row.get("name") or uid),
                          name_zh=str(row.get("name_zh") or ""), kind=str(row.get("kind") or ""),
                          parent=str(row["parent"]) if row.get("parent") else None,
                          head=str(row["head"]) if row.get("head") else None)
        lines[uid] = pos
    for uid, unit in units.items():
        if unit.parent is not None and unit.parent not in units:
            errors.append(DefinitionError(source, *lines[uid],
                                          f"unit {uid!r}: unknown parent unit {unit.parent!r}"))
            continue
        seen, current = {uid}, unit.parent
        while current is not None and current in units:
            if current in seen:
                errors.append(DefinitionError(source, *lines[uid],
                                              f"unit {uid!r}: its parent units loop back"))
                break
            seen.add(current)
            current = units[current].parent
    return units, lines, errors


def _build(rows: list[tuple[tuple[int, int], dict[str, Any]]], roles: dict[str, str],
           source: str, unit_rows: list[tuple[tuple[int, int], dict[str, Any]]] | None = None,
           units_source: str | None = None) -> OrgDirectory:
    units, unit_lines, errors = _build_units(unit_rows or [], units_source or source)
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
            locale=str(row.get("locale") or "en"),
            unit=str(row["unit"]) if row.get("unit") else None)
        lines[name] = pos
    for name, user in users.items():
        if user.manager is not None and user.manager not in users:
            errors.append(DefinitionError(source, *lines[name],
                                          f"user {name!r}: unknown manager {user.manager!r}"))
        if user.unit is not None and user.unit not in units:
            errors.append(DefinitionError(source, *lines[name],
                                          f"user {name!r}: unknown unit {user.unit!r}"))
    for uid, unit in units.items():
        if unit.head is not None and unit.head not in users:
            errors.append(DefinitionError(units_source or source, *unit_lines[uid],
                                          f"unit {uid!r}: unknown head {unit.head!r}"))
    errors += _cycles(users, lines, source)
    if errors:
        raise DirectoryInvalid(errors)
    return OrgDirectory(users=users, role_names=roles, units=units)


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


__all__ = ["OrgDirectory", "Unit", "User", "directory_from_csv", "directory_from_yaml",
           "load_directory"]
