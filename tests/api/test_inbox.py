"""The inbox: filters by process and node, overdue first, pagination, and request lists."""

from __future__ import annotations

from datetime import timedelta

from tests.api.conftest import Api
from tests.api.test_flows import decide, start_store

SAMPLES = {"store_code": "SH001", "region": "east", "season": "AW26",
           "needed_by": "2026-04-01", "items": [{"sku": "MQ-001", "quantity": 2}]}


def test_inbox_filters_sorts_and_pages(api: Api) -> None:
    first = start_store(api, store_name="Oldest")["id"]
    api.clock.advance(timedelta(days=3))  # the first task is now past its 2-day SLA
    second = start_store(api, store_name="Newer")["id"]
    r = api.as_("bai.lu").post("/api/instances", json={"definition": "sample_order",
                                                       "data": SAMPLES})
    assert r.status_code == 201, r.text
    decide(api, "li.na", r.json()["id"])  # bai.lu's store manager; now at the sample desk
    api.clock.advance(timedelta(hours=1))
    boss = api.as_("zhao.lei")

    page = boss.get("/api/tasks", params={"sort": "overdue_first"}).json()
    assert page["total"] == 2
    assert [t["instance_id"] for t in page["items"]] == [first, second]
    assert page["items"][0]["overdue"] and not page["items"][1]["overdue"]
    newest = boss.get("/api/tasks", params={"sort": "created"}).json()["items"]
    assert [t["instance_id"] for t in newest] == [second, first]
    one = boss.get("/api/tasks", params={"limit": 1, "offset": 1}).json()
    assert one["total"] == 2 and [t["instance_id"] for t in one["items"]] == [second]
    assert boss.get("/api/tasks", params={"definition": "sample_order"}).json()["total"] == 0
    assert boss.get("/api/tasks", params={"node": "regional_review"}).json()["total"] == 2
    assert boss.get("/api/tasks", params={"node": "vp_review"}).json()["total"] == 0
    bad = boss.get("/api/tasks", params={"sort": "random", "limit": 0})
    assert bad.status_code == 422
    assert {e["parameter"] for e in bad.json()["errors"]} == {"sort", "limit"}

    desk = api.as_("qian.yu").get("/api/tasks", params={"definition": "sample_order"}).json()
    assert desk["total"] == 1 and desk["items"][0]["node"] == "sample_manager"


def test_request_lists_filter_by_status_and_process(api: Api) -> None:
    running = start_store(api, store_name="Running")["id"]
    withdrawn = start_store(api, store_name="Withdrawn")["id"]
    assert api.as_("xu.ming").post(f"/api/instances/{withdrawn}/withdraw").status_code == 200
    me = api.as_("xu.ming")
    assert me.get("/api/instances").json()["total"] == 2
    only_running = me.get("/api/instances", params={"status": "running"}).json()
    assert [i["id"] for i in only_running["items"]] == [running]
    assert only_running["items"][0]["holders"] == ["zhao.lei"]
    finished = me.get("/api/instances", params={"status": "finished"}).json()
    assert [i["status"] for i in finished["items"]] == ["withdrawn"]
    assert me.get("/api/instances", params={"definition": "sample_order"}).json()["total"] == 0
    everything = api.as_("admin").get("/api/instances", params={"scope": "all"}).json()
    assert everything["total"] == 2
    assert api.as_("zhao.lei").get("/api/instances").json()["total"] == 0  # not his requests
