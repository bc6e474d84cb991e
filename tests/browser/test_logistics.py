"""A sample order waits on the demo's simulated logistics system (a real HTTP service the
demo server starts on a local port): once logistics approves, the call leaves through the
outbox, the system answers shipped, in transit, arrived through the signed callback
endpoint, and the request page shows where the samples are, in English and Chinese."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, shot, sign_in

pytestmark = pytest.mark.browser

REQUESTER = "bai.lu"  # a store employee in region east


def _approve_until_delivery(server: Server, iid: str) -> dict[str, Any]:
    """Approve each step as whoever holds it, until the request reaches the delivery."""
    token = server.token(REQUESTER)
    for _ in range(8):
        view = server.api("GET", f"/instances/{iid}", token=token)
        if view["current_node"] == "delivery" or view["status"] != "running":
            return dict(view)
        task = next(t for t in view["tasks"] if t["status"] == "pending")  # any one decides
        server.api("POST", f"/tasks/{task['id']}/approve", token=server.token(task["assignee"]),
                   json={})
    raise AssertionError(f"request {iid} never reached the delivery step")


def test_sample_order_shows_the_logistics_status(page: Any, server: Server) -> None:
    needed = (dt.date.today() + dt.timedelta(days=40)).isoformat()
    data = {"store_code": "SH123", "region": "east", "season": "AW26", "needed_by": needed,
            "items": [{"sku": "MQ-2231", "quantity": 2}], "reason": "Window refresh"}
    out = server.api("POST", "/instances", token=server.token(REQUESTER),
                     json={"definition": "sample_order", "data": data})
    view = _approve_until_delivery(server, out["id"])
    assert view["current_node"] == "delivery", view["current_node"]
    sign_in(page, server, REQUESTER)
    page.goto(f"/requests/{out['id']}")
    tracker = page.get_by_test_id("service-status")
    # the worker sends the shipment; the system answers every few seconds (demo pace)
    for _ in range(45):
        page.reload()
        tracker.wait_for()
        if tracker.get_attribute("data-status") in ("shipped", "in_transit", "arrived"):
            break
        page.wait_for_timeout(2000)
    assert tracker.get_attribute("data-status") in ("shipped", "in_transit", "arrived")
    expect(tracker.locator(".tracker li.done", has_text="Shipped")).to_be_visible()
    expect(page.get_by_text("Tracking number")).to_be_visible()
    expect(page.locator(".timeline").get_by_text("The system reported: Shipped")).to_be_visible()
    shot(page, "request-logistics")
    page.select_option(".lang-switch select", "zh-CN")
    expect(tracker.locator(".tracker li.done", has_text="已发货")).to_be_visible()
    expect(page.get_by_text("外部系统", exact=True)).to_be_visible()
    expect(page.locator(".timeline").get_by_text("外部系统回报：已发货")).to_be_visible()
    shot(page, "request-logistics-zh")
