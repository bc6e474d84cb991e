"""The columnar CSV reader gives exactly what the careful reader gives, and steps aside
(returns None) for any file that needs the careful reader's error messages."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from bench import eventlog
from engine.analytics.csvfast import read_csv_columns
from engine.analytics.csvlog import read_csv
from engine.analytics.logs import to_history
from engine.analytics.mapping import IDENTITY, LabelMapping
from engine.analytics.model import History
from engine.analytics.report import analyse
from tests.analytics.test_logs import CSV

COLS = {"case": "case", "activity": "activity", "timestamp": "timestamp", "resource": "who"}
OUTCOME_CSV = ("case:concept:name,concept:name,time:timestamp,outcome,lifecycle:transition,"
               "case:amount\n"
               "a,legal,2024-01-01T00:00:00Z,,complete,10\n"
               "a,finance,2024-01-01T01:00:00+00:00,,start,10\n"
               "a,finance,2024-01-01T12:00:00+08:00,rejected,complete,10\n"
               "b,legal,2024-01-02T00:00:00.250+00:00,approved,,\n")
NAIVE_CSV = ("case,activity,timestamp\n"
             "a,legal,2024-01-01T00:00:00\n"
             "a,finance,2024-01-01 02:00:00.5\n")


def _same(fast: History | None, slow: History) -> None:
    assert fast is not None
    def strip(h: History) -> list[tuple[object, ...]]:  # the raw label aside
        return sorted((v[:7] for v in h.visits), key=lambda t: (t[0], t[3], t[1]))

    assert strip(fast) == strip(slow)
    assert dict(fast.cases) == dict(slow.cases)
    assert list(fast.cases) == list(slow.cases)
    assert analyse(fast) == analyse(slow)
    # the columnar reader hands over the cases' times; they are the cases' own
    for (a, b) in zip(fast.case_times(), slow.case_times(), strict=True):
        assert a.tolist() == b.tolist()
    assert fast.late_attributes == slow.late_attributes


@pytest.mark.parametrize("gz", [False, True])
def test_same_history_as_the_careful_reader(tmp_path: Path, gz: bool) -> None:
    p = tmp_path / ("log.csv.gz" if gz else "log.csv")
    p.write_bytes(gzip.compress(CSV.encode()) if gz else CSV.encode())
    m = LabelMapping()
    _same(read_csv_columns(p, m, **COLS), to_history(read_csv(p, None, **COLS), m, p.name))


def test_outcome_and_lifecycle_columns(tmp_path: Path) -> None:
    p = tmp_path / "o.csv"
    p.write_text(OUTCOME_CSV, encoding="utf-8")
    _same(read_csv_columns(p, IDENTITY), to_history(read_csv(p), IDENTITY, p.name))


def test_timestamps_without_zone_are_utc(tmp_path: Path) -> None:
    p = tmp_path / "n.csv"
    p.write_text(NAIVE_CSV, encoding="utf-8")
    _same(read_csv_columns(p, IDENTITY), to_history(read_csv(p), IDENTITY, p.name))
    mixed = tmp_path / "m.csv"
    mixed.write_text(NAIVE_CSV + "b,legal,2024-01-01T00:00:00+08:00\n", encoding="utf-8")
    assert read_csv_columns(mixed, IDENTITY) is None  # the careful reader handles a mix


def test_synthetic_approval_log(tmp_path: Path) -> None:
    p = eventlog.write_csv(tmp_path / "bench.csv", 3_000, seed=5)
    m = LabelMapping()
    _same(read_csv_columns(p, m), to_history(read_csv(p), m, p.name))


@pytest.mark.parametrize("text", [
    "case,activity,timestamp\n1,x,yesterday\n",
    "case,activity,timestamp\n1,x\n",
    "case,activity,timestamp,outcome\n1,x,2024-01-01T00:00:00,maybe\n",
    "case,activity,timestamp\n",
])
def test_steps_aside_for_the_careful_reader(tmp_path: Path, text: str) -> None:
    p = tmp_path / "bad.csv"
    p.write_text(text, encoding="utf-8")
    assert read_csv_columns(p, IDENTITY) is None
