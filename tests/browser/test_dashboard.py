"""Product managers read the efficiency dashboard; process owners read definitions."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Server, shot, sign_in

pytestmark = pytest.mark.browser


def _owner(server: Server) -> str:
    token = server.token(server.api("GET", "/auth/demo-users")[0]["username"])
    for user in server.api("GET", "/users", token=token):
        if user["is_process_owner"]:
            return str(user["username"])
    raise AssertionError("no process owner in the demo org")


def test_dashboard_flags_the_rubber_stamp(page: Any, server: Server) -> None:
    sign_in(page, server, _owner(server))
    page.goto("/dashboard/sample_order")
    # The demo plants one rubber stamp: the regional sample manager's allocation.
    card = page.locator("[data-testid=candidate][data-step=sample_manager]")
    card.wait_for(timeout=60_000)
    assert card.locator(".badge-rubber_stamp").count() == 1
    text = card.inner_text()
    for word in ("Evidence", "Confidence", "Saving", "Remedy", "approver hours a year",
                 "Rubber stamp: decided within minutes", "Mean cycle time of all requests"):
        assert word in text, word
    # learned on the earlier requests, checked on the later ones
    oot = card.locator("[data-testid=out-of-time]").first
    assert oot.get_attribute("data-status") == "held"
    assert "It held" in oot.inner_text()
    # The careful fast step (the store manager's confirmation) is checked but not flagged.
    assert page.locator("[data-testid=candidate][data-step=store_manager]").count() == 0
    assert page.locator("[data-testid=kept][data-step=store_manager]").count() == 1
    page.wait_for_selector(".recharts-surface")
    shot(page, "dashboard")
    page.get_by_role("button", name="Compute").click()
    saved = page.locator("[data-testid=saved]")
    saved.wait_for()
    assert saved.inner_text().strip() not in ("", "—")
    # the what-if's saving is the card's, both the mean over all requests
    assert saved.inner_text().strip() in card.get_by_test_id("saving").inner_text()
    shot(page, "dashboard-what-if")
    page.select_option(".lang-switch select", "zh-CN")
    page.wait_for_selector("h2:has-text('可以去掉的环节')")
    page.locator("[data-testid=candidate][data-step=sample_manager]").wait_for()
    assert "橡皮图章：几分钟内就批" in card.get_by_test_id("sentence").inner_text()
    # the kept steps' reasons keep their figures in Chinese too
    kept = page.locator("[data-testid=kept][data-step=store_manager]").inner_text()
    assert "%" in kept and "95% 置信区间" in kept, kept
    shot(page, "dashboard-zh")
    page.select_option(".lang-switch select", "en")


def test_the_slow_gate_is_a_low_value_gate(page: Any, server: Server) -> None:
    sign_in(page, server, _owner(server))
    page.goto("/dashboard/store_opening")
    card = page.locator("[data-testid=candidate][data-step=vp_review]")
    card.wait_for(timeout=60_000)
    assert card.get_attribute("data-kind") == "low_value_gate"
    assert "Low-value gate: requests wait for it" in card.inner_text()


def test_process_definition_with_diagram_and_yaml_errors(page: Any, server: Server) -> None:
    sign_in(page, server, _owner(server))
    page.goto("/processes")
    page.wait_for_selector("a[data-key=store_opening]")
    shot(page, "processes")
    page.click("a[data-key=store_opening]")
    page.wait_for_selector("[data-testid=diagram] svg")
    shot(page, "process-store-opening")
    # Editing, checking and publishing: tests/browser/test_editor.py
