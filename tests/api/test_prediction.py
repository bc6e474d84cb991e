"""The request view's deadline, predicted finish and at-risk flag."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.api.conftest import Api
from tests.api.test_flows import decide

CST = timezone(timedelta(hours=8))


def _samples(needed_by: str) -> dict[str, object]:
    return {"store_code": "SH001", "region": "east", "season": "AW26",
            "needed_by": needed_by, "items": [{"sku": "MQ-001", "quantity": 2}]}


def _start(api: Api, needed_by: str) -> dict[str, object]:
    r = api.as_("bai.lu").post("/api/instances", json={"definition": "sample_order",
                                                       "data": _samples(needed_by)})
    assert r.status_code == 201, r.text
    body: dict[str, object] = r.json()
    return body


def test_a_running_request_shows_its_deadline_and_predicted_finish(api: Api) -> None:
    body = _start(api, "2026-04-01")  # a month ahead
    assert datetime.fromisoformat(str(body["deadline"])) == datetime(2026, 4, 2, tzinfo=CST)
    finish = body["predicted_finish"]
    assert isinstance(finish, dict)
    # no history yet: each step takes its SLA in working time (1d + 2d + 2d), the
    # delivery (a service step, no SLA) a working day
    assert finish["path"] == ["store_manager", "sample_manager", "logistics", "delivery"]
    median = datetime.fromisoformat(finish["median"])
    assert median == datetime.fromisoformat(finish["p80"])
    assert median.astimezone(CST) == datetime(2026, 3, 9, 18, 0, tzinfo=CST)  # Monday night
    assert body["at_risk"] is False
    again = api.as_("li.na").get(f"/api/instances/{body['id']}").json()
    assert again["predicted_finish"] == finish and again["deadline"] == body["deadline"]


def test_a_request_due_tomorrow_is_at_risk_before_its_deadline(api: Api) -> None:
    body = _start(api, "2026-03-03")
    assert body["at_risk"] is True
    api.clock.advance(timedelta(days=3))  # the deadline has passed: overdue, not "at risk"
    late = api.as_("bai.lu").get(f"/api/instances/{body['id']}").json()
    assert late["at_risk"] is False and late["predicted_finish"] is not None


def test_a_finished_request_has_a_deadline_and_no_prediction(api: Api) -> None:
    body = _start(api, "2026-04-01")
    decide(api, "li.na", str(body["id"]), "reject", comment="Not this season")
    done = api.as_("bai.lu").get(f"/api/instances/{body['id']}").json()
    assert done["status"] == "rejected" and done["predicted_finish"] is None
    assert done["deadline"] is not None and done["at_risk"] is False
