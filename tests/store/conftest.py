"""Store fixtures: ``db`` is an open database at the newest migration (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine.store import Database, open_database, upgrade


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    upgrade(db_url)
    database = open_database(db_url)
    try:
        yield database
    finally:
        database.dispose()
