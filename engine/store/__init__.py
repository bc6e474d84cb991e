"""Persistence: SQLModel tables, the append-only event log, projections, migrations.

Public names:
- ``open_database(url) -> Database``: ``.engine``, ``.session(write=True)`` (a context
  manager), ``.dispose()``. See ``engine.store.database`` for SQLite's one-writer rule.
- ``upgrade(url, revision="head")``, ``downgrade(url, revision="base")``, ``current(url)``,
  ``schema_differences(url)``: Alembic, programmatically.
- the tables (``Instance``, ``Task``, ``EventRecord``, ``NodeVisit``, ...), all in
  ``engine.store.tables``.
"""

from engine.store.database import Database, open_database
from engine.store.migrate import current, downgrade, head, schema_differences, upgrade
from engine.store.tables import (
    ApiToken,
    AppUser,
    CarbonCopy,
    DefinitionVersion,
    EventRecord,
    IdempotencyRecord,
    Instance,
    NodeVisit,
    OrgRole,
    OutOfOffice,
    Task,
    metadata,
)

__all__ = [
    "ApiToken", "AppUser", "CarbonCopy", "Database", "DefinitionVersion", "EventRecord",
    "IdempotencyRecord", "Instance", "NodeVisit", "OrgRole", "OutOfOffice", "Task", "current",
    "downgrade", "head", "metadata", "open_database", "schema_differences", "upgrade",
]
