"""The live board over HTTP: filters, sorting and paging on both databases, who sees
what, at risk found before the deadline by a manual clock, and the Excel exports read
back with openpyxl."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from openpyxl import load_workbook
from sqlmodel import select

from engine.store import NotificationRow, RiskFlag
from tests.api.conftest import Api
from tests.api.test_flows import decide, start_store

SAMPLES = {"store_code": "SH001", "region": "east", "season": "AW26",
           "needed_by": "2026-03-20", "items": [{"sku": "MQ-001", "quantity": 2}]}


def order(api: Api, **changes: Any) -> str:
    r = api.as_("bai.lu").post("/api/instances", json={"definition": "sample_order",
                                                       "data": {**SAMPLES, **changes}})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def ids(page: dict[str, Any]) -> list[str]:
    return [row["id"] for row in page["items"]]


def test_board_filters_sorts_and_pages(api: Api) -> None:
    shanghai = start_store(api, store_name="Shanghai One")["id"]
    api.clock.advance(timedelta(hours=1))
    east = order(api, store_code="SH002")
    api.clock.advance(timedelta(hours=1))
    north = order(api, region="north", store_code="BJ001")
    decide(api, "li.na", north)  # now at the sample desk
    api.clock.advance(timedelta(hours=1))
    owner = api.as_("chen.jing")

    page = owner.get("/api/board").json()
    assert page["total"] == 3 and ids(page) == [north, east, shanghai]  # newest first
    row = page["items"][0]
    assert row["current_node"] == "sample_manager" and row["holders"]
    assert row["deadline_at"] is None  # not forecast yet
    assert ids(owner.get("/api/board", params={"sort": "started"}).json()) == [
        shanghai, east, north]
    assert owner.get("/api/board", params={"definition": "sample_order"}).json()["total"] == 2
    assert ids(owner.get("/api/board", params={"node": "sample_manager"}).json()) == [north]
    assert ids(owner.get("/api/board", params={"holder": "zhao.lei"}).json()) == [shanghai]
    assert ids(owner.get("/api/board", params={"field": "region:north"}).json()) == [north]
    assert ids(owner.get("/api/board", params={"q": "sh002"}).json()) == [east]
    two = owner.get("/api/board", params={"limit": 2, "offset": 1, "sort": "started"}).json()
    assert two["total"] == 3 and ids(two) == [east, north]

    assert owner.post("/api/board/refresh").status_code == 200
    page = owner.get("/api/board", params={"sort": "deadline"}).json()
    assert set(ids(page)[:2]) == {east, north} and ids(page)[2] == shanghai  # one date
    assert all(r["predicted_median"] and r["predicted_p80"] for r in page["items"])
    assert all(r["predicted_median"] <= r["predicted_p80"] for r in page["items"])
    assert owner.get("/api/board", params={"at_risk": True}).json()["total"] == 0
    assert owner.get("/api/board", params={"overdue": False}).json()["total"] == 3
    api.clock.advance(timedelta(days=3))  # past every first step's SLA
    late = owner.get("/api/board", params={"overdue": True}).json()
    assert late["total"] == 3 and all(r["overdue"] for r in late["items"])

    mine = api.as_("bai.lu").get("/api/board").json()  # a requester: her own only
    assert sorted(ids(mine)) == sorted([east, north])
    assert mine["items"][0]["predicted_p80"]
    assert api.as_("bai.lu").get("/api/board", params={"scope": "all"}).status_code == 403
    bad = owner.get("/api/board", params={"sort": "random"})
    assert bad.status_code == 422
    assert owner.get("/api/board", params={"field": "region"}).status_code == 422
    assert owner.get("/api/board", params={"field": "a b:c"}).status_code == 422


def test_request_turns_at_risk_before_its_deadline_once(api: Api) -> None:
    iid = order(api)  # needed by Friday 20 March; five working days of SLAs ahead
    owner = api.as_("chen.jing")
    owner.post("/api/board/refresh")
    row = owner.get("/api/board").json()["items"][0]
    assert not row["at_risk"] and row["deadline_at"].startswith("2026-03-20T16:00")

    api.clock.advance(timedelta(days=16))  # Wednesday 18 March, still with the manager
    found = owner.post("/api/board/refresh").json()
    assert found["flagged"] == 1 and found["messages"] >= 3
    row = owner.get("/api/board", params={"at_risk": True}).json()["items"][0]
    assert row["id"] == iid and row["at_risk"] and row["deadline_risk"]
    assert row["predicted_p80"] > row["deadline_at"] > api.clock.now.isoformat()
    with api.db.session(write=False) as s:
        flags = s.exec(select(RiskFlag)).all()
        told = {n.username for n in s.exec(select(NotificationRow).where(
            NotificationRow.kind == "at_risk")).all()}
    assert [(f.reason, str(f.subject_id)) for f in flags] == [("deadline", iid)]
    assert {"bai.lu", "li.na", "chen.jing"} <= told  # requester, holder, process owner
    assert owner.post("/api/board/refresh").json()["flagged"] == 0  # once per reason
    # an event in the request's log, by the system, shown in the timeline
    timeline = api.as_("bai.lu").get(f"/api/instances/{iid}").json()["timeline"]
    risky = [e for e in timeline if e["kind"] == "at_risk"]
    assert len(risky) == 1 and risky[0]["actor"] == "system"
    assert risky[0]["action"] == "deadline" and risky[0]["limit_at"] == row["deadline_at"]
    assert risky[0]["expected_at"] > risky[0]["limit_at"] and risky[0]["chance"] >= 0.6
    assert {"bai.lu", "li.na", "chen.jing"} <= set(risky[0]["to"].split(", "))
    assert api.as_("bai.lu").post("/api/board/refresh").status_code == 403


def test_the_board_shows_each_process_at_risk_threshold(api: Api) -> None:

    from engine.analytics.predict import WARN_CHANCE
    from engine.store import RiskThreshold

    order(api)
    owner = api.as_("chen.jing")
    owner.post("/api/board/refresh")
    # no history to choose from: the default
    assert owner.get("/api/board").json()["risk_thresholds"] == {"sample_order": WARN_CHANCE}
    with api.db.session() as s:  # as the worker stores one chosen from the history
        s.add(RiskThreshold(definition_key="sample_order", warn_chance=0.75, misses=9,
                            finished=200, until=api.clock.now,
                            computed_at=api.clock.now))
        s.commit()
    assert owner.get("/api/board").json()["risk_thresholds"] == {"sample_order": 0.75}


def test_board_and_request_list_export_to_xlsx(api: Api) -> None:
    order(api)
    order(api, store_code="BJ002", region="north")
    owner = api.as_("chen.jing")
    owner.post("/api/board/refresh")
    r = owner.get("/api/board.xlsx", params={"field": "region:north"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Request", "Title", "Process", "Step") and len(rows) == 2
    assert rows[1][1] == "Samples for BJ002 (AW26)" and rows[1][9] is not None

    zh = api.as_("bai.lu").get("/api/instances.xlsx", headers={"Accept-Language": "zh"})
    assert zh.status_code == 200
    listed = list(load_workbook(io.BytesIO(zh.content)).active.iter_rows(values_only=True))
    assert listed[0][0] == "申请编号" and len(listed) == 3
    assert {row[2] for row in listed[1:]} == {"门店样品申请"}



def test_the_worker_refreshes_forecasts_and_warns_once(api: Api) -> None:
    from api.background import worker_for

    iid = order(api, needed_by="2026-03-04")  # two working days for five days of SLAs
    worker, _channels = worker_for(api.settings, api.db, api.clock)
    worker.run_once(api.clock.now)
    row = api.as_("chen.jing").get("/api/board").json()["items"][0]
    assert row["id"] == iid and row["at_risk"] and row["forecast_at"]
    api.clock.advance(timedelta(minutes=30))  # before the next refresh: nothing to do
    assert worker.jobs[0](api.db, api.clock.now) == 0
    api.clock.advance(timedelta(hours=1))
    worker.run_once(api.clock.now)  # refreshed again, still at risk: no second warning
    with api.db.session(write=False) as s:
        assert len(s.exec(select(RiskFlag)).all()) == 1


def test_a_request_that_moved_is_forecast_again_at_the_next_worker_round(api: Api) -> None:
    from api.background import worker_for

    still = order(api, store_code="SH009")
    api.clock.advance(timedelta(minutes=5))  # more than MOVED_OVERLAP apart
    moving = order(api)
    worker, _channels = worker_for(api.settings, api.db, api.clock)
    duty = worker.jobs[0]
    worker.run_once(api.clock.now)  # the full refresh
    owner = api.as_("chen.jing")

    def forecast_at() -> dict[str, str]:
        return {r["id"]: r["forecast_at"] for r in owner.get("/api/board").json()["items"]}

    first = forecast_at()
    api.clock.advance(timedelta(minutes=2))
    assert duty(api.db, api.clock.now) == 0 and forecast_at() == first  # nothing moved
    decide(api, "li.na", moving)  # to the sample desk
    api.clock.advance(timedelta(minutes=1))
    duty(api.db, api.clock.now)  # long before the next full refresh
    after = forecast_at()
    assert after[still] == first[still]  # not recomputed
    assert after[moving] > first[moving]  # recomputed for its new step
    row = next(r for r in owner.get("/api/board").json()["items"] if r["id"] == moving)
    assert row["current_node"] == "sample_manager" and row["predicted_p80"]


def test_the_board_stream_says_when_a_request_moves(api: Api) -> None:
    import threading

    iid = order(api)
    ticket = api.as_("chen.jing").post("/api/events/ticket").json()["ticket"]
    seen: list[str] = []
    ready = threading.Event()

    def move_when_ready() -> None:
        ready.wait(10)
        decide(api, "li.na", iid)

    thread = threading.Thread(target=move_when_ready)
    thread.start()
    with api.client.stream("GET", "/api/board/events", params={"ticket": ticket}) as r:
        assert r.status_code == 200
        for line in r.iter_lines():
            if line.startswith("event:"):
                seen.append(line)
                ready.set()
            if len(seen) >= 2:
                break
    thread.join()
    assert seen == ["event: ready", "event: board"]
    assert api.client.get("/api/board/events").status_code == 401
