"""Persistence: SQLModel tables, the append-only event log, projections, migrations.

Public names:
- ``open_database(url) -> Database``: ``.engine``, ``.session(write=True)`` (a context
  manager; ``write=False`` for read-only work), ``.write_lock()``, ``.dispose()``. See
  ``engine.store.database`` for SQLite's one-writer rule. File databases only for SQLite.
- ``upgrade(url, revision="head")``, ``downgrade(url, revision="base")``, ``current(url)``,
  ``head()``, ``schema_differences(url)``: Alembic, programmatically (``migrate``).
- the tables (``Instance``, ``Task``, ``EventRecord``, ``NodeVisit``, ``CarbonCopy``,
  ``AppUser``, ``OrgRole``, ``ApiToken``, ``OutOfOffice``, ``IdempotencyRecord``,
  ``DefinitionVersion``), all in ``engine.store.tables``.

Modules: ``event_log`` (append/load; nothing updates or deletes an event),
``projections`` (the rows a history implies; pure), ``writer`` (writes them),
``check`` (``check``/``rebuild``), ``definitions`` (versions, ``DbCatalog``), ``org``
(``save_directory``/``load_directory``), ``idempotency`` (``lookup``/``remember``),
``absences`` (out-of-office periods), ``credentials`` (password hashes, API tokens),
``audit`` (the audit log), ``heartbeat`` (worker heartbeats), ``gauges`` (outbox and
timer figures for ``/metrics``), ``backup`` (backup and restore).
Most callers want ``engine.service`` and ``engine.queries``.
"""

from engine.store import attachments as _attachments  # noqa: F401  (its table joins the metadata)
from engine.store import heartbeat  # noqa: F401  (its table joins the metadata)
from engine.store.board_tables import ForecastRow, ReportClaim, RiskFlag, RiskThreshold
from engine.store.database import Database, open_database
from engine.store.messaging_tables import (
    NotificationRow,
    OutboxRow,
    TimerRow,
    UserPreference,
)
from engine.store.migrate import current, downgrade, head, schema_differences, upgrade
from engine.store.security_tables import AuditRecord, SignInThrottle
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
    "ApiToken",
    "AppUser",
    "AuditRecord",
    "CarbonCopy",
    "Database",
    "DefinitionVersion",
    "EventRecord",
    "ForecastRow",
    "IdempotencyRecord",
    "Instance",
    "NodeVisit",
    "NotificationRow",
    "OrgRole",
    "OutOfOffice",
    "OutboxRow",
    "ReportClaim",
    "RiskFlag",
    "RiskThreshold",
    "SignInThrottle",
    "Task",
    "TimerRow",
    "UserPreference",
    "current",
    "downgrade",
    "head",
    "metadata",
    "open_database",
    "schema_differences",
    "upgrade",
]
