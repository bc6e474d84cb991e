"""The demo: users and passwords printed at start and shown on the sign-in page, and the
demo history (written by ``engine.demo``, another topic, when it is installed).

``engine.demo`` may offer ``demo_users()`` (objects with ``username``, ``password``,
``name``, ``description``) and ``seed(...)``. Until it does, every user of the org
directory is a demo user with the password ``DEMO_PASSWORD``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from engine.core.directory import OrgDirectory, User

DEMO_PASSWORD = "signoff"


@dataclass(frozen=True, slots=True)
class DemoUser:
    username: str
    password: str
    name: str
    name_zh: str | None = None
    description: str = ""


def demo_module() -> ModuleType | None:
    try:
        return importlib.import_module("engine.demo")
    except ModuleNotFoundError as exc:
        if exc.name != "engine.demo":
            raise
        return None


def _describe(user: User) -> str:
    parts = [r.replace("_", " ") for r in user.roles if r != "process_owner"]
    if user.is_admin:
        parts.append("administrator")
    if user.is_process_owner:
        parts.append("process owner")
    return ", ".join(parts)


def demo_users(directory: OrgDirectory) -> list[DemoUser]:
    module = demo_module()
    offered = getattr(module, "demo_users", None) if module else None
    if offered is not None:
        found = []
        for u in offered():
            known = directory.get(u.username)
            found.append(DemoUser(u.username, u.password, u.name,
                                  getattr(u, "name_zh", None) or (known.name_zh if known
                                                                  else None),
                                  getattr(u, "description", "")))
        return found
    return [DemoUser(u.username, DEMO_PASSWORD, u.name or u.username, u.name_zh or None,
                     _describe(u)) for u in directory.users.values()]


__all__ = ["DEMO_PASSWORD", "DemoUser", "demo_module", "demo_users"]
