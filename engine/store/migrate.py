"""Schema management through Alembic, the only way the schema is made or changed.

``upgrade(url, revision="head")``, ``downgrade(url, revision="base")``, ``current(url)``
and ``schema_differences(url)`` (what ``alembic revision --autogenerate`` would find
between the tables in ``engine.store.tables`` and the database; empty when the
migrations and the models agree).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from engine.store.database import open_database
from engine.store.startup_lock import startup_lock
from engine.store.tables import metadata

REPO_ROOT = Path(__file__).resolve().parents[2]


def _url_text(url: str | sa.URL) -> str:
    return url.render_as_string(hide_password=False) if isinstance(url, sa.URL) else url


def alembic_config(url: str | sa.URL) -> Config:
    """An Alembic config for ``url`` (the URL goes through ``attributes``: no ini
    interpolation of ``%`` in it)."""
    ini = REPO_ROOT / "alembic.ini"
    cfg = Config(str(ini)) if ini.exists() else Config()
    cfg.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    cfg.attributes["url"] = _url_text(url)
    return cfg


def upgrade(url: str | sa.URL, revision: str = "head") -> None:
    """Migrate to ``revision``; several processes doing it at once migrate once (the
    others wait, then find nothing to do)."""
    with startup_lock(url):
        command.upgrade(alembic_config(url), revision)


def downgrade(url: str | sa.URL, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def head() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current(url: str | sa.URL) -> str | None:
    """The revision the database is at (None for an empty database)."""
    db = open_database(url)
    try:
        with db.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        db.dispose()


# Indexes only migrations make (PostgreSQL expression indexes the models cannot declare
# for both databases): ix_instance_search, the pg_trgm index of list search (0010).
MIGRATION_ONLY_INDEXES = frozenset({"ix_instance_search"})


def _compared(obj: Any, name: str | None, kind: str, reflected: bool, other: Any) -> bool:
    return not (kind == "index" and name in MIGRATION_ONLY_INDEXES)


def schema_differences(url: str | sa.URL) -> list[Any]:
    """Differences autogenerate finds between the models and the database at ``url``."""
    db = open_database(url)
    try:
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "include_object": _compared})
            return list(compare_metadata(ctx, metadata))
    finally:
        db.dispose()


__all__ = ["alembic_config", "current", "downgrade", "head", "schema_differences", "upgrade"]
