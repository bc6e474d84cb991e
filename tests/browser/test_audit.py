"""The admins' audit log page: reached from the outbox page, filtered by action (offered
in words), shows a sign-in failure that just happened in words, and pages on the
server."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, shot, sign_in
from tests.browser.test_phone import cards_fit

pytestmark = pytest.mark.browser


def test_the_admin_finds_a_failed_sign_in_in_the_audit_log(page: Any, server: Server) -> None:
    stranger = f"nobody-{uuid.uuid4().hex[:8]}"
    r = httpx.post(f"{server.url}/api/auth/login", timeout=30,
                   json={"username": stranger, "password": "wrong-password"})
    assert r.status_code == 401
    sign_in(page, server, "admin")
    page.goto("/admin/outbox")
    page.get_by_test_id("audit-link").click()
    page.wait_for_url("**/admin/audit")
    # actions are offered in words; the code is the option's value
    page.select_option("select[name=action]", label="Sign-in failed")
    assert page.locator("select[name=action]").input_value() == "sign_in.failed"
    page.get_by_role("button", name="Filter").click()
    # the unfiltered page may still show (the stranger's row is on it too): wait until the
    # filtered answer has replaced it, i.e. no row of another action is left
    others = page.locator("[data-testid=audit-table] tbody tr:not([data-action='sign_in.failed'])")
    expect(others).to_have_count(0)
    row = page.locator("[data-testid=audit-table] tr", has_text=stranger)
    row.wait_for()
    assert row.get_attribute("data-action") == "sign_in.failed"
    actions = page.locator("[data-testid=audit-table] tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.action)")
    assert actions and set(actions) == {"sign_in.failed"}  # the filter reached the server
    # in words, the code kept as the cell's tooltip; the reason in words too
    cells = row.locator("td")
    assert cells.nth(2).inner_text() == "Sign-in failed"
    assert cells.nth(2).get_attribute("title") == "sign_in.failed"
    assert cells.nth(1).inner_text() == "Not signed in"
    assert "Why: no such user" in cells.nth(4).inner_text()
    assert "sign_in." not in page.locator("[data-testid=audit-table]").inner_text()
    shot(page, "admin-audit")
    cards_fit(page, "[data-testid=audit-table]")  # on a phone: a card per entry


def test_the_audit_log_is_for_admins_only(page: Any, server: Server) -> None:
    plain = next(u["username"] for u in server.api("GET", "/auth/demo-users")
                 if u["username"] != "admin")
    sign_in(page, server, plain)
    page.goto("/admin/audit")
    assert "not allowed" in page.wait_for_selector("[role=alert]").inner_text()
