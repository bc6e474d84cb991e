"""Decisions people can trust, through HTTP: a reject or a return needs a reason (a clear
422 that changes nothing without one), the reason reaches the requester, the approver of
a resubmitted request sees what changed, and form errors name the field in plain words."""

from __future__ import annotations

from tests.api.conftest import Api
from tests.api.test_flows import STORE, decide, start_store, task_of


def test_a_reject_or_return_without_a_reason_is_refused_and_changes_nothing(api: Api) -> None:
    iid = start_store(api)["id"]
    boss = api.as_("zhao.lei")
    task = task_of(boss, iid)
    assert task["reason_required"] == ["reject", "return"]
    before = api.event_count()
    for action, body in [("reject", None), ("reject", {"comment": "  "}), ("return", {})]:
        r = boss.post(f"/api/tasks/{task['id']}/{action}", json=body)
        assert r.status_code == 422, r.text
        problem = r.json()
        assert problem["title"] == "FormInvalid"
        assert problem["errors"][0]["pointer"] == "/comment"
        assert "reason is required" in problem["errors"][0]["message"]
    assert api.event_count() == before
    assert api.as_("xu.ming").get(f"/api/instances/{iid}").json()["status"] == "running"


def test_the_reject_reason_reaches_the_requester_once(api: Api) -> None:
    iid = start_store(api)["id"]
    out = decide(api, "zhao.lei", iid, "reject", comment="Rent is 40% above the mall's median")
    assert out["status"] == "rejected"
    said = [e for e in out["timeline"] if e["comment"] == "Rent is 40% above the mall's median"]
    assert [e["kind"] for e in said] == ["task_decided"]
    told = [n for n in api.as_("xu.ming").get("/api/notifications").json()
            if n["kind"] == "rejected"]
    assert told[0]["payload"]["reason"] == "Rent is 40% above the mall's median"
    assert told[0]["payload"]["actor"] == "zhao.lei"


def test_return_then_resubmit_shows_the_approver_what_changed(api: Api) -> None:
    iid = start_store(api)["id"]
    out = decide(api, "zhao.lei", iid, "return", comment="Add the landlord; rent looks high")
    said = [e for e in out["timeline"] if e["comment"]]
    assert [(e["kind"], e["comment"]) for e in said] == [
        ("instance_returned", "Add the landlord; rent looks high")]  # once, not twice
    returned = [n for n in api.as_("xu.ming").get("/api/notifications").json()
                if n["kind"] == "returned"]
    assert returned[0]["payload"]["reason"] == "Add the landlord; rent looks high"

    data = {**STORE, "monthly_rent": 52000.5, "landlord": "Wanda"}
    r = api.as_("xu.ming").post(f"/api/instances/{iid}/resubmit", json={"data": data})
    assert r.status_code == 200, r.text
    task = task_of(api.as_("zhao.lei"), iid)
    seen = api.as_("zhao.lei").get(f"/api/tasks/{task['id']}").json()["instance"]["timeline"]
    resubmitted = [e for e in seen if e["kind"] == "instance_resubmitted"]
    assert resubmitted[0]["changes"] == [
        {"field": "monthly_rent", "old": 60000, "new": 52000.5},
        {"field": "landlord", "old": None, "new": "Wanda"}]
    assert all(e["changes"] == [] for e in seen if e["kind"] != "instance_resubmitted")


def test_a_step_with_an_optional_reason_takes_a_bare_reject(api: Api) -> None:
    text = (api.as_("chen.jing").get("/api/definitions/store_opening").json()["yaml"]
            .replace("    sla: 2d\n    on: {approve: site_review",
                     "    sla: 2d\n    reason: optional\n    on: {approve: site_review", 1))
    r = api.as_("chen.jing").post("/api/definitions", json={"yaml": text})
    assert r.status_code == 201, r.text
    iid = start_store(api)["id"]
    assert task_of(api.as_("zhao.lei"), iid)["reason_required"] == []
    assert decide(api, "zhao.lei", iid, "reject")["status"] == "rejected"


def test_form_errors_name_the_field_in_plain_words(api: Api) -> None:
    before = api.event_count()
    bad = {**STORE, "monthly_rent": "12e", "opening_date": "2020-06-01", "lease_years": 0}
    del bad["city"]
    r = api.as_("xu.ming").post("/api/instances",
                                json={"definition": "store_opening", "data": bad})
    assert r.status_code == 422, r.text
    found = {e["pointer"]: e["message"] for e in r.json()["errors"]}
    assert found == {"/city": "City is required",
                     "/monthly_rent": "Monthly rent must be a number",
                     "/lease_years": "Lease term (years) must be at least 1",
                     "/opening_date": "Planned opening must be on or after 2026-04-01"}
    assert api.event_count() == before


def test_the_opening_date_rule_counts_from_the_filing_day_in_shanghai(api: Api) -> None:
    # START is 09:00 on 2 March in Shanghai: 30 days ahead is 1 April
    ok = start_store(api, opening_date="2026-04-01")
    assert ok["status"] == "running"
    r = api.as_("xu.ming").post("/api/instances", json={
        "definition": "store_opening", "data": {**STORE, "opening_date": "2026-03-31"}})
    assert r.status_code == 422
    assert r.json()["errors"] == [{"pointer": "/opening_date",
                                   "message": "Planned opening must be on or after 2026-04-01"}]


def test_a_request_reads_in_chinese_for_a_chinese_reader(api: Api) -> None:
    iid = start_store(api)["id"]
    zh = api.as_("xu.ming").get(f"/api/instances/{iid}", headers={"Accept-Language": "zh-CN"})
    body = zh.json()
    assert body["title"] == "新店：Nanjing Road Flagship（Shanghai）"
    assert "申请人的上级" in body["mermaid"] and "manager_of" not in body["mermaid"]
    en = api.as_("xu.ming").get(f"/api/instances/{iid}").json()
    assert en["title"] == "New store: Nanjing Road Flagship (Shanghai)"
    assert "the requester's manager" in en["mermaid"]
