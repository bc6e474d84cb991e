"""Fixtures shared by every test folder.

``db_url`` gives each test its own empty database: a SQLite file in ``tmp_path``, or a
fresh schema in the PostgreSQL database named by ``TEST_PG_URL`` (dropped afterwards).
In CI a missing ``TEST_PG_URL`` fails the PostgreSQL half instead of skipping it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent


def pg_base_url() -> str | None:
    url = os.environ.get("TEST_PG_URL")
    if not url and os.environ.get("CI"):
        pytest.fail("TEST_PG_URL unset in CI: PostgreSQL tests must run")
    return url


def with_search_path(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL schema, selected through the connection's search_path."""
    with fresh_schema() as url:
        yield url


@contextmanager
def fresh_schema() -> Iterator[str]:
    """A new PostgreSQL schema (dropped afterwards) as a URL; skips without TEST_PG_URL."""
    base = pg_base_url()
    if not base:
        pytest.skip("TEST_PG_URL unset")
    schema = "t_" + uuid.uuid4().hex[:16]
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield with_search_path(base, schema)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every persistence test runs twice: on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/t.db"
    url: str = request.getfixturevalue("pg_url")
    return url
