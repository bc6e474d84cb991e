"""A request with parallel branches through HTTP: both branches' approvers see their
task at once, the request page draws the fork with both running steps highlighted, and
the request goes on to the VP once both branches approved."""

from __future__ import annotations

from tests.api.conftest import Api
from tests.api.test_flows import decide, task_of

CONTRACT = {"supplier": "Acme Fixtures", "amount": 120000, "summary": "Shelving for SH012"}


def test_a_contract_is_reviewed_by_legal_and_finance_at_once(api: Api) -> None:
    r = api.as_("li.na").post("/api/instances",
                              json={"definition": "contract_review", "data": CONTRACT})
    assert r.status_code == 201, r.text
    iid = r.json()["id"]
    out = decide(api, "zhao.lei", iid)
    assert out["current_node"] == "reviews"
    assert sorted(out["holders"]) == ["cao.li", "jiang.hong", "song.qian"]
    assert "class reviews,legal_review,finance_review current" in out["mermaid"]
    legal = task_of(api.as_("jiang.hong"), iid)
    assert legal["node"] == "legal_review"
    assert legal["actions"] == ["approve", "reject", "return"]
    assert legal["return_targets"] == ["initiator", "manager"]
    decide(api, "jiang.hong", iid)
    decide(api, "cao.li", iid)
    out = decide(api, "deng.hao", iid)
    assert out["current_node"] == "vp_review" and out["holders"] == ["liu.yang"]
    detail = api.as_("li.na").get(f"/api/instances/{iid}").json()
    visits = {v["node"]: v for v in detail["visits"]}
    assert {"reviews", "legal_review", "finance_review"} <= set(visits)


def test_the_process_page_lists_the_fork_and_its_branches(api: Api) -> None:
    r = api.as_("li.na").get("/api/definitions/contract_review")
    assert r.status_code == 200, r.text
    nodes = {n["id"]: n for n in r.json()["nodes"]}
    fork = nodes["reviews"]
    assert fork["kind"] == "fork" and fork["join"] == "all"
    assert fork["branches"] == {"legal": "legal_review", "finance": "finance_review"}
    assert [(x["action"], x["to"]) for x in fork["next"]] == [("approve", "vp_review"),
                                                            ("reject", "rejected")]
    assert nodes["legal_review"]["branches"] == {} and nodes["legal_review"]["join"] is None
    assert "JOIN_reviews" in r.json()["mermaid"]
