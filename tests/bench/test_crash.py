"""The crash test with small counts: ``kill -9`` of ``signoff serve`` mid-load, twice,
on SQLite and PostgreSQL (``bench/crash.py`` runs it with any count)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import crash


@pytest.mark.slow
def test_kill_9_mid_load_loses_and_doubles_nothing(db_url: str, tmp_path: Path) -> None:
    out = crash.run(db_url, kills=2, clients=4, folder=tmp_path)
    assert out.ok, out.problems
    assert out.kills == 2 and out.decisions_acked > 0 and out.starts_acked > 0
    assert out.db_check.endswith("0 discrepancies")
