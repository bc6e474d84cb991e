"""Alembic environment: the target is ``engine.store`` metadata.

The database URL is, in order: ``config.attributes["url"]`` (set by
``engine.store.upgrade``), ``-x url=...`` on the alembic command line, then the app's
settings (``api.settings.Settings``: ``SIGNOFF_DATABASE_URL``, ``.env``, its default), the
same the server and the CLI read. Connections are opened with ``engine.store.open_database`` so
SQLite gets the same pragmas, ``BEGIN IMMEDIATE`` and process write lock as the app.
"""

from __future__ import annotations

from alembic import context

from api.settings import Settings
from engine.store.database import open_database
from engine.store.tables import metadata

config = context.config


def _url() -> str:
    given = config.attributes.get("url") or context.get_x_argument(as_dictionary=True).get("url")
    return str(given or Settings().database_url)


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
