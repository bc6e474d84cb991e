"""Whole journeys through HTTP: the store-opening flow, return and resubmit, withdraw,
delegate, bulk approve, and out-of-office rerouting."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.api.conftest import Api, As

STORE = {"store_name": "Nanjing Road Flagship", "city": "Shanghai",
         "address": "123 Nanjing Road East", "monthly_rent": 60000, "lease_years": 5,
         "opening_date": "2026-06-01", "area_sqm": 300, "legal_contact": "song.qian"}


def start_store(api: Api, **changes: Any) -> dict[str, Any]:
    r = api.as_("xu.ming").post("/api/instances",
                                json={"definition": "store_opening", "data": {**STORE, **changes}})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def task_of(user: As, instance_id: str) -> dict[str, Any]:
    r = user.get("/api/tasks")
    assert r.status_code == 200, r.text
    found = [t for t in r.json()["items"] if t["instance_id"] == instance_id]
    assert len(found) == 1, (found, r.json())
    task: dict[str, Any] = found[0]
    return task


def decide(api: Api, username: str, instance_id: str, action: str = "approve",
           **body: Any) -> dict[str, Any]:
    user = api.as_(username)
    task = task_of(user, instance_id)
    r = user.post(f"/api/tasks/{task['id']}/{action}", json=body or None)
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def test_store_opening_from_request_to_approval(api: Api) -> None:
    inst = start_store(api)
    iid = inst["id"]
    assert inst["status"] == "running" and inst["current_node"] == "regional_review"
    assert inst["holders"] == ["zhao.lei"] and inst["since"] is not None
    assert inst["title"] == "New store: Nanjing Road Flagship (Shanghai)"
    assert inst["can_withdraw"] and not inst["can_resubmit"]

    api.clock.advance(timedelta(hours=3))
    inbox = api.as_("zhao.lei").get("/api/tasks").json()
    assert inbox["total"] == 1
    task = inbox["items"][0]
    assert task["actions"] == ["approve", "reject", "return"]
    assert task["return_targets"] == ["initiator"]
    assert task["due_at"] and not task["overdue"]
    out = decide(api, "zhao.lei", iid, comment="Good location")
    assert out["current_node"] == "site_review"
    assert sorted(out["holders"]) == ["song.qian", "tang.lan"]

    api.clock.advance(timedelta(days=1))
    decide(api, "tang.lan", iid)
    out = decide(api, "song.qian", iid)
    assert out["current_node"] == "finance_review"
    api.clock.advance(timedelta(hours=5))
    out = decide(api, "cao.li", iid)
    assert out["current_node"] == "vp_review"  # rent under the CFO threshold
    out = decide(api, "liu.yang", iid)
    assert out["status"] == "approved" and out["outcome"] == "approved"
    assert out["holders"] == [] and out["finished_at"] is not None

    detail = api.as_("xu.ming").get(f"/api/instances/{iid}").json()
    visits = {v["node"]: v for v in detail["visits"]}
    assert visits["regional_review"]["duration_seconds"] == 3 * 3600
    assert visits["regional_review"]["decided_by"] == "zhao.lei"
    assert visits["site_review"]["duration_seconds"] == 24 * 3600
    kinds = [e["kind"] for e in detail["timeline"]]
    assert kinds[0] == "instance_started" and kinds[-1] == "instance_finished"
    comment = next(e for e in detail["timeline"] if e["kind"] == "task_decided")
    assert comment["comment"] == "Good location" and comment["duration_seconds"] == 3 * 3600
    # the store-opening team was copied and sees it under "copied to me"
    cc = api.as_("pan.xia").get("/api/instances", params={"scope": "cc"}).json()
    assert [i["id"] for i in cc["items"]] == [iid]
    mine = api.as_("xu.ming").get("/api/instances", params={"status": "finished"}).json()
    assert mine["total"] == 1 and mine["items"][0]["status"] == "approved"
