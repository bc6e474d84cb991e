"""``signoff backup`` and ``signoff restore`` from the command line, then ``db check``."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from api.cli import _register, app
from engine.store import upgrade


def test_backup_restore_check(tmp_path: Path) -> None:
    _register()
    live, restored = f"sqlite:///{tmp_path}/live.db", f"sqlite:///{tmp_path}/restored.db"
    upgrade(live)
    runner = CliRunner()
    r = runner.invoke(app, ["backup", str(tmp_path / "b.db"), "--db", live])
    assert r.exit_code == 0, r.output
    assert "sqlite, schema revision" in r.output and "Attachments" in r.output
    r = runner.invoke(app, ["backup", str(tmp_path / "b.db"), "--db", live])
    assert r.exit_code == 1  # never overwrites a backup
    r = runner.invoke(app, ["restore", str(tmp_path / "b.db"), "--db", restored])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["db", "check", "--db", restored])
    assert r.exit_code == 0 and "0 discrepancies" in r.output
    r = runner.invoke(app, ["restore", str(tmp_path / "b.db"), "--db", restored])
    assert r.exit_code == 1 and "already holds tables" in r.output
