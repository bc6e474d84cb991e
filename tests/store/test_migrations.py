"""Alembic is the only way the schema is made; the models and the migrations agree."""

from __future__ import annotations

import pytest
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


def test_alembic_command_line_and_environment_pick_the_url(db_url: str,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    from alembic.config import main as alembic_main

    from engine.store.migrate import REPO_ROOT

    ini = str(REPO_ROOT / "alembic.ini")
    alembic_main(["-c", ini, "-x", f"url={db_url}", "upgrade", "0001"])
    assert current(db_url) == "0001"
    monkeypatch.setenv("SIGNOFF_DATABASE_URL", db_url)
    alembic_main(["-c", ini, "upgrade", "head"])
    assert current(db_url) == head()


def test_a_role_name_kept_after_its_description_moves_to_its_column(db_url: str) -> None:
    """0021: a Chinese role name an earlier build kept after a line break in the
    description gets a column of its own; other rows are left as they were."""
    do_upgrade(db_url, "0009")
    db = open_database(db_url)
    try:
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO org_role (name, description) VALUES "
                                 "('legal', 'Legal counsel\n法务'), ('cfo', 'CFO')"))
        do_upgrade(db_url, "0021")
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT name, description, name_zh FROM org_role ORDER BY name")).all()
    finally:
        db.dispose()
    assert [tuple(r) for r in rows] == [("cfo", "CFO", None),
                                        ("legal", "Legal counsel", "法务")]
