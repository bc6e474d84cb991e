"""Closing the loop in the browser: the product manager applies the rubber-stamp
candidate (a draft without the step, its YAML diff and its replay), publishes it, and
once requests ran on the new version the dashboard shows what the change did instead of
the old advice. Its own server: publishing changes the demo for every later test."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import Server, serving, shot, sign_in
from tests.browser.test_dashboard import _owner
from tests.browser.test_phone import cards_fit

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    # the demo's logistics system answers a sample order's delivery step quickly here
    with serving(tmp_path_factory.mktemp("serve-versions"),
                 SIGNOFF_DEMO_LOGISTICS_PACE="0.2") as server:
        yield server


def _finish_sample_orders(server: Server, n: int) -> None:
    """``n`` sample orders on the new version, approved by whoever holds them, then
    shipped and delivered by the logistics system (all of them waited for together)."""
    requester = "bai.lu"
    running = []
    for i in range(n):
        out = server.api("POST", "/instances", token=server.token(requester), json={
            "definition": "sample_order",
            "data": {"store_code": "SH101", "region": "east", "season": "SS27",
                     "needed_by": "2027-03-01", "items": [{"sku": f"SKU-{i:04d}", "quantity": 1}]}})
        for _ in range(6):
            pending = [t for t in out["tasks"] if t["status"] == "pending"]
            if out["status"] != "running" or not pending:
                break
            task = pending[0]
            out = server.api("POST", f"/tasks/{task['id']}/approve?view=full",
                             token=server.token(task["assignee"]), json={})
        running.append(out)
    for _ in range(150):  # the logistics system ships and delivers (0.2 s apart)
        running = [server.api("GET", f"/instances/{out['id']}", token=server.token(requester))
                   if out["status"] == "running" else out for out in running]
        if all(out["status"] != "running" for out in running):
            break
        time.sleep(0.2)
    assert [out["status"] for out in running] == ["approved"] * n


def test_apply_publish_and_see_the_change(page: Any, server: Server) -> None:
    sign_in(page, server, _owner(server))
    page.goto("/dashboard/sample_order")
    card = page.locator("[data-testid=candidate][data-step=sample_manager]")
    card.wait_for(timeout=60_000)
    card.get_by_role("button", name="Apply: draft a version without this step").click()
    diff = card.get_by_test_id("draft-diff")
    diff.wait_for()
    assert "-  sample_manager:" in diff.inner_text()
    assert "Replayed through the draft" in card.get_by_test_id("draft-replay").inner_text()
    card.get_by_role("button", name="Publish as version 2").click()
    card.get_by_test_id("draft-published").wait_for()
    shot(page, "dashboard-apply")

    _finish_sample_orders(server, 30)
    page.reload()
    change = page.locator("[data-testid=version-change][data-from='1'][data-to='2']")
    change.wait_for(timeout=60_000)
    text = change.inner_text()
    assert "Removed: Regional sample manager" in text
    assert "Median cycle time (95% CI)" in text and "–" in text  # intervals shown
    # the old advice is gone: the removed step is no candidate any more
    assert page.locator("[data-testid=candidate][data-step=sample_manager]").count() == 0
    change.scroll_into_view_if_needed()
    shot(page, "dashboard-versions")
    cards_fit(page, "[data-testid=change-table]")  # on a phone: a card per figure
