"""Refusals change nothing: forbidden actions (403), wrong states (409), malformed forms
(422 naming each field), and idempotent retries that return the first result."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api
from tests.api.test_flows import STORE, decide, start_store, task_of


def test_forbidden_and_conflicting_actions_change_nothing(api: Api) -> None:
    iid = start_store(api)["id"]
    task = task_of(api.as_("zhao.lei"), iid)["id"]
    refused = [
        ("li.na", f"/api/tasks/{task}/approve", None, 403),  # not the assignee
        ("xu.ming", f"/api/tasks/{task}/reject", None, 403),  # the initiator either
        ("admin", f"/api/tasks/{task}/approve", None, 403),  # admins do not decide
        ("li.na", f"/api/tasks/{task}/delegate", {"to": "li.na"}, 403),
        ("li.na", f"/api/tasks/{task}/add-signer", {"user": "li.na"}, 403),
        ("zhao.lei", f"/api/instances/{iid}/withdraw", None, 403),  # only the initiator
        ("xu.ming", f"/api/instances/{iid}/cancel", None, 403),  # only admins
        ("xu.ming", f"/api/instances/{iid}/resubmit", {"data": STORE}, 409),  # not returned
        ("bai.lu", f"/api/instances/{iid}/comments", {"text": "hi"}, 403),  # not involved
        ("zhao.lei", f"/api/tasks/{task}/delegate", {"to": "zhao.lei"}, 409),
        ("zhao.lei", f"/api/tasks/{task}/return", {"to": "site_review"}, 409),
        ("zhao.lei", f"/api/tasks/{task}/delegate", {"to": "nobody.here"}, 422),
    ]
    before = api.event_count()
    for user, url, body, status in refused:
        r = api.as_(user).post(url, json=body)
        assert r.status_code == status, (user, url, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["status"] == status and r.json()["detail"]
        assert api.event_count() == before, (user, url)
    assert api.as_("bai.lu").get(f"/api/instances/{iid}").status_code == 403
    assert api.as_("bai.lu").get(f"/api/tasks/{task}").status_code == 403
    assert api.as_("xu.ming").get("/api/instances", params={"scope": "all"}).status_code == 403

    decide(api, "zhao.lei", iid)
    after_approval = api.event_count()
    twice = api.as_("zhao.lei").post(f"/api/tasks/{task}/approve")
    assert twice.status_code == 409 and twice.json()["title"] == "TransitionNotAllowed"
    assert api.event_count() == after_approval


def test_malformed_form_is_refused_naming_each_field(api: Api) -> None:
    data = {**STORE, "monthly_rent": -5, "lease_years": "five"}
    del data["city"]
    before = api.event_count()
    r = api.as_("xu.ming").post("/api/instances",
                                json={"definition": "store_opening", "data": data})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["title"] == "FormInvalid"
    by_field = {e["pointer"]: e["message"] for e in body["errors"]}
    assert by_field == {"/monthly_rent": "Monthly rent must be at least 0",
                        "/lease_years": "Lease term (years) must be a whole number",
                        "/city": "City is required"}
    assert api.event_count() == before == 0
    assert api.as_("xu.ming").get("/api/instances").json()["total"] == 0


@pytest.mark.parametrize(("body", "pointers"), [
    ({"data": STORE}, {"/definition"}),
    ({"definition": "store_opening", "data": [], "x": 1}, {"/data", "/x"}),
])
def test_malformed_request_bodies_name_the_fields(api: Api, body: dict[str, object],
                                                  pointers: set[str]) -> None:
    r = api.as_("xu.ming").post("/api/instances", json=body)
    assert r.status_code == 422
    assert {e["pointer"] for e in r.json()["errors"]} == pointers


def test_unknown_definition_and_task_are_404(api: Api) -> None:
    r = api.as_("xu.ming").post("/api/instances", json={"definition": "nope", "data": {}})
    assert r.status_code == 404 and r.json()["title"] == "DefinitionNotFound"
    missing = "00000000-0000-4000-8000-000000000000"
    assert api.as_("xu.ming").get(f"/api/tasks/{missing}").status_code == 404
    assert api.as_("xu.ming").get(f"/api/instances/{missing}").status_code == 404
    assert api.as_("xu.ming").get("/api/instances/not-a-uuid").status_code == 422


def test_idempotent_retry_returns_the_first_result(api: Api) -> None:
    key = {"Idempotency-Key": "start-7f1c"}
    first = api.as_("xu.ming").post("/api/instances", headers=key,
                                    json={"definition": "store_opening", "data": STORE})
    assert first.status_code == 201
    events = api.event_count()
    again = api.as_("xu.ming").post("/api/instances", headers=key,
                                    json={"definition": "store_opening", "data": STORE})
    assert again.status_code in (200, 201) and again.json()["id"] == first.json()["id"]
    assert api.event_count() == events
    assert api.as_("xu.ming").get("/api/instances").json()["total"] == 1

    iid = first.json()["id"]
    task = task_of(api.as_("zhao.lei"), iid)["id"]
    approve_key = {"Idempotency-Key": "approve-1"}
    one = api.as_("zhao.lei").post(f"/api/tasks/{task}/approve", headers=approve_key,
                                   json={"comment": "ok"}, params={"view": "full"})
    assert one.status_code == 200
    events = api.event_count()
    two = api.as_("zhao.lei").post(f"/api/tasks/{task}/approve", headers=approve_key,
                                   json={"comment": "ok"}, params={"view": "full"})
    assert two.status_code == 200
    assert two.json()["current_node"] == one.json()["current_node"] == "site_review"
    assert [t["id"] for t in two.json()["tasks"]] == [t["id"] for t in one.json()["tasks"]]
    assert api.event_count() == events
    other = api.as_("zhao.lei").post(f"/api/tasks/{task}/reject", headers=approve_key)
    assert other.status_code == 422 and other.json()["title"] == "IdempotencyConflict"
    assert api.event_count() == events
