"""``signoff serve`` as a real process: migrates an empty SQLite file in the working
folder, serves the API on a free port, and stops cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _signoff() -> list[str]:
    script = Path(sys.executable).with_name("signoff")
    return [str(script)] if script.exists() else [sys.executable, "-m", "api.cli"]


@pytest.mark.slow
def test_serve_starts_answers_and_stops(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNOFF_")}
    proc = subprocess.Popen(
        [*_signoff(), "serve", "--port", str(port), "--definitions", str(ROOT / "definitions")],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        health = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                health = httpx.get(f"{base}/api/health", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.3)
        assert health is not None, proc.stdout.read() if proc.stdout else "no output"
        assert health.status_code == 200
        assert health.json()["status"] == "ok" and health.json()["database"] == "sqlite"
        assert "server" not in health.headers  # uvicorn's server header is dropped
        assert health.headers["x-content-type-options"] == "nosniff"
        spec = httpx.get(f"{base}/openapi.json", timeout=5).json()
        assert "/api/tasks/{task_id}/approve" in spec["paths"]
        missing = httpx.get(f"{base}/api/no-such-thing", timeout=5)
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"
        assert (tmp_path / "signoff.db").exists()  # SQLite in the working folder
        assert (tmp_path / ".signoff" / "secret").exists()  # JWT secret kept on disk
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert proc.returncode is not None


def test_password_command_sets_a_sign_in_password(tmp_path: Path,
                                                  sqlite_template: Path) -> None:
    from typer.testing import CliRunner

    from api.cli import _register, app
    from api.tokens import verify_password
    from engine.store import AppUser, open_database

    _register()
    db_file = tmp_path / "s.db"
    db_file.write_bytes(sqlite_template.read_bytes())
    url = f"sqlite:///{db_file}"
    runner = CliRunner()
    ok = runner.invoke(app, ["password", "li.na", "--db", url, "--password", "a-new-secret"])
    assert ok.exit_code == 0, ok.output
    short = runner.invoke(app, ["password", "li.na", "--db", url, "--password", "short"])
    assert short.exit_code != 0
    ghost = runner.invoke(app, ["password", "ghost", "--db", url, "--password", "long-enough"])
    assert ghost.exit_code == 1 and "No user 'ghost'" in ghost.output
    db = open_database(url)
    with db.session(write=False) as s:
        row = s.get(AppUser, "li.na")
        assert row is not None and verify_password(row.password_hash, "a-new-secret")
    db.dispose()


def test_demo_until_must_be_a_date_and_nothing_is_written(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from api.cli import _register, app

    _register()
    db_file = tmp_path / "demo.db"
    bad = CliRunner().invoke(app, ["demo", "--db", f"sqlite:///{db_file}",
                                   "--until", "2026-13-01"])
    assert bad.exit_code == 2
    assert "--until" in bad.output and "2026-13-01" in bad.output
    assert not db_file.exists()
