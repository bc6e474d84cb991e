"""Reading CSV and XES logs, clear errors on bad input, and export round trips."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from engine.analytics.export import write_csv, write_xes
from engine.analytics.logs import LogInvalid, read_log
from engine.analytics.mapping import IDENTITY, LabelMapping
from tests.analytics.conftest import history

CSV = """case,activity,timestamp,who,case:amount,case:dept
1,Claim SUBMITTED by EMPLOYEE,2024-03-04T09:00:00+00:00,eve,1200,sales
1,Claim APPROVED by SUPERVISOR,2024-03-04T10:30:00+00:00,sam,1200,sales
2,Claim SUBMITTED by EMPLOYEE,2024-03-04T09:00:00+00:00,eve,90000,ops
1,Claim FINAL_APPROVED by DIRECTOR,2024-03-05T10:30:00+00:00,dan,1200,sales
2,Claim REJECTED by SUPERVISOR,2024-03-04T09:00:00+00:00,sam,90000,ops
"""


def _csv(tmp_path: Path, text: str = CSV, name: str = "log.csv") -> Path:
    p = tmp_path / name
    if name.endswith(".gz"):
        p.write_bytes(gzip.compress(text.encode()))
    else:
        p.write_text(text, encoding="utf-8")
    return p


def _read(p: Path, **kw: str | None):  # type: ignore[no-untyped-def]
    return read_log(p, LabelMapping(), None, case="case", activity="activity",
                    timestamp="timestamp", resource="who", **kw)


@pytest.mark.parametrize("name", ["log.csv", "log.csv.gz"])
def test_csv_with_named_columns(tmp_path: Path, name: str) -> None:
    h = _read(_csv(tmp_path, name=name))
    assert set(h.cases) == {"1", "2"}
    one = [v for v in h.visits if v.case_id == "1"]
    assert [(v.step, v.outcome, v.resource) for v in one] == [
        ("Claim by EMPLOYEE", "other", "eve"), ("Claim by SUPERVISOR", "approve", "sam"),
        ("Claim by DIRECTOR", "approve", "dan")]
    assert one[0].arrived_at is None  # first event: arrival unknown
    assert one[1].wait == 5400 and one[2].wait == 86400
    # equal timestamps keep file order: case 2 is submitted, then rejected
    two = [v for v in h.visits if v.case_id == "2"]
    assert [v.outcome for v in two] == ["other", "reject"] and two[1].wait == 0
    assert h.cases["1"].attributes == {"amount": 1200.0, "dept": "sales"}
    assert (h.cases["1"].outcome, h.cases["2"].outcome) == ("approved", "rejected")
    assert h.cases["1"].duration == 86400 + 5400


def test_csv_outcome_column_and_lifecycle(tmp_path: Path) -> None:
    text = ("case:concept:name,concept:name,time:timestamp,outcome,lifecycle:transition\n"
            "a,legal,2024-01-01T00:00:00,,complete\n"
            "a,finance,2024-01-01T01:00:00,,start\n"
            "a,finance,2024-01-01T02:00:00,rejected,complete\n")
    h = read_log(_csv(tmp_path, text), IDENTITY)
    assert [(v.step, v.outcome, v.wait) for v in h.visits] == [
        ("legal", "other", None), ("finance", "reject", 7200.0)]


@pytest.mark.parametrize(("text", "message"), [
    ("a,b\n1,2\n", r"log.csv:1: no case column 'case:concept:name' or 'case' or 'case_id'"),
    ("case,activity,timestamp\n1,x,yesterday\n", r"log.csv:2: bad timestamp 'yesterday'"),
    ("case,activity,timestamp\n1,x\n", r"log.csv:2: 2 fields, header has 3"),
    ("case,activity,timestamp,outcome\n1,x,2024-01-01T00:00:00,maybe\n",
     r"log.csv:2: unknown outcome 'maybe'"),
    ("", "empty file"),
    ("case,activity,timestamp\n", "no events"),
])
def test_bad_csv_says_where_and_why(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(LogInvalid, match=message):
        read_log(_csv(tmp_path, text), IDENTITY)


def test_named_column_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(LogInvalid, match="no resource column 'actor'"):
        read_log(_csv(tmp_path), IDENTITY, None, case="case", activity="activity",
                 timestamp="timestamp", resource="actor")


XES = """<?xml version="1.0" encoding="UTF-8"?>
<log xmlns="http://www.xes-standard.org/">
 <trace><string key="concept:name" value="t1"/><float key="amount" value="12.5"/>
  <event><string key="concept:name" value="Claim SUBMITTED by EMPLOYEE"/>
   <date key="time:timestamp" value="2024-03-04T09:00:00.000+01:00"/>
   <string key="lifecycle:transition" value="complete"/>
   <string key="(case)_dept" value="ops"/></event>
  <event><string key="concept:name" value="Claim APPROVED by SUPERVISOR"/>
   <date key="time:timestamp" value="2024-03-04T09:30:00.000+01:00"/>
   <string key="lifecycle:transition" value="start"/></event>
  <event><string key="concept:name" value="Claim APPROVED by SUPERVISOR"/>
   <string key="org:resource" value="sam"/>
   <date key="time:timestamp" value="2024-03-04T10:00:00.000+01:00"/>
   <string key="lifecycle:transition" value="COMPLETE"/></event>
 </trace>
</log>
"""


def test_xes_keeps_complete_events_and_case_attributes(tmp_path: Path) -> None:
    p = tmp_path / "l.xes.gz"
    p.write_bytes(gzip.compress(XES.encode()))
    seen: list[tuple[int, int]] = []
    h = read_log(p, LabelMapping(), lambda done, total: seen.append((done, total)))
    assert [(v.step, v.outcome, v.resource, v.wait) for v in h.visits] == [
        ("Claim by EMPLOYEE", "other", None, None), ("Claim by SUPERVISOR", "approve", "sam", 3600)]
    assert h.cases["t1"].attributes == {"amount": 12.5, "dept": "ops"}
    assert seen and seen[-1][0] == seen[-1][1]  # progress reached the end


@pytest.mark.parametrize(("body", "message"), [
    ("<log><trace><event><string key='concept:name' value='x'/></event></trace></log>",
     r"l.xes:1: event 'x' without time:timestamp"),
    ("<log><trace><event><date key='time:timestamp' value='2024-01-01T00:00:00'/></event>"
     "</trace></log>", "event without concept:name"),
    ("<log><trace><event>", "not well-formed XML"),
    ("<log><trace><event><string key='concept:name' value='x'/><date key='time:timestamp' "
     "value='2024-01-01T00:00:00'/></event></trace></log>", "trace without concept:name"),
])
def test_bad_xes_says_where_and_why(tmp_path: Path, body: str, message: str) -> None:
    p = tmp_path / "l.xes"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(LogInvalid, match=message):
        read_log(p, LabelMapping())


def test_unknown_format_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LogInvalid, match="no such file"):
        read_log(tmp_path / "nope.xes", IDENTITY)
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(LogInvalid, match="unknown log format"):
        read_log(tmp_path / "x.json", IDENTITY)


def _sample():  # type: ignore[no-untyped-def]
    return history({
        "r1": [("manager", 3600, "approve", "ann", True), ("finance", 7200, "reject", "bob")],
        "r2": [("manager", 60, "return", "ann"), ("manager", 120, "approve", "ann"),
               ("finance", 30, "approve", "bob")],
    }, {"r1": {"amount": 1500.0, "city": "Shanghai"}, "r2": {"amount": 20.0, "city": "Xi'an & co"}})


@pytest.mark.parametrize("suffix", [".xes", ".csv"])
def test_export_round_trip(tmp_path: Path, suffix: str) -> None:
    h = _sample()
    buf = io.StringIO()
    n = (write_xes if suffix == ".xes" else write_csv)(h, buf)
    assert n == 5
    p = tmp_path / f"out{suffix}"
    p.write_text(buf.getvalue(), encoding="utf-8")
    back = read_log(p, IDENTITY)
    key = lambda v: (v.case_id, v.step, v.decided_at, v.outcome, v.resource)  # noqa: E731
    assert sorted(map(key, back.visits)) == sorted(map(key, h.visits))
    assert back.cases["r2"].attributes["city"] == "Xi'an & co"
    assert back.cases["r1"].attributes["amount"] == 1500.0
    # arrivals after the first visit come back as the previous decision
    assert [v.wait for v in back.visits if v.case_id == "r1"] == [None, 7200]
