"""One default database URL: ``signoff db`` and Alembic read the app's settings, ``.env``
included, when no URL is given."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from typer.testing import CliRunner

from api.cli import _register, app
from engine.store import current, head
from engine.store.migrate import REPO_ROOT

_register()


@pytest.fixture
def dotenv_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'from_dotenv.db'}"
    (tmp_path / ".env").write_text(f"SIGNOFF_DATABASE_URL={url}\n", encoding="utf-8")
    monkeypatch.delenv("SIGNOFF_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    return url


def test_signoff_db_reads_the_dotenv_file(dotenv_db: str) -> None:
    res = CliRunner().invoke(app, ["db", "upgrade"])
    assert res.exit_code == 0, res.output
    assert current(dotenv_db) == head()


def test_alembic_reads_the_dotenv_file(dotenv_db: str) -> None:
    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    command.upgrade(cfg, "head")
    assert current(dotenv_db) == head()
