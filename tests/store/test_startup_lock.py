"""Several processes starting at once on one empty database prepare it once: migrations,
the org directory and the definitions (SQLite and PostgreSQL)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from engine.store import current, head, open_database
from tests.conftest import ROOT

# Each process imports first, says it is ready, then waits for the go file, so the two
# really start preparing together (a start line, not a timing assertion).
_PREPARE = """
import sys, time
from pathlib import Path
from rich.console import Console
from api.prepare import prepare
from api.settings import Settings
url, line, folder = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
settings = Settings(_env_file=None, database_url=url, definitions_dir=Path(sys.argv[4]),
                    state_dir=folder / "state", jwt_secret="x" * 40)
(line / f"ready-{folder.name}").touch()
while not (line / "go").exists():
    time.sleep(0.005)
prepare(settings, console=Console(quiet=True))
"""


@pytest.mark.slow
def test_two_processes_on_an_empty_database_prepare_it_once(db_url: str,
                                                            tmp_path: Path) -> None:
    line = tmp_path / "line"
    line.mkdir()
    procs = [subprocess.Popen([sys.executable, "-c", _PREPARE, db_url, str(line),
                               str(tmp_path / str(i)), str(ROOT / "definitions")],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True) for i in range(2)]
    deadline = time.monotonic() + 120
    while len(list(line.glob("ready-*"))) < 2 and time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            break
        time.sleep(0.01)
    (line / "go").touch()
    outputs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], "\n".join(outputs)
    assert current(db_url) == head()
    db = open_database(db_url)
    try:
        with db.engine.connect() as conn:
            versions = conn.execute(sa.text(
                "SELECT key, count(*) FROM definition_version GROUP BY key")).all()
            alembic_rows = conn.execute(sa.text("SELECT count(*) FROM alembic_version")
                                        ).scalar_one()
    finally:
        db.dispose()
    assert versions and all(n == 1 for _, n in versions)  # each definition stored once
    assert alembic_rows == 1


def test_the_lock_is_reentrant_in_one_process(db_url: str) -> None:
    from engine.store.startup_lock import startup_lock

    with startup_lock(db_url), startup_lock(db_url):
        pass
    with startup_lock(db_url):  # released: taken again at once
        pass
