"""The engine benchmarks at tiny sizes, on SQLite and PostgreSQL; the SpiffWorkflow peer
only where the ``bench`` extra is installed (it is not in CI's install)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from bench import dbs, persisted, rawdb, workload
from tests.conftest import pg_base_url

KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)]


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "postgresql":
        base = pg_base_url()
        if not base:
            pytest.skip("TEST_PG_URL unset")
        monkeypatch.setenv("BENCH_PG_URL", base)
    yield request.param
    dbs.drop_all()


def _counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        out = {t: int(conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one())
               for t in ("instance", "task", "event_log", "node_visit", "cc")}
        out["finished"] = int(conn.execute(sa.text(
            "SELECT count(*) FROM instance WHERE status = 'approved'")).scalar_one())
    engine.dispose()
    return out


def test_full_command_path_decides_every_step(kind: str) -> None:
    decisions, seconds = persisted.signoff_run(kind, 2)
    assert decisions == 2 * workload.decisions_per_instance() and seconds > 0


def test_raw_replay_writes_what_the_service_wrote(kind: str) -> None:
    prelude, decisions = persisted.capture(kind, 2)
    assert [t.label for t in prelude] == ["setup", "start", "start"]
    assert len(decisions) == 12
    assert all("INSERT event_log" in t.shape() for t in decisions)
    service_url = dbs._made[-1]
    raw_url = dbs.fresh(kind)
    rawdb.replay_raw(raw_url, prelude)
    assert rawdb.replay_raw(raw_url, decisions) == 12
    assert _counts(raw_url) == _counts(service_url)
    assert _counts(raw_url)["finished"] == 2
    reads_url = dbs.fresh(kind)
    rawdb.replay_raw(reads_url, prelude)
    rawdb.replay_raw(reads_url, decisions, with_reads=True)
    assert _counts(reads_url) == _counts(service_url)


def test_spiffworkflow_runs_the_same_steps_as_signoff() -> None:
    pytest.importorskip("SpiffWorkflow")
    from bench import spiff

    spec = spiff.load_spec()
    assert spiff.run_instance(spec, workload.REQUEST) == [
        "regional_review", "real_estate_review", "legal_review", "finance_review",
        "cfo_review", "vp_review"]
    cheap = {**workload.REQUEST, "monthly_rent": 20_000}
    assert "cfo_review" not in spiff.run_instance(spec, cheap)
    wf = spiff.start(spec, workload.REQUEST)
    spiff.approve_next(wf, "reject")
    assert wf.is_completed() and spiff.end_event(wf) == "rejected"


def test_spiffworkflow_persisted_runner(kind: str) -> None:
    pytest.importorskip("SpiffWorkflow")
    decisions, _ = persisted.spiff_run(kind, 2)
    assert decisions == 12


def test_inbox_dataset_reads_back_through_the_store(kind: str) -> None:
    from bench import inbox
    from engine import service
    from engine.store import open_database

    url = dbs.fresh(kind)
    inbox.seed(url, 20_000)
    assert _counts(url)["task"] == 20_000
    db = open_database(url)
    try:
        with db.session(write=False) as s:
            user = inbox.real_approvers()[0]
            rows, total = service.inbox(s, user)
            assert total == 2  # 2,000 pending tasks over 1,000 approvers
            assert all(r.task.assignee == user and r.task.status == "pending" for r in rows)
            assert all(r.task.due_at is not None and r.task.due_at.tzinfo for r in rows)
            assert [r.task.due_at for r in rows] == sorted(r.task.due_at for r in rows)
            assert all(r.instance_title.startswith("New store: bench") for r in rows)
    finally:
        db.dispose()
