"""Definition versions in the database, and ``DbCatalog`` (the core's ``Catalog``).

Each stored version keeps its YAML source and its sha256 digest. Storing a source whose
digest equals the newest version of its key is a no-op; anything else becomes version
N+1. Running instances keep the version they started with: the catalog serves any
version. Parsed definitions are cached per (key, version, digest): they are immutable.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from engine.core.definition import ProcessDefinition
from engine.core.errors import DefinitionNotFound
from engine.core.loader import load_definition
from engine.store.tables import DefinitionVersion, metadata

_parsed: dict[tuple[str, int, str], ProcessDefinition] = {}
_table = metadata.tables["definition_version"]


def parse(row: DefinitionVersion) -> ProcessDefinition:
    cache_key = (row.key, row.version, row.digest)
    if cache_key not in _parsed:
        # Validated against the directory when it was stored; parse without it here so a
        # later org change cannot make a running instance's definition unreadable.
        defn = load_definition(row.source, f"{row.key}@v{row.version}")
        _parsed[cache_key] = dataclasses.replace(defn, version=row.version)
    return _parsed[cache_key]


def cached(key: str, version: int, digest: str) -> ProcessDefinition | None:
    """The parsed definition of (key, version) with this digest, if parsed already."""
    return _parsed.get((key, version, digest))


def latest_row(session: Session, key: str) -> DefinitionVersion | None:
    return session.exec(select(DefinitionVersion).where(DefinitionVersion.key == key)
                        .order_by(col(DefinitionVersion.version).desc()).limit(1)).first()


def store(session: Session, defn: ProcessDefinition, actor: str | None,
          now: datetime) -> tuple[ProcessDefinition, bool]:
    """Store ``defn`` (already validated) unless unchanged; return it with its version
    and whether a new version was made."""
    newest = latest_row(session, defn.key)
    if newest is not None and newest.digest == defn.digest:
        return parse(newest), False
    row = DefinitionVersion(key=defn.key, version=(newest.version + 1) if newest else 1,
                            digest=defn.digest, source=defn.source, title=defn.title[:300],
                            created_at=now, created_by=actor)
    session.add(row)
    session.flush()
    return parse(row), True


class DbCatalog:
    """``get(key, version=None)``: the newest version, or the one asked for."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, key: str, version: int | None = None) -> ProcessDefinition:
        # Ask only for the digest first: the parsed definition is usually cached, and
        # this runs on every command.
        t = _table
        query = sa.select(t.c.version, t.c.digest).where(t.c.key == key)
        query = (query.order_by(t.c.version.desc()).limit(1) if version is None
                 else query.where(t.c.version == version))
        found = self.session.connection().execute(query).first()
        if found is None:
            raise DefinitionNotFound(key, version)
        cached = _parsed.get((key, found.version, found.digest))
        if cached is not None:
            return cached
        row = self.session.exec(select(DefinitionVersion).where(
            DefinitionVersion.key == key, DefinitionVersion.version == found.version)).one()
        return parse(row)

    def versions(self, key: str) -> list[int]:
        return list(self.session.exec(select(DefinitionVersion.version).where(
            DefinitionVersion.key == key).order_by(col(DefinitionVersion.version))).all())

    def keys(self) -> list[str]:
        return sorted(self.session.exec(select(DefinitionVersion.key).distinct()).all())

    def latest(self) -> list[ProcessDefinition]:
        """The newest version of every key, by key."""
        return [self.get(k) for k in self.keys()]


__all__ = ["DbCatalog", "cached", "latest_row", "parse", "store"]
