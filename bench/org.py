"""The org and database set-up shared by the timer and delivery benchmarks: a fresh
PostgreSQL schema holding a two-person org (``ann`` asks, ``bob`` approves and has an
e-mail address), one process definition, and the people's channel preferences."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from bench import dbs
from engine import service
from engine.core.directory import OrgDirectory, User
from engine.store import open_database
from engine.store.messaging_tables import UserPreference

ORG = OrgDirectory(users={"ann": User("ann", "Ann", manager="bob"),
                          "bob": User("bob", "Bob", email="bob@example.com")})


def fresh(key: str, definition: str, now: datetime,
          channels: Mapping[str, list[str]] | None = None) -> str:
    """A fresh PostgreSQL schema (its URL) with ``ORG``, the process ``key`` (its YAML
    ``definition``) published at ``now`` and, when given, each person's channels."""
    url = dbs.fresh("postgresql")
    db = open_database(url)
    folder = Path(tempfile.mkdtemp(prefix=f"signoff-{key}-"))
    (folder / f"{key}.yaml").write_text(definition, encoding="utf-8")
    try:
        with db.session() as s:
            service.save_directory(s, ORG)
            s.commit()
            service.sync_definitions(s, folder, ORG, actor="bench", now=now)
            for user, names in (channels or {}).items():
                s.add(UserPreference(username=user, channels=names, updated_at=now))
            s.commit()
    finally:
        db.dispose()
    return url


__all__ = ["ORG", "fresh"]
