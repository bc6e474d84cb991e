"""The request page shows the deadline, the likely finish and the at-risk flag."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.browser.conftest import Server, sign_in
from tests.browser.test_store_opening import _requester

pytestmark = pytest.mark.browser


def test_request_page_shows_deadline_prediction_and_risk(page: Any, server: Server) -> None:
    # opening in 30 days: "fully approved 30 days before opening" is the end of today,
    # and a store opening takes days
    shanghai = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    data = {"store_name": "Tight Lease", "city": "Ningbo", "address": "1 Harbour Road",
            "area_sqm": 120, "monthly_rent": 28000, "lease_years": 3,
            "legal_contact": "song.qian",
            "opening_date": (shanghai + dt.timedelta(days=30)).isoformat()}
    requester = _requester(server)
    out = server.api("POST", "/instances", token=server.token(requester),
                     json={"definition": "store_opening", "data": data})
    assert out["deadline"] and out["predicted_finish"] and out["at_risk"]
    sign_in(page, server, requester)
    page.goto(f"/requests/{out['id']}")
    head = page.locator(".instance-head")
    head.get_by_text("Deadline").wait_for()
    assert head.get_by_text("Likely finish").is_visible()
    assert head.locator(".badge-overdue", has_text="At risk").is_visible()
