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


WORDS_CSV = """case,activity,timestamp,outcome
a,Submit,2024-03-04T09:00:00+08:00,
a,Manager OK,2024-03-04T10:00:00+08:00,
a,财务 同意,2024-03-04T11:00:00+08:00,
b,Submit,2024-03-05T09:00:00+08:00,
b,Manager declined,2024-03-05T10:00:00+08:00,
c,Submit,2024-03-06T09:00:00+08:00,
c,Manager,2024-03-06T10:00:00+08:00,OK
c,财务,2024-03-06T11:00:00+08:00,驳回
d,Submit,2024-03-07T09:00:00+08:00,
d,Manager,2024-03-07T10:00:00+08:00,passt
"""


def _outcomes(rep: dict[str, object]) -> dict[str, dict[str, int]]:
    return {s["step"]: s["outcomes"] for s in rep["steps"]}  # type: ignore[attr-defined, index]


def test_decision_words_in_labels_and_outcome_cells(tmp_path: Path) -> None:
    """"OK" / "declined" / 同意 / 驳回 are decisions by default, in a label's last word
    or in the outcome column; --approve-words replaces the approve list."""
    log = tmp_path / "words.csv"
    log.write_text(WORDS_CSV.replace("d,Manager,2024-03-07T10:00:00+08:00,passt\n", ""),
                   encoding="utf-8")
    out = tmp_path / "r.json"
    res = runner.invoke(app, ["analyze", str(log), "--out", str(out)])
    assert res.exit_code == 0, res.output
    steps = _outcomes(json.loads(out.read_text(encoding="utf-8")))
    assert steps["Manager"] == {"approve": 2, "reject": 1, "return": 0, "other": 0}
    assert steps["财务"] == {"approve": 1, "reject": 1, "return": 0, "other": 0}

    log.write_text(WORDS_CSV, encoding="utf-8")  # "passt" is no default word: refused
    res = runner.invoke(app, ["analyze", str(log), "--out", str(out)])
    assert res.exit_code == 2 and "words.csv:11: unknown outcome 'passt'" in res.output
    res = runner.invoke(app, ["analyze", str(log), "--out", str(out),
                              "--approve-words", "passt,OK", "--approve-words", "同意"])
    assert res.exit_code == 0, res.output
    steps = _outcomes(json.loads(out.read_text(encoding="utf-8")))
    assert steps["Manager"]["approve"] == 3
    res = runner.invoke(app, ["analyze", str(log), "--approve-words", "OK",
                              "--reject-words", "ok"])
    assert res.exit_code == 2 and "'ok' is both approve and reject" in res.output
