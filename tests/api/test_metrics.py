"""``/metrics``: it moves as requests, commands, deliveries and heartbeats happen (read
before and after), shows pool use and is closed to strangers unless configured open."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from api import metrics
from api.app import create_app
from engine.core.errors import ConcurrentUpdate, NotPermitted
from tests.api.conftest import Api, make_settings
from tests.api.test_concurrency import _bearer, _race
from tests.api.test_flows import decide, start_store, task_of

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(api: Api) -> Samples:
    r = api.client.get("/metrics", headers={"Authorization": "Bearer metrics-secret"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(r.text) for s in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
def api_m(api: Api) -> Api:
    api.settings.metrics_token = "metrics-secret"
    return api


def test_requests_are_counted_by_route_template_and_status(api_m: Api) -> None:
    before = scrape(api_m)
    iid = start_store(api_m)["id"]
    assert api_m.as_("xu.ming").get(f"/api/instances/{iid}").status_code == 200
    assert api_m.as_("xu.ming").get("/api/instances/00000000-0000-0000-0000-000000000000"
                                    ).status_code == 404
    after = scrape(api_m)
    route = "/api/instances/{instance_id}"
    for status in ("200", "404"):
        key = {"method": "GET", "route": route, "status": status}
        assert value(after, "signoff_http_requests_total", **key) == \
            value(before, "signoff_http_requests_total", **key) + 1
    assert value(after, "signoff_http_request_duration_seconds_count", method="GET",
                 route=route) == value(before, "signoff_http_request_duration_seconds_count",
                                       method="GET", route=route) + 2
    created = {"method": "POST", "route": "/api/instances", "status": "201"}
    assert value(after, "signoff_http_requests_total", **created) == \
        value(before, "signoff_http_requests_total", **created) + 1


def test_commands_are_counted_by_kind_and_outcome(api_m: Api) -> None:
    before = scrape(api_m)
    iid = start_store(api_m)["id"]
    decide(api_m, "zhao.lei", iid)
    after = scrape(api_m)
    for kind in ("StartInstance", "DecideTask"):
        assert value(after, "signoff_commands_total", kind=kind, outcome="ok") == \
            value(before, "signoff_commands_total", kind=kind, outcome="ok") + 1
        assert value(after, "signoff_command_duration_seconds_count", kind=kind) > \
            value(before, "signoff_command_duration_seconds_count", kind=kind)

    # Four clicks racing for one task: one applies, three are turned away (a conflict
    # when they raced inside the database, refused when the task was already decided).
    task = task_of(api_m.as_("song.qian"), iid)["id"]
    before = scrape(api_m)
    codes = sorted(r.status_code for r in asyncio.run(
        _race(api_m, f"/api/tasks/{task}/approve", _bearer(api_m, "song.qian"), 4)))
    assert codes == [200, 409, 409, 409]
    after = scrape(api_m)

    def moved(outcome: str) -> float:
        return (value(after, "signoff_commands_total", kind="DecideTask", outcome=outcome)
                - value(before, "signoff_commands_total", kind="DecideTask", outcome=outcome))

    assert moved("ok") == 1
    assert moved("conflict") + moved("refused") == 3


def test_a_concurrent_update_counts_as_a_conflict() -> None:
    before = metrics.COMMANDS.labels("Probe", "conflict")._value.get()
    with pytest.raises(ConcurrentUpdate), metrics.command("Probe"):
        raise ConcurrentUpdate(uuid.uuid4(), 3)
    with pytest.raises(NotPermitted), metrics.command("Probe"):
        raise NotPermitted("bob", "approve", "not assigned")
    assert metrics.COMMANDS.labels("Probe", "conflict")._value.get() == before + 1
    assert metrics.outcome_of(RuntimeError()) == "error"


def test_worker_deliveries_and_heartbeats_move(api_m: Api) -> None:
    before = scrape(api_m)
    metrics.record_delivery("email", "sent", worker="w1")
    metrics.record_delivery("email", "sent", worker="w1")
    metrics.record_delivery("webhook", "retry", worker="w1")
    metrics.record_timers_fired(3, worker="w1")
    metrics.worker_heartbeat("w1")
    after = scrape(api_m)
    sent = {"channel": "email", "result": "sent", "worker": "w1"}
    assert value(after, "signoff_deliveries_total", **sent) == \
        value(before, "signoff_deliveries_total", **sent) + 2
    assert value(after, "signoff_timers_fired_total", worker="w1") == \
        value(before, "signoff_timers_fired_total", worker="w1") + 3
    assert value(after, "signoff_worker_heartbeats_total", worker="w1") == \
        value(before, "signoff_worker_heartbeats_total", worker="w1") + 1
    assert value(after, "signoff_worker_last_heartbeat_timestamp_seconds", worker="w1") > 0


def test_database_gauges(api_m: Api) -> None:
    samples = scrape(api_m)
    assert value(samples, "signoff_database_up") == 1
    assert ("signoff_db_pool_size", frozenset({("engine", "write")})) in samples
    assert any(name == "signoff_db_pool_connections" for name, _ in samples)


def test_outbox_and_timer_gauges(api_m: Api) -> None:
    before = scrape(api_m)
    start_store(api_m)  # tasks assigned: messages for the outbox, timers for the SLA
    after = scrape(api_m)
    assert value(after, "signoff_outbox_depth") > value(before, "signoff_outbox_depth")
    assert value(after, "signoff_outbox_oldest_age_seconds") >= 0
    assert value(after, "signoff_timers_due") == 0
    api_m.clock.advance(timedelta(days=30))  # no worker ran: everything is due, and late
    later = scrape(api_m)
    assert value(later, "signoff_timers_due") > 0
    assert value(later, "signoff_timers_late") == value(later, "signoff_timers_due")
    assert value(later, "signoff_outbox_oldest_age_seconds") >= 30 * 86400


def test_access_is_limited(api: Api, tmp_path: Path) -> None:
    # TestClient is not on this host: without the token it is refused by default.
    assert api.client.get("/metrics").status_code == 403
    api.settings.metrics_token = "metrics-secret"
    assert api.client.get("/metrics", headers={"Authorization": "Bearer wrong"}
                          ).status_code == 403
    for mode, code in (("off", 404), ("open", 200)):
        settings = make_settings(api.settings.database_url, tmp_path, metrics_access=mode)
        with TestClient(create_app(settings)) as client:
            r = client.get("/metrics")
            assert r.status_code == code
            if code != 200:
                assert r.headers["content-type"] == "application/problem+json"
