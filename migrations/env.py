"""Alembic environment: the target is ``engine.store`` metadata.

The database URL is, in order: ``config.attributes["url"]`` (set by
``engine.store.upgrade``), ``-x url=...`` on the alembic command line,
``SIGNOFF_DATABASE_URL``, ``sqlalchemy.url`` in alembic.ini, then the embedded default
``sqlite:///./signoff.db``. Connections are opened with ``engine.store.open_database`` so
SQLite gets the same pragmas, ``BEGIN IMMEDIATE`` and process write lock as the app.
"""

from __future__ import annotations

import os

from alembic import context

from engine.store.database import open_database
from engine.store.tables import metadata

DEFAULT_URL = "sqlite:///./signoff.db"
config = context.config


def _url() -> str:
    given = config.attributes.get("url") or context.get_x_argument(as_dictionary=True).get("url")
    return str(given or os.environ.get("SIGNOFF_DATABASE_URL")
               or config.get_main_option("sqlalchemy.url") or DEFAULT_URL)


def _options(dialect: str) -> dict[str, object]:
    return {"target_metadata": metadata, "render_as_batch": dialect == "sqlite",
            "compare_type": True}


def run_offline() -> None:
    url = _url()
    dialect = url.split(":", 1)[0].split("+", 1)[0]
    context.configure(url=url, literal_binds=True, **_options(dialect))
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    db = open_database(_url())
    try:
        with db.write_lock(), db.engine.connect() as connection:
            context.configure(connection=connection, **_options(db.dialect))
            with context.begin_transaction():
                context.run_migrations()
    finally:
        db.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
