"""Alembic is the only way the schema is made; the models and the migrations agree."""

from __future__ import annotations

import sqlalchemy as sa
from typer.testing import CliRunner

from engine.store import current, downgrade, head, metadata, open_database, schema_differences
from engine.store import upgrade as do_upgrade


def _tables(url: str) -> set[str]:
    db = open_database(url)
    try:
        return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
    finally:
        db.dispose()


def test_empty_to_head_to_base(db_url: str) -> None:
    assert current(db_url) is None
    assert _tables(db_url) == set()
    do_upgrade(db_url)
    assert current(db_url) == head()
    assert _tables(db_url) == set(metadata.tables)
    downgrade(db_url)
    assert current(db_url) is None
    assert _tables(db_url) == set()
    do_upgrade(db_url)  # and back up again: downgrade left nothing behind
    assert current(db_url) == head()


def test_models_and_migrations_agree(db_url: str) -> None:
    do_upgrade(db_url)
    assert schema_differences(db_url) == []


def test_a_drifted_schema_is_detected(db_url: str) -> None:
    do_upgrade(db_url)
    db = open_database(db_url)
    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP INDEX ix_task_inbox"))
    db.dispose()
    diffs = schema_differences(db_url)
    assert any(d[0] == "add_index" and d[1].name == "ix_task_inbox" for d in diffs)


def test_cli_upgrade_and_downgrade(db_url: str) -> None:
    from api.cli import _register, app

    _register()
    runner = CliRunner()
    result = runner.invoke(app, ["db", "upgrade", "--db", db_url])
    assert result.exit_code == 0, result.output
    assert f"revision {head()}" in result.output
    assert current(db_url) == head()
    result = runner.invoke(app, ["db", "downgrade", "--db", db_url])
    assert result.exit_code == 0, result.output
    assert current(db_url) is None
