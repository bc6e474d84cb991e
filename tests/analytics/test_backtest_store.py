"""The backtest and the live predictions over a seeded demo database, on SQLite and
PostgreSQL: ``signoff backtest --json``, and the projections teaching the same step times
as the event log."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from api.cli import _register, app
from engine.analytics.calendar import WorkingCalendar
from engine.analytics.live import finished_traces
from engine.analytics.predict import learn
from engine.analytics.store import load_traces
from engine.demo import seed
from engine.store import open_database, upgrade
from engine.store.definitions import DbCatalog
from tests.demo.conftest import DEFINITIONS, END


def test_backtest_cli_and_projection_traces(db_url: str) -> None:
    upgrade(db_url)
    db = open_database(db_url)
    try:
        seed(db, definitions_dir=DEFINITIONS, n_instances=160, seed=5, now=END)
        with db.session(write=False) as session:
            from_log = load_traces(session, "expense_claim", finished_only=True)
            defn = DbCatalog(session).get("expense_claim")
            with db.read_engine.connect() as conn:
                from_rows = finished_traces(conn, "expense_claim")
    finally:
        db.dispose()
    assert from_log and len(from_log) == len(from_rows)
    cal = WorkingCalendar()
    a, b = learn(defn, from_log, cal), learn(defn, from_rows, cal)
    for node in ("manager", "finance_review"):
        one, two = a.samples(node), b.samples(node)
        assert one is not None and two is not None
        assert sorted(one[0].secs) == sorted(two[0].secs)

    _register()
    result = CliRunner().invoke(app, ["backtest", "--db", db_url, "--json", "--draws", "100"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    overall = scores["all"]["predictor"]
    assert overall["requests"] > 100 and overall["predictions"] >= overall["requests"]
    assert 0.5 <= overall["calibration_p80"] <= 1.0
    assert set(scores["processes"]) == {"expense_claim", "sample_order", "store_opening"}
    assert set(scores["rules"]) == {"p50", "p65", "p80", "p90"}
    table = CliRunner().invoke(app, ["backtest", "sample_order", "--db", db_url,
                                     "--draws", "100"])
    assert table.exit_code == 0 and "Backtest: at-risk warnings" in table.output
