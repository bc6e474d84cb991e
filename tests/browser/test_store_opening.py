"""A requester opens a store; each approver in turn approves it from the inbox."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from tests.browser.conftest import Server, shot, sign_in
from tests.browser.helpers import instance

pytestmark = pytest.mark.browser

REQUESTER_ROLE = "expansion"


def _requester(server: Server) -> str:
    """The expansion manager among the demo users shown on the sign-in page."""
    listed = [u["username"] for u in server.api("GET", "/auth/demo-users")]
    for user in server.api("GET", "/users", token=server.token(listed[0])):
        if REQUESTER_ROLE in user["roles"] and user["username"] in listed:
            return str(user["username"])
    raise AssertionError("no expansion manager among the demo users")


def _fill_store_form(page: Any, store: str) -> None:
    page.wait_for_selector("form.rjsf")
    page.fill("#root_store_name", store)
    page.fill("#root_city", "Hangzhou")
    page.fill("#root_address", "88 West Lake Road")
    page.fill("#root_area_sqm", "180")
    page.fill("#root_monthly_rent", "36000")
    page.fill("#root_lease_years", "5")
    page.fill("#root_opening_date", (dt.date.today() + dt.timedelta(days=60)).isoformat())


def test_store_opening_followed_to_the_end(page: Any, server: Server) -> None:
    requester = _requester(server)
    store = f"Test Store {uuid.uuid4().hex[:6]}"
    sign_in(page, server, requester)
    page.goto("/new")
    page.wait_for_selector("a[data-key=store_opening]")
    shot(page, "new-request-pick")
    page.click("a[data-key=store_opening]")
    _fill_store_form(page, store)
    shot(page, "new-request-form")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url("**/requests/*")
    instance_id = page.url.rsplit("/", 1)[-1]
    page.wait_for_selector(".instance-head")
    shot(page, "request-submitted")

    seen: list[str] = []
    for _ in range(12):  # more than the process has steps: a loop means a bug
        inst = instance(server, requester, instance_id)
        if inst["status"] != "running":
            break
        holder = inst["holders"][0]
        seen.append(f"{inst['current_node']}:{holder}")
        sign_in(page, server, holder)
        page.goto("/inbox")
        card = page.locator("[data-testid=task]", has_text=store)
        card.locator("a.task-link").click()
        page.wait_for_selector(".action-panel")
        if len(seen) == 1:
            shot(page, "task-store-opening")
        page.get_by_role("button", name="Approve", exact=True).click()
        page.wait_for_selector("[data-testid=action-done]")
    else:
        raise AssertionError(f"still running after {seen}")

    assert inst["status"] == "approved", (inst["status"], seen)
    assert len(seen) >= 4  # regional, real estate + legal, finance, VP at least
    sign_in(page, server, requester)
    page.goto("/requests")
    page.wait_for_selector("[data-testid=request]")
    shot(page, "my-requests")
    page.goto(f"/requests/{instance_id}")
    page.wait_for_selector(".badge-approved")
    page.wait_for_selector("[data-testid=diagram] svg")
    shot(page, "request-approved")
