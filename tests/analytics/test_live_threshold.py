"""The live at-risk rule is the backtest's, on SQLite and PostgreSQL: the worker's full
refresh chooses each process's threshold from its finished requests with the backtest's
replay and rule, stores it, warns by it (once), and keeps ``WARN_CHANCE`` for a process
with fewer than ``MIN_MISSES`` misses."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa
from sqlmodel import select
from typer.testing import CliRunner

from api.cli import _register, app
from engine import forecast
from engine.analytics import live
from engine.analytics.backtest import replay
from engine.analytics.calendar import WorkingCalendar
from engine.analytics.predict import CHANCE_GRID, MIN_MISSES, TARGET_RECALL, WARN_CHANCE
from engine.analytics.store import load_traces
from engine.core import events as ev
from engine.core.state import replay as replay_state
from engine.demo import seed
from engine.store import RiskFlag, RiskThreshold, event_log, open_database, upgrade
from engine.store.definitions import DbCatalog
from engine.store.org import current_directory
from tests.api.test_caches import statements
from tests.demo.conftest import DEFINITIONS, END

N, SEED, DRAWS = 600, 1, 200


def _expected(outcomes: list[tuple[float, bool]]) -> float:
    """The backtest's rule, stated from the docs: the highest threshold of the grid at
    which the highest predicted chance of at least TARGET_RECALL of the misses reached."""
    highest = [c for c, missed in outcomes if missed]
    ok = [g for g in CHANCE_GRID if sum(c >= g for c in highest) >= TARGET_RECALL * len(highest)]
    return max(ok)


def test_the_live_threshold_is_the_backtests_and_warns_once(db_url: str) -> None:
    upgrade(db_url)
    db = open_database(db_url)
    live.CACHE.clear()
    try:
        seed(db, definitions_dir=DEFINITIONS, n_instances=N, seed=SEED, now=END)
        cal = WorkingCalendar()
        with db.session(write=False) as s:
            traces = load_traces(s, None, finished_only=True)
            catalog = DbCatalog(s)
            definitions = {(t.key, t.version): catalog.get(t.key, t.version) for t in traces}
        rows = replay(definitions, traces, cal, draws=DRAWS)

        with db.session() as s:  # as the board's refresh: the stored thresholds (none yet)
            versions = len(s.connection().execute(sa.text(
                "SELECT DISTINCT definition_key, definition_version FROM instance "
                "WHERE status = 'running'")).all())
            with statements("FROM definition_version") as read:
                predicted = forecast.predict_all(s, DbCatalog(s), END, choose=False,
                                                 draws=DRAWS)
            assert predicted.rows  # each version's definition read once, not per request
            assert len(predicted.rows) > 2 * versions >= len(read) > 0
            forecast.refresh(s, DbCatalog(s), current_directory(s), END, draws=DRAWS)
            assert s.exec(select(RiskThreshold)).all() == []
            forecast.refresh(s, DbCatalog(s), current_directory(s), END, draws=DRAWS,
                             choose=True)  # as the worker's full refresh
            s.commit()
        with db.session(write=False) as s:
            stored = {r.definition_key: r for r in s.exec(select(RiskThreshold)).all()}
        assert set(stored) == {"expense_claim", "sample_order", "store_opening"}
        chosen_any = False
        for key, row in stored.items():
            part = sorted((r for r in rows if r.key == key and r.deadline is not None),
                          key=lambda r: r.finished_at)
            misses = sum(r.missed for r in part)
            assert row.misses == misses
            if misses < MIN_MISSES:
                assert row.warn_chance == WARN_CHANCE
            else:
                assert row.warn_chance == _expected([r.outcome for r in part])
                chosen_any |= row.warn_chance != WARN_CHANCE
        assert chosen_any  # the history chooses a threshold other than the default
        assert stored["sample_order"].misses < MIN_MISSES  # and one process keeps 0.6

        # the CLI's backtest reports the same thresholds
        _register()
        out = CliRunner().invoke(app, ["backtest", "--db", db_url, "--json",
                                       "--draws", str(DRAWS)])
        assert out.exit_code == 0, out.output
        assert json.loads(out.output)["thresholds"] == {
            k: r.warn_chance for k, r in stored.items()}

        # a running request crossing its process's threshold becomes at risk, once
        key = next(k for k, r in stored.items() if r.warn_chance != WARN_CHANCE)
        threshold = stored[key].warn_chance
        crossing = _find_crossing(db, key, threshold, cal)
        assert crossing is not None, "no running request crosses the threshold"
        iid, before, after, low, high = crossing
        assert low < threshold <= high
        duty = forecast.ForecastDuty(draws=DRAWS)  # the worker's job: full refreshes
        for when in (before, after, after + duty.every):
            duty.run(db, when)
            with db.session(write=False) as s:
                flags = s.exec(select(RiskFlag).where(RiskFlag.instance_id == iid,
                                                      RiskFlag.reason == "deadline")).all()
                marked = [e for e in event_log.load(s, iid)
                          if isinstance(e, ev.RequestAtRisk) and e.reason == "deadline"]
            assert len(flags) == len(marked) == (0 if when == before else 1)
        assert marked[0].chance == high
    finally:
        db.dispose()


def _find_crossing(db: Any, key: str, threshold: float, cal: WorkingCalendar
                   ) -> tuple[UUID, Any, Any, float, float] | None:
    """A running request of ``key`` not at risk at ``END`` whose chance of missing its
    deadline reaches ``threshold`` later (nothing else happening, looked at every half
    hour): its id, the moments just before and at the crossing, and its chances then."""
    with db.session(write=False) as s:
        catalog = DbCatalog(s)
        flagged = {f.instance_id for f in s.exec(select(RiskFlag).where(
            RiskFlag.reason == "deadline")).all()}
        running = [r.id for r in forecast._running(s.connection(), [key])]
        histories = event_log.load_many(s, running)
        for iid in running:
            if iid in flagged or not histories.get(iid):
                continue
            events = histories[iid]
            state = replay_state(events)
            defn = catalog.get(key, state.definition_version)
            learned = live.CACHE.get(db.engine, defn, cal)
            assert learned.warn_chance == threshold  # the request view's copy too
            when, last = END, None
            chances: list[float] = []
            for _ in range(200):
                found = live.forecast(defn, learned, state, events, when, draws=DRAWS)
                p = found.prediction
                if p is None or p.miss_chance is None or found.deadline is None \
                        or when >= found.deadline:
                    break
                if p.miss_chance >= threshold:
                    if last is None:
                        break  # already at risk at END: not a crossing
                    return iid, last, when, chances[-1], p.miss_chance
                chances.append(p.miss_chance)
                last, when = when, when + timedelta(minutes=30)
    return None


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    yield
    live.CACHE.clear()
