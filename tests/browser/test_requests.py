"""The requester's side: a returned request is corrected and resubmitted, then withdrawn;
requests copied to me are listed."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from tests.browser.conftest import Server, shot, sign_in
from tests.browser.helpers import instance
from tests.browser.test_store_opening import _requester

pytestmark = pytest.mark.browser


def _start(server: Server, requester: str, store: str) -> str:
    data = {"store_name": store, "city": "Ningbo", "address": "1 Harbour Road", "area_sqm": 120,
            "monthly_rent": 28000, "lease_years": 3, "legal_contact": "song.qian",
            "opening_date": (dt.date.today() + dt.timedelta(days=90)).isoformat()}
    out = server.api("POST", "/instances", token=server.token(requester),
                     json={"definition": "store_opening", "data": data})
    return str(out["id"])


def test_return_resubmit_and_withdraw(page: Any, server: Server) -> None:
    requester = _requester(server)
    store = f"Return Store {uuid.uuid4().hex[:6]}"
    instance_id = _start(server, requester, store)
    holder = instance(server, requester, instance_id)["holders"][0]

    sign_in(page, server, holder)
    page.goto("/inbox")
    page.locator("[data-testid=task]", has_text=store).locator("a.task-link").click()
    page.fill(".action-panel textarea[name=comment]", "Please attach the landlord's name.")
    page.get_by_role("button", name="Return", exact=True).click()
    dialog = page.get_by_test_id("confirm-return")  # the comment is the reason, confirmed
    assert dialog.locator("textarea").input_value() == "Please attach the landlord's name."
    dialog.get_by_role("button", name="Return the request").click()
    page.wait_for_selector("[data-testid=action-done]")
    assert instance(server, requester, instance_id)["status"] == "returned"

    sign_in(page, server, requester)
    page.goto(f"/requests/{instance_id}")
    page.wait_for_selector(".badge-returned")
    page.fill("#root_landlord", "Harbour Estates Ltd")
    shot(page, "request-returned")
    page.get_by_role("button", name="Resubmit").click()
    page.wait_for_selector(".badge-running")
    after = instance(server, requester, instance_id)
    assert after["status"] == "running" and after["data"]["landlord"] == "Harbour Estates Ltd"

    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Withdraw").click()
    page.wait_for_selector(".badge-withdrawn")
    assert instance(server, requester, instance_id)["status"] == "withdrawn"
    shot(page, "request-withdrawn")

    page.goto("/requests?scope=cc")
    page.wait_for_selector("[data-testid=request]")
    shot(page, "requests-copied-to-me")
