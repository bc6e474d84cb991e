"""``signoff analyze`` end to end on a small CSV log."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from api.cli import _register, app
from tests.analytics.test_logs import CSV

_register()
runner = CliRunner()


def test_analyze_writes_every_format(tmp_path: Path) -> None:
    log = tmp_path / "claims.csv"
    log.write_text(CSV, encoding="utf-8")
    outs = [tmp_path / f"r.{ext}" for ext in ("json", "csv", "md", "html")]
    args = ["analyze", str(log), "--case-column", "case", "--activity-column", "activity",
            "--timestamp-column", "timestamp", "--resource-column", "who",
            "--what-if-remove", "Claim by DIRECTOR"]
    for o in outs:
        args += ["--out", str(o)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    rep = json.loads(outs[0].read_text(encoding="utf-8"))
    assert rep["summary"]["cases"] == 2
    assert rep["what_if"]["cycle_time_saved_total_seconds"] == 86400
    assert outs[3].read_text(encoding="utf-8").startswith("<!doctype html>")


def test_analyze_prints_markdown_to_the_terminal(tmp_path: Path) -> None:
    log = tmp_path / "claims.csv"
    log.write_text(CSV, encoding="utf-8")
    res = runner.invoke(app, ["analyze", str(log), "--case-column", "case",
                              "--activity-column", "activity", "--timestamp-column", "timestamp"])
    assert res.exit_code == 0, res.output
    assert "Approval efficiency" in res.output


def test_analyze_bad_input_exits_2_with_the_reason(tmp_path: Path) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text(CSV.replace("case,", "ticket,", 1), encoding="utf-8")
    res = runner.invoke(app, ["analyze", str(odd)])
    assert res.exit_code == 2
    assert "no case column" in res.output
    log = tmp_path / "claims.csv"
    log.write_text(CSV, encoding="utf-8")
    res = runner.invoke(app, ["analyze", str(log), "--case-column", "case", "--activity-column",
                              "activity", "--timestamp-column", "timestamp", "--out",
                              str(tmp_path / "r.pdf")])
    assert res.exit_code == 2 and "unknown report format" in res.output
    assert not (tmp_path / "r.pdf").exists()
    res = runner.invoke(app, ["analyze", str(log), "--case-column", "case", "--activity-column",
                              "activity", "--timestamp-column", "timestamp", "--country", "XX"])
    assert res.exit_code == 2 and "no public holidays known" in res.output
