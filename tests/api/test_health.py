"""Liveness and readiness: live answers whatever the database does; ready fails when the
database is down, when migrations are behind, and when no worker was heard from (if
workers are expected)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from api.clock import ManualClock
from engine.store import open_database, upgrade
from engine.store.heartbeat import beat
from tests.api.conftest import START, Api, make_settings


def _get(url: str, tmp_path: Path, path: str, **settings: object) -> tuple[int, dict]:  # type: ignore[type-arg]
    app = create_app(make_settings(url, tmp_path, **settings), clock=ManualClock(START))
    with TestClient(app) as client:
        r = client.get(path)
        return r.status_code, r.json()


def test_ready_and_live_on_a_prepared_database(api: Api) -> None:
    assert api.client.get("/api/health/live").json() == {"status": "ok"}
    r = api.client.get("/api/health/ready")
    assert r.status_code == 200, r.text
    assert r.json()["checks"] == {"database": "ok", "migrations": "ok"}
    assert api.client.get("/api/health").json()["status"] == "ok"  # kept for old probes


def test_not_ready_when_the_database_is_down(tmp_path: Path) -> None:
    for url in ("postgresql+psycopg://signoff@127.0.0.1:9/signoff?connect_timeout=2",
                f"sqlite:///{tmp_path}/missing-folder/signoff.db"):
        status, body = _get(url, tmp_path, "/api/health/ready")
        assert status == 503, body
        assert body["title"] == "NotReady"
        assert body["checks"]["database"].startswith("unreachable"), body
        assert body["request_id"]
        assert _get(url, tmp_path, "/api/health/live") == (200, {"status": "ok"})


def test_not_ready_when_migrations_are_behind(db_url: str, tmp_path: Path) -> None:
    upgrade(db_url, "0003")
    status, body = _get(db_url, tmp_path, "/api/health/ready")
    assert status == 503
    assert body["checks"]["database"] == "ok"
    assert "run `signoff db upgrade`" in body["checks"]["migrations"]
    upgrade(db_url)
    assert _get(db_url, tmp_path, "/api/health/ready")[0] == 200


def test_ready_needs_a_recent_worker_when_workers_are_expected(db_url: str,
                                                               tmp_path: Path) -> None:
    upgrade(db_url)
    status, body = _get(db_url, tmp_path, "/api/health/ready", workers_expected=True)
    assert status == 503 and body["checks"]["worker"] == "no worker heard from yet"
    db = open_database(db_url)
    try:
        with db.session() as s:
            beat(s, "worker-1", START - timedelta(minutes=10))
            s.commit()
        status, body = _get(db_url, tmp_path, "/api/health/ready", workers_expected=True)
        assert status == 503 and "since" in body["checks"]["worker"]
        with db.session() as s:
            beat(s, "worker-1", START - timedelta(seconds=30))
            s.commit()
        status, body = _get(db_url, tmp_path, "/api/health/ready", workers_expected=True)
        assert status == 200 and body["checks"]["worker"] == "ok"
    finally:
        db.dispose()
