"""axe-core (the npm package the UI installs, injected by the test) over every page as
each kind of user: no serious or critical violation. Pages are visited in English; the
sign-in page also in Chinese."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, Server, sign_in
from tests.browser.helpers import pending_tasks
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

AXE = ROOT / "ui" / "node_modules" / "axe-core" / "axe.min.js"
COMMON = ["/inbox", "/requests", "/new", "/new/sample_order", "/processes",
          "/processes/store_opening", "/board", "/dashboard", "/settings"]
ROLES = {  # who, and the pages only they reach
    "requester": ("bai.lu", []),
    "approver": ("zhao.lei", []),
    "owner": ("chen.jing", ["/requests/all", "/dashboard/sample_order"]),
    "admin": ("admin", ["/requests/all", "/admin/outbox", "/admin/audit"]),
}


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    """Like conftest's page, but axe's script may be added despite the app's CSP (which
    rightly forbids inline scripts)."""
    context = browser.new_context(viewport=DESKTOP, base_url=server.url, locale="en-US",
                                  bypass_csp=True)
    context.set_default_timeout(20_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def violations(page: Any, where: str) -> list[str]:
    """Serious and critical axe violations of the page as it is now."""
    page.wait_for_load_state("networkidle")
    page.locator("main, .login-card").first.wait_for()
    page.wait_for_timeout(300)  # lazy parts (diagrams, charts) settle
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
          .map(v => ({id: v.id, impact: v.impact, help: v.help,
                      nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [f"{where}: {v['impact']} {v['id']} ({v['help']}) at {v['nodes']}" for v in found]


def test_sign_in_page(page: Any) -> None:
    page.goto("/login")
    page.wait_for_selector("button.demo-user")
    found = violations(page, "/login")
    page.select_option(".lang-switch select", "zh-CN")
    found += violations(page, "/login zh-CN")
    assert found == []


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_as_each_role(page: Any, server: Server, role: str) -> None:
    username, extra = ROLES[role]
    sign_in(page, server, username)
    paths = [*COMMON, *extra]
    tasks = pending_tasks(server, username)
    if tasks:
        paths += [f"/tasks/{tasks[0]['id']}", f"/requests/{tasks[0]['instance_id']}"]
    mine = server.api("GET", "/instances?limit=1", token=server.token(username))["items"]
    if mine:
        paths.append(f"/requests/{mine[0]['id']}")
    found: list[str] = []
    for path in paths:
        page.goto(path)
        found += violations(page, path)
    if role == "owner":  # the editor, open, with an error in it
        page.goto("/processes/sample_order")
        page.locator(".owner-actions button").first.click()
        page.locator("[data-testid=yaml-editor]").wait_for()
        page.locator("[data-testid=editor-status]").filter(has_text="✓").wait_for()
        found += violations(page, "editor")
    assert found == [], "\n".join(found)
