"""The benchmark harness works at tiny sizes. No timing is asserted here: speed is
measured by ``bin/bench``, never by tests."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bench import compare, eventlog, harness, loadgen, mining, servers, workload
from engine.analytics import LabelMapping, read_log


def test_results_report_medians_ratios_and_targets(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    res = harness.Results()
    for v in (3.0, 1.0, 2.0):
        res.add("a", "ops/s", v)
    for v in (1.0, 1.0):
        res.add("b", "ops/s", v)
    assert (res.figures["a"].median, res.figures["a"].low, res.figures["a"].high) == (2, 1, 3)
    assert res.ratio("a", "b") == 2.0
    assert res.target("a is twice b", 2.0, 2.0).reached
    assert not res.target("p99 under 5 ms", 7.0, 5.0, higher_is_better=False).reached
    assert not res.target("nothing measured", float("nan"), 1.0).reached
    monkeypatch.setattr(harness, "RESULTS_DIR", tmp_path)
    data = json.loads(harness.write_json(res, "t").read_text())
    assert data["figures"]["a"]["median"] == 2.0
    assert [t["reached"] for t in data["targets"]] == [True, False, False]
    assert (tmp_path / "t.json").exists()


def test_compare_puts_each_target_and_figure_before_and_after(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(harness, "RESULTS_DIR", tmp_path)
    paths = []
    for name, value in (("before", 2.0), ("after", 6.0)):
        res = harness.Results()
        for v in (value - 1, value, value + 1):
            res.add("a", "ops/s", v)
        res.add("b", "ops/s", 1.0)
        res.target("a is 5x b", res.ratio("a", "b"), 5.0, unit="x")
        paths.append(harness.write_json(res, name))
    extra = harness.Results()  # a part run on its own: merged into the "after" side
    extra.add("c", "ms", 4.0)
    paths.append(harness.write_json(extra, "after-c"))
    text = compare.render(compare.merged(paths[:1]), compare.merged(paths[1:]))
    assert "| a is 5x b | 2 x | 6 x | >= 5 | **yes** |" in text
    assert "| a | ops/s | 2 (1-3) | 6 (5-7) |" in text
    assert "| c | ms | - | 4 (4-4) |" in text


def test_event_log_is_exact_deterministic_and_readable(tmp_path: Path) -> None:
    rows = list(eventlog.rows(2_000, seed=3))
    assert len(rows) == 2_000
    assert rows == list(eventlog.rows(2_000, seed=3))
    csv_path = eventlog.write_csv(tmp_path / "log.csv", 2_000, seed=3)
    xes_path = eventlog.write_xes(tmp_path / "log.xes", 2_000, seed=3)
    for path in (csv_path, xes_path):
        history = read_log(path, LabelMapping())
        assert len(history.visits) == 2_000
        assert len(history.cases) == len({r[0] for r in rows})
    legal = [r for r in rows if r[4] == "LEGAL"]
    assert legal and all("APPROVED" in r[1] for r in legal)  # the planted rubber stamp


def test_signoff_analyser_child_counts_every_activity(tmp_path: Path) -> None:
    path = eventlog.write_csv(tmp_path / "log.csv", 3_000)
    run = mining.measure("signoff", path)
    assert run.peak_rss_mib > 0 and run.seconds > 0
    expected = Counter(r[1] for r in eventlog.rows(3_000))
    assert {a: int(s["events"]) for a, s in run.stats.items()} == dict(expected)


def test_in_memory_workload_runs_store_opening_to_the_end() -> None:
    assert workload.decisions_per_instance() == 6
    assert workload.run_in_memory(3) == 3


def test_load_generator_against_the_noop_ceiling() -> None:
    port = servers.free_port()
    with servers.server(servers.uvicorn_cmd("bench.ceiling:create_app", port, 1), port):
        requests = [{"method": "POST", "path": f"/noop/{i}"} for i in range(40)]
        out = servers.load(port, requests, clients=4, seconds=30, warmup=5)
    assert out["completed"] == 35 and out["ok"] == 35
    assert out["status_counts"] == {"200": 35}
    assert sorted(int(k) for k in out["statuses"]) == list(range(5, 40))
    assert out["p50_ms"] <= out["p99_ms"]


def test_raw_http_request_is_well_formed() -> None:
    raw = loadgen.build_request({"method": "POST", "path": "/x", "json": {"a": 1},
                                 "headers": {"Authorization": "Bearer t"}}, "h")
    head, body = raw.split(b"\r\n\r\n")
    assert head.startswith(b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 8")
    assert b"Authorization: Bearer t" in head and body == b'{"a": 1}'
