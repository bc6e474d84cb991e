"""The UI works under the server's Content Security Policy (Mermaid diagrams, Recharts
charts, forms), and a signed-in user who owns no process still gets a dashboard."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Server, shot, sign_in

pytestmark = pytest.mark.browser

_WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


def _people(server: Server) -> tuple[str, str]:
    """A process owner and someone who is neither an owner nor an admin."""
    token = server.token(server.api("GET", "/auth/demo-users")[0]["username"])
    users = server.api("GET", "/users", token=token)
    demo = {u["username"] for u in server.api("GET", "/auth/demo-users")}
    owner = next(u["username"] for u in users if u["is_process_owner"])
    plain = next(u["username"] for u in users if u["username"] in demo
                 and not u["is_process_owner"] and not u["is_admin"])
    return str(owner), str(plain)


def _violations(page: Any) -> list[str]:
    return list(page.evaluate("window.__csp || []"))


def test_ui_runs_under_the_content_security_policy(page: Any, server: Server) -> None:
    page.add_init_script(_WATCH)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    owner, _ = _people(server)
    response = page.goto("/login")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    sign_in(page, server, owner)
    seen: list[str] = []  # the watch starts afresh on every page: collect before leaving
    page.goto("/dashboard/sample_order")
    page.wait_for_selector(".recharts-surface", timeout=60_000)
    seen += _violations(page)
    page.goto("/processes/store_opening")
    page.wait_for_selector("[data-testid=diagram] svg")
    seen += _violations(page)
    page.goto("/new/store_opening")  # the form validator is compiled in the browser
    page.wait_for_selector("form.rjsf")
    page.fill("#root_monthly_rent", "-5")
    page.get_by_role("button", name="Submit").click()
    page.locator("#root_monthly_rent__error").wait_for()
    seen += _violations(page)
    page.goto("/inbox")
    page.wait_for_load_state("networkidle")
    seen += _violations(page)
    assert seen == []
    assert not [c for c in console if "Content Security Policy" in c], console


def test_dashboard_for_someone_who_owns_no_process(page: Any, server: Server) -> None:
    owner, plain = _people(server)
    sign_in(page, server, plain)
    page.goto("/dashboard/sample_order")
    page.locator("[data-testid=candidate][data-step=sample_manager]").wait_for(timeout=60_000)
    page.wait_for_selector(".recharts-surface")
    page.locator("[data-testid=approvers-hidden]").wait_for()
    bottlenecks = page.locator("[data-testid=bottlenecks]").inner_text()
    assert "Approver" not in bottlenecks and "Step" in bottlenecks
    shot(page, "dashboard-not-owner")
    sign_in(page, server, owner)
    page.goto("/dashboard/sample_order")
    page.wait_for_selector(".recharts-surface", timeout=60_000)
    assert page.locator("[data-testid=approvers-hidden]").count() == 0
    assert "Approver" in page.locator("[data-testid=bottlenecks]").inner_text()
