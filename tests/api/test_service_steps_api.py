"""Service steps end to end against a real local HTTP service (the demo's simulated
logistics system on a localhost port): the call leaves through the outbox signed, a
failing system is retried with backoff, the signed callbacks come back through the real
endpoint and drive the route, the timeout escalates, and bad callbacks change nothing.
SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID, uuid4

import httpx
import pytest
from sqlmodel import select
from standardwebhooks import Webhook

from api.background import worker_for
from engine import service
from engine.demo.logistics import LogisticsSystem, Shipment, new_secret
from engine.notify.service import ServiceSystem, sign_callback
from engine.notify.transport import dumps, utc_now
from engine.store.messaging_tables import NotificationRow, OutboxRow
from engine.worker import Worker
from tests.api.conftest import Api, opened_api
from tests.conftest import ROOT

TEXT = (ROOT / "tests" / "fixtures" / "delivery.yaml").read_text(encoding="utf-8")
ORDER = {"store_code": "SH001", "items": 3, "note": "window props"}
ERP_SECRET = new_secret()


@pytest.fixture
def world(db_url: str, tmp_path: Path, password_hash: str, request: pytest.FixtureRequest
          ) -> Iterator[tuple[Api, LogisticsSystem]]:
    system = LogisticsSystem().start()
    services = {"logistics": {"url": system.url, "secret": system.secret},
                "erp": {"url": "http://127.0.0.1:9/", "secret": ERP_SECRET}}
    with opened_api(db_url, tmp_path, password_hash, request, services=services) as api:
        def post(url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
            return api.client.post(urlsplit(url).path, content=body, headers=headers)
        system.post = post
        with api.db.session() as s:
            service.publish_definition(s, TEXT, "chen.jing", service.load_directory(s),
                                       now=api.clock())
            s.commit()
        yield api, system
    system.stop()


def _worker(api: Api) -> Worker:
    worker, _closing = worker_for(api.settings, api.db, api.clock)
    return worker


def _start(api: Api) -> dict[str, Any]:
    r = api.as_("bai.lu").post("/api/instances", json={"definition": "delivery", "data": ORDER})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _deliver(api: Api, at: datetime | None = None) -> None:
    _worker(api).run_once(at or api.clock(), jobs=False)


def _view(api: Api, iid: str) -> dict[str, Any]:
    r = api.as_("bai.lu").get(f"/api/instances/{iid}")
    assert r.status_code == 200, r.text
    return dict(r.json())


def _outbox(api: Api, call_id: str) -> OutboxRow:
    with api.db.session(write=False) as s:
        row = s.get(OutboxRow, UUID(call_id))
        assert row is not None
        return row


def test_the_call_arrives_signed_and_the_callbacks_drive_the_route(
        world: tuple[Api, LogisticsSystem]) -> None:
    api, system = world
    iid = _start(api)["id"]
    assert system.shipments == []  # written to the outbox; the worker sends it
    _deliver(api)
    [shipment] = system.shipments
    assert system.refused == 0  # verified by the system with the shared secret
    Webhook(system.secret).verify(dumps(shipment.body), shipment.headers)
    body = shipment.body
    assert (body["type"], body["instance_id"], body["step"], body["system"]) == (
        "signoff.service_call", iid, "ship", "logistics")
    assert body["data"] == {"store_code": "SH001", "items": 3}
    assert body["callback_url"].endswith("/api/services/logistics/callback")
    assert shipment.headers["webhook-id"] == body["call_id"]
    assert _outbox(api, body["call_id"]).status == "sent"

    r = system.callback(shipment, "shipped")
    assert r.status_code == 200, r.text
    assert r.json()["waiting"] is True
    system.callback(shipment, "in_transit")
    view = _view(api, iid)
    [tracked] = view["services"]
    assert [u["status"] for u in tracked["updates"]] == ["shipped", "in_transit"]
    assert tracked["waiting"] and view["data"]["status"] == "in_transit"
    r = system.callback(shipment, "arrived")
    assert r.json() == {"instance_id": iid, "step": "ship", "status": "approved",
                        "node": "delivered", "waiting": False}
    view = _view(api, iid)
    kinds = [e["kind"] for e in view["timeline"]]
    assert kinds.count("service_answered") == 3 and "service_called" in kinds
    assert view["status"] == "approved" and not view["services"][0]["waiting"]


def test_a_lost_shipment_goes_to_a_person(world: tuple[Api, LogisticsSystem]) -> None:
    api, system = world
    iid = _start(api)["id"]
    _deliver(api)
    system.callback(system.shipments[0], "lost")
    view = _view(api, iid)
    assert view["current_node"] == "manual" and view["holders"] == ["lu.wen"]


def test_a_failing_system_is_retried_with_backoff(world: tuple[Api, LogisticsSystem]) -> None:
    api, system = world
    _start(api)
    system.fail_next = 2
    t0 = api.clock()
    _deliver(api, t0)
    assert (system.attempts, system.shipments) == (1, [])
    with api.db.session(write=False) as s:
        row = s.exec(select(OutboxRow).where(OutboxRow.channel == "service")).one()
    assert (row.status, row.attempts) == ("pending", 1) and "503" in (row.last_error or "")
    assert row.next_attempt_at == t0 + timedelta(seconds=30)
    _deliver(api, t0 + timedelta(seconds=20))  # not due yet
    assert system.attempts == 1
    _deliver(api, t0 + timedelta(seconds=30))
    assert system.attempts == 2
    assert _outbox(api, str(row.id)).next_attempt_at == t0 + timedelta(seconds=90)
    _deliver(api, t0 + timedelta(seconds=90))
    assert system.attempts == 3 and len(system.shipments) == 1
    assert system.shipments[0].headers["webhook-id"] == str(row.id)  # the same id each time
    assert _outbox(api, str(row.id)).status == "sent"


def test_the_timeout_fires_and_escalates(world: tuple[Api, LogisticsSystem]) -> None:
    api, system = world
    iid = _start(api)["id"]
    _deliver(api)
    _deliver(api, api.clock() + timedelta(days=1))
    assert "service_timed_out" not in [e["kind"] for e in _view(api, iid)["timeline"]]
    api.clock.advance(timedelta(days=2, minutes=1))
    _deliver(api)
    entry = next(e for e in _view(api, iid)["timeline"] if e["kind"] == "service_timed_out")
    assert (entry["action"], entry["to"]) == ("notify", "lu.wen")
    with api.db.session(write=False) as s:
        told = s.exec(select(NotificationRow).where(NotificationRow.username == "lu.wen")).all()
    assert [n.kind for n in told] == ["escalated"]
    assert told[0].payload["path"] == f"/requests/{iid}"
    assert system.callback(system.shipments[0], "arrived").json()["status"] == "approved"


def _signed(secret: str, body: dict[str, Any], *, at: datetime | None = None,
            cid: str | None = None) -> tuple[bytes, dict[str, str]]:
    raw = dumps(body)
    headers = sign_callback(ServiceSystem("x", "", secret), cid or f"cb_{uuid4().hex}", raw, at)
    return raw, {"content-type": "application/json", **headers}


def test_bad_callbacks_are_refused_and_change_nothing(world: tuple[Api, LogisticsSystem]
                                                      ) -> None:
    api, system = world
    iid = _start(api)["id"]
    _deliver(api)
    shipment: Shipment = system.shipments[0]
    good = {"call_id": shipment.body["call_id"], "instance_id": iid, "step": "ship",
            "data": {"status": "shipped"}}
    url = "/api/services/logistics/callback"
    before = api.event_count()

    def send(body: dict[str, Any] | bytes, secret: str = system.secret, path: str = url,
             **kw: Any) -> httpx.Response:
        if isinstance(body, bytes):
            raw, headers = body, _signed(secret, {})[1]
        else:
            raw, headers = _signed(secret, body, **kw)
        return api.client.post(path, content=raw, headers=headers)

    unsigned = api.client.post(url, json=good)
    cases = [
        (unsigned, 401, "webhook-id"),
        (send(good, secret=new_secret()), 401, "signature"),
        (send(good, at=utc_now() - timedelta(minutes=10)), 401, "replay"),
        (send(good, path="/api/services/nobody/callback"), 401, "nobody"),
        (send(good, secret=ERP_SECRET, path="/api/services/erp/callback"), 403, "logistics"),
        (send({**good, "step": "manual"}), 409, "manual"),
        (send({**good, "call_id": str(uuid4())}), 409, "no call"),
        (send({**good, "instance_id": str(uuid4())}), 404, ""),
        (send({**good, "data": {"status": "teleported"}}), 422, ""),
        (send({"call_id": "nope"}), 422, ""),
    ]
    for response, status, says in cases:
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert says in response.json()["detail"], response.text
    bad = cases[8][0].json()
    assert [e["pointer"] for e in bad["errors"]] == ["/data/status"]
    assert api.event_count() == before
    # the same callback twice (the system retried): applied once
    raw, headers = _signed(system.secret, good, cid="cb_same")
    first = api.client.post(url, content=raw, headers=headers)
    again = api.client.post(url, content=raw, headers=headers)
    assert first.status_code == again.status_code == 200
    assert api.event_count() == before + 1
    assert json.loads(again.text)["waiting"] is True
