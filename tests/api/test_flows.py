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
    """The decision's answer as the whole request (``view=full``)."""
    user = api.as_(username)
    task = task_of(user, instance_id)
    r = user.post(f"/api/tasks/{task['id']}/{action}", json=body or None,
                  params={"view": "full"})
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


def test_return_and_resubmission(api: Api) -> None:
    iid = start_store(api, monthly_rent=70000)["id"]
    out = decide(api, "zhao.lei", iid, "return", comment="Add the landlord")
    assert out["status"] == "returned" and out["holders"] == ["xu.ming"]
    assert out["can_resubmit"] is False  # zhao.lei is looking, not the initiator
    assert api.as_("zhao.lei").get("/api/tasks").json()["total"] == 0
    mine = api.as_("xu.ming").get(f"/api/instances/{iid}").json()
    assert mine["can_resubmit"] and mine["can_withdraw"]
    returned = [e for e in mine["timeline"] if e["kind"] == "instance_returned"]
    assert returned[0]["comment"] == "Add the landlord" and returned[0]["actor"] == "zhao.lei"

    api.clock.advance(timedelta(hours=2))
    r = api.as_("xu.ming").post(f"/api/instances/{iid}/resubmit",
                                json={"data": {**STORE, "landlord": "Bund Estates"}})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["status"] == "running" and out["current_node"] == "regional_review"
    assert out["data"]["landlord"] == "Bund Estates"
    visits = [(v["node"], v["visit"], v["outcome"]) for v in out["visits"]]
    assert visits == [("regional_review", 1, "returned"), ("regional_review", 2, None)]
    out = decide(api, "zhao.lei", iid)
    assert out["current_node"] == "site_review"


def test_withdraw_cancels_open_tasks(api: Api) -> None:
    iid = start_store(api)["id"]
    decide(api, "zhao.lei", iid)
    assert api.as_("tang.lan").get("/api/tasks").json()["total"] == 1
    r = api.as_("xu.ming").post(f"/api/instances/{iid}/withdraw",
                                json={"comment": "Landlord pulled out"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["status"] == "withdrawn" and out["finished_at"] and out["holders"] == []
    assert {t["status"] for t in out["tasks"] if t["node"] == "site_review"} == {"cancelled"}
    assert api.as_("tang.lan").get("/api/tasks").json()["total"] == 0
    again = api.as_("xu.ming").post(f"/api/instances/{iid}/withdraw")
    assert again.status_code == 409


def test_delegate_hands_the_task_over(api: Api) -> None:
    iid = start_store(api)["id"]
    task = task_of(api.as_("zhao.lei"), iid)
    r = api.as_("zhao.lei").post(f"/api/tasks/{task['id']}/delegate",
                                 json={"to": "sun.li", "comment": "On leave"})
    assert r.status_code == 200, r.text
    assert r.json()["holders"] == ["sun.li"]
    assert api.as_("zhao.lei").get("/api/tasks").json()["total"] == 0
    detail = api.as_("sun.li").get(f"/api/tasks/{task['id']}").json()
    assert detail["assignee"] == "sun.li" and detail["instance"]["id"] == iid
    out = decide(api, "sun.li", iid)
    assert out["current_node"] == "site_review"
    entry = next(e for e in out["timeline"] if e["kind"] == "task_delegated")
    assert (entry["actor"], entry["to"], entry["comment"]) == ("zhao.lei", "sun.li", "On leave")


def test_add_signer_before_the_current_approver(api: Api) -> None:
    iid = start_store(api)["id"]
    task = task_of(api.as_("zhao.lei"), iid)
    r = api.as_("zhao.lei").post(f"/api/tasks/{task['id']}/add-signer",
                                 json={"user": "feng.bo", "position": "before"})
    assert r.status_code == 200, r.text
    assert r.json()["holders"] == ["feng.bo"]
    decide(api, "feng.bo", iid)
    out = decide(api, "zhao.lei", iid)
    assert out["current_node"] == "site_review"


def test_bulk_approve_reports_each_task(api: Api) -> None:
    ids = [start_store(api, store_name=f"Store {n}")["id"] for n in range(3)]
    tasks = [task_of(api.as_("zhao.lei"), iid)["id"] for iid in ids]
    other = start_store(api, store_name="Elsewhere")
    decide(api, "zhao.lei", other["id"])
    foreign = task_of(api.as_("tang.lan"), other["id"])["id"]
    unknown = "00000000-0000-4000-8000-000000000000"
    r = api.as_("zhao.lei").post("/api/tasks/bulk-approve", json={
        "task_ids": [*tasks, foreign, unknown], "comment": "Batch OK"})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [(x["ok"], x["status"]) for x in results] == [
        (True, 200), (True, 200), (True, 200), (False, 403), (False, 404)]
    assert "assigned to tang.lan" in results[3]["detail"]
    assert api.as_("zhao.lei").get("/api/tasks").json()["total"] == 0
    for iid in ids:
        assert api.as_("xu.ming").get(f"/api/instances/{iid}").json()[
            "current_node"] == "site_review"


def test_out_of_office_sends_new_tasks_to_the_delegate(api: Api) -> None:
    before = start_store(api, store_name="Before")["id"]
    r = api.as_("zhao.lei").post("/api/me/out-of-office", json={
        "delegate_to": "sun.li", "starts_at": api.clock.now.isoformat(),
        "ends_at": (api.clock.now + timedelta(days=7)).isoformat()})
    assert r.status_code == 200, r.text
    assert api.as_("zhao.lei").get("/api/me/out-of-office").json()["delegate_to"] == "sun.li"
    api.clock.advance(timedelta(minutes=5))
    during = start_store(api, store_name="During")
    assert during["holders"] == ["sun.li"]
    assert any(e["kind"] == "task_delegated" and e["actor"] == "zhao.lei"
               for e in during["timeline"])
    assert task_of(api.as_("zhao.lei"), before)["assignee"] == "zhao.lei"  # old work stays
    handed = task_of(api.as_("zhao.lei"), before)["id"]
    r = api.as_("zhao.lei").post(f"/api/tasks/{handed}/delegate", json={"to": "sun.li"})
    assert r.json()["holders"] == ["sun.li"]
    api.as_("sun.li").post("/api/me/out-of-office", json={  # sun.li is away too: hand on
        "delegate_to": "huang.tao", "starts_at": api.clock.now.isoformat(),
        "ends_at": (api.clock.now + timedelta(days=1)).isoformat()})
    relay = start_store(api, store_name="Relay")
    assert relay["holders"] == ["huang.tao"]  # zhao.lei -> sun.li -> huang.tao
    api.clock.advance(timedelta(days=8))
    after = start_store(api, store_name="After")
    assert after["holders"] == ["zhao.lei"]
    bad = api.as_("zhao.lei").post("/api/me/out-of-office", json={
        "delegate_to": "zhao.lei", "starts_at": api.clock.now.isoformat(),
        "ends_at": api.clock.now.isoformat()})
    assert bad.status_code == 422
    assert {e["pointer"] for e in bad.json()["errors"]} == {"/delegate_to", "/ends_at"}
    assert api.as_("zhao.lei").delete("/api/me/out-of-office").status_code == 204


def test_approve_answers_what_changed_unless_asked_for_the_whole_request(api: Api) -> None:
    iid = start_store(api)["id"]
    boss = api.as_("zhao.lei")
    task = task_of(boss, iid)
    key = {"Idempotency-Key": "compact-1"}
    r = boss.post(f"/api/tasks/{task['id']}/approve", json={}, headers=key)
    assert r.status_code == 200, r.text
    out = r.json()
    whole = api.as_("xu.ming").get(f"/api/instances/{iid}").json()
    assert out == {"task_id": task["id"], "action": "approve", "instance_id": iid,
                   "number": whole["number"], "status": "running", "outcome": None,
                   "current_node": "site_review", "current_node_title": "Real estate and legal",
                   "holders": whole["holders"],
                   "version": len(whole["timeline"])}  # one entry per event
    assert whole["number"] and sorted(out["holders"]) == ["song.qian", "tang.lan"]
    again = boss.post(f"/api/tasks/{task['id']}/approve", json={}, headers=key)
    assert again.status_code == 200 and again.json() == out  # the first answer, once
    zh = api.as_("tang.lan").post(
        f"/api/tasks/{task_of(api.as_('tang.lan'), iid)['id']}/approve",
        headers={"Accept-Language": "zh-CN"}).json()
    assert zh["current_node"] == "site_review" and zh["holders"] == ["song.qian"]
    assert zh["current_node_title"] != "Real estate and legal"  # the step's Chinese title
    # errors are the same either way
    assert boss.post(f"/api/tasks/{task['id']}/approve").status_code == 409
    bad = boss.post(f"/api/tasks/{task['id']}/approve", params={"view": "tiny"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["parameter"] == "view"
