"""Definition versions in the database, and ``DbCatalog`` (the core's ``Catalog``).

Each stored version keeps its YAML source and its sha256 digest. Storing a source whose
digest equals the newest version of its key is a no-op; anything else becomes version
N+1. Running instances keep the version they started with: the catalog serves any
version. Parsed definitions are cached per (key, version, digest): they are immutable.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, col, select

from engine.core.definition import ProcessDefinition
from engine.core.directory import OrgDirectory
from engine.core.errors import DefinitionError, DefinitionInvalid, DefinitionNotFound
from engine.core.loader import load_definition
from engine.store.tables import DefinitionVersion, RetiredProcess, metadata

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


def yaml_files(paths_or_dir: str | Path | Iterable[str | Path]) -> list[Path]:
    if isinstance(paths_or_dir, str | Path):
        p = Path(paths_or_dir)
        if not p.is_dir():
            return [p]
        # org.yaml next to the definitions is the directory, not a process.
        return sorted(f for f in [*p.glob("*.yaml"), *p.glob("*.yml")]
                      if f.stem not in ("org", "users"))
    return [Path(p) for p in paths_or_dir]


def sync(session: Session, paths_or_dir: str | Path | Iterable[str | Path],
         directory: OrgDirectory, actor: str | None, now: datetime) -> list[ProcessDefinition]:
    """Store each YAML file as a definition version: a changed file becomes version N+1,
    an unchanged one is a no-op. All files are validated first; if any is invalid,
    DefinitionInvalid lists every error and nothing is stored."""
    loaded: list[ProcessDefinition] = []
    errors: list[DefinitionError] = []
    seen: dict[str, Path] = {}
    for path in yaml_files(paths_or_dir):
        try:
            defn = load_definition(path.read_text(encoding="utf-8"), str(path), directory)
        except DefinitionInvalid as exc:
            errors += exc.errors
            continue
        if defn.key in seen:
            errors.append(DefinitionError(str(path), 1, 1, f"key {defn.key!r} is also "
                                          f"defined in {seen[defn.key]}"))
        seen[defn.key] = path
        loaded.append(defn)
    if errors:
        raise DefinitionInvalid(errors)
    return store_all(session, loaded, actor, now)


def store_all(session: Session, loaded: list[ProcessDefinition], actor: str | None,
               now: datetime) -> list[ProcessDefinition]:
    """Store in one transaction. Several app processes syncing at start-up may race for
    the same new version number: the loser retries and finds the text already stored."""
    for attempt in range(3):
        try:
            stored = [store(session, d, actor, now)[0] for d in loaded]
            session.commit()
            return stored
        except sa.exc.IntegrityError:
            session.rollback()
            if attempt == 2:
                raise
        except BaseException:
            session.rollback()
            raise
    raise AssertionError("unreachable")


class DbCatalog:
    """``get(key, version=None)``: the newest version, or the one asked for."""

    def __init__(self, session: Session) -> None:
        self.session = session
        # a stored version never changes: asked again (a definition per request in a
        # loop), it is answered without a query
        self._known: dict[tuple[str, int], ProcessDefinition] = {}

    def get(self, key: str, version: int | None = None) -> ProcessDefinition:
        if version is not None and (known := self._known.get((key, version))) is not None:
            return known
        # Ask only for the digest first: the parsed definition is usually cached, and
        # this runs on every command.
        t = _table
        query = sa.select(t.c.version, t.c.digest).where(t.c.key == key)
        query = (query.order_by(t.c.version.desc()).limit(1) if version is None
                 else query.where(t.c.version == version))
        found = self.session.connection().execute(query).first()
        if found is None:
            raise DefinitionNotFound(key, version)
        defn = _parsed.get((key, found.version, found.digest))
        if defn is None:
            defn = parse(self.session.exec(select(DefinitionVersion).where(
                DefinitionVersion.key == key, DefinitionVersion.version == found.version)).one())
        self._known[(key, found.version)] = defn
        return defn

    def versions(self, key: str) -> list[int]:
        return list(self.session.exec(select(DefinitionVersion.version).where(
            DefinitionVersion.key == key).order_by(col(DefinitionVersion.version))).all())

    def keys(self) -> list[str]:
        return sorted(self.session.exec(select(DefinitionVersion.key).distinct()).all())

    def latest(self) -> list[ProcessDefinition]:
        """The newest version of every key, by key."""
        return [self.get(k) for k in self.keys()]


__all__ = ["DbCatalog", "cached", "latest_row", "parse", "store", "store_all", "sync",
           "yaml_files"]


# --- retiring a process: no new requests, running ones finish -----------------------

def retired(session: Session) -> dict[str, RetiredProcess]:
    """Every retired process by key."""
    return {r.key: r for r in session.exec(select(RetiredProcess)).all()}


def retirement(session: Session, key: str) -> RetiredProcess | None:
    return session.get(RetiredProcess, key)


def retire(session: Session, key: str, actor: str, now: datetime) -> RetiredProcess:
    """Retire ``key`` (DefinitionNotFound if never published); retiring twice keeps the
    first time and person. Not committed."""
    if latest_row(session, key) is None:
        raise DefinitionNotFound(key)
    row = session.get(RetiredProcess, key)
    if row is None:
        row = RetiredProcess(key=key, retired_at=now, retired_by=actor)
        session.add(row)
        session.flush()
    return row


def unretire(session: Session, key: str) -> bool:
    """Let new requests start again; False when it was not retired. Not committed."""
    if latest_row(session, key) is None:
        raise DefinitionNotFound(key)
    row = session.get(RetiredProcess, key)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True
