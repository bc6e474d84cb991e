"""A request at a parallel fork in the browser: its page draws the fork with both running
branches highlighted, and shows a likely finish (the prediction follows the branches), in
English and in Chinese."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, shot, sign_in

pytestmark = pytest.mark.browser

CONTRACT = {"supplier": "Acme Fixtures", "amount": 120000, "summary": "Shelving for SH012"}


def _at_the_fork(server: Server) -> str:
    """A contract request approved by the line manager: legal and finance now review it."""
    requester = server.token("li.na")
    iid = str(server.api("POST", "/instances", requester,
                         json={"definition": "contract_review", "data": CONTRACT})["id"])
    manager = server.token("zhao.lei")
    task = next(t for t in server.api("GET", "/tasks", manager)["items"]
                if t["instance_id"] == iid)
    server.api("POST", f"/tasks/{task['id']}/approve", manager)
    return iid


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_a_request_at_the_fork_shows_both_branches_and_a_likely_finish(
        page: Any, server: Server, lang: str) -> None:
    iid = _at_the_fork(server)
    sign_in(page, server, "li.na")
    page.goto(f"/requests/{iid}")
    page.select_option(".lang-switch select", lang)
    legal, finance = ("Legal", "Finance") if lang == "en" else ("法务审核", "财务审核")
    diagram = page.locator("[data-testid=diagram] svg")
    expect(diagram).to_contain_text(legal)  # drawn again in the language chosen
    expect(diagram).to_contain_text(finance)
    current = page.locator("[data-testid=diagram] svg g.node.current")
    expect(current).to_have_count(3)  # the fork and its two running branches
    texts = [t or "" for t in current.evaluate_all("gs => gs.map(g => g.textContent)")]
    assert any(legal in t for t in texts) and any(finance in t for t in texts), texts
    page.get_by_text("Likely finish" if lang == "en" else "预计完成", exact=True).wait_for()
    shot(page, f"request-fork-{lang}")
