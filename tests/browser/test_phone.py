"""At 375 px wide (a small phone): every navigation tab is on screen, touch targets are
at least 44 px tall (checkboxes 24 px inside a 44 px label), and every table reads as
cards with nothing cut off; in English and Chinese. Every page with a table or a list is
visited as each kind of user (requester, approver, process owner, administrator)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, shot, sign_in
from tests.browser.helpers import busiest_approver, pending_tasks
from tests.browser.test_dashboard import _owner

pytestmark = pytest.mark.browser

SMALL = {"width": 375, "height": 740}


def _boxes(page: Any, selector: str) -> list[dict[str, float]]:
    out: list[dict[str, float]] = page.eval_on_selector_all(selector, """els => els
        .filter(e => e.offsetParent !== null)
        .map(e => { const r = e.getBoundingClientRect();
                    return {left: r.left, right: r.right, height: r.height, width: r.width}; })""")
    return out


def _no_sideways_scroll(page: Any) -> None:
    wide = page.evaluate("""w => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > w + 0.5 && !e.closest('.table-scroll'))
        .slice(0, 5).map(e => `${e.tagName}.${e.className} ${e.getBoundingClientRect().right}`)""",
                         SMALL["width"])
    assert page.evaluate("document.documentElement.scrollWidth") <= SMALL["width"], wide


def cards_fit(page: Any, table: str) -> None:
    """At 375 px, the rows of ``table`` (a selector) are cards, each cell says what it is
    (its column, from data-label, or its row's heading), and nothing runs off the side
    of the screen."""
    page.set_viewport_size(SMALL)
    rows = page.locator(f"{table} tbody tr")
    rows.first.wait_for()
    assert rows.first.evaluate("tr => getComputedStyle(tr).display") == "block"
    cells = _boxes(page, f"{table} td, {table} tbody th")
    assert cells and all(c["right"] <= SMALL["width"] for c in cells), cells
    unlabelled = page.eval_on_selector_all(f"{table} tbody tr", """trs => trs
        .flatMap(tr => [...tr.querySelectorAll(':scope > td')])
        .filter(td => td.offsetParent !== null && !td.parentElement.querySelector(':scope > th')
                && ['none', 'normal', '""'].includes(getComputedStyle(td, '::before').content))
        .map(td => td.outerHTML.slice(0, 80))""")
    assert not unlabelled, unlabelled
    _no_sideways_scroll(page)


TARGETS = ("header button, header select, nav.nav a, main button, main select, main summary, "
           "main [role=tab], main input:not([type=checkbox]):not([type=radio])"
           ":not([type=hidden]):not([type=file]), main label:has(> input[type=checkbox])")


def fits_a_phone(page: Any, path: str) -> None:
    """``path`` at 375 px: loaded, no sideways scroll, every table as cards that fit,
    every touch target at least 44 px tall (a checkbox 24 px inside a 44 px label)."""
    page.set_viewport_size(SMALL)
    page.goto(path)
    page.wait_for_load_state("networkidle")
    expect(page.locator(".spinner")).to_have_count(0, timeout=60_000)
    page.locator("main h1, main h2, main [role=alert]").first.wait_for()
    tables = page.evaluate("""() => [...document.querySelectorAll('main table')]
        .filter(t => t.querySelector('tbody tr'))
        .map((t, i) => { t.dataset.phoneCheck = String(i); return i; })""")
    for i in tables:
        cards_fit(page, f"[data-phone-check='{i}']")
    _no_sideways_scroll(page)
    small = [t for t in _boxes(page, TARGETS) if t["height"] < 44]
    assert not small, (path, small)
    boxes = _boxes(page, "main input[type=checkbox]")
    assert all(b["width"] >= 24 and b["height"] >= 24 for b in boxes), (path, boxes)
    bare = page.eval_on_selector_all("main input[type=checkbox]", """els => els
        .filter(e => e.offsetParent !== null && !e.closest('label'))
        .map(e => e.outerHTML.slice(0, 80))""")
    assert not bare, (path, bare)  # each checkbox inside a label: the 44 px target


def _a_request(server: Server, user: str) -> str:
    token = server.token(user)
    for scope in ("mine", "cc", "all"):
        found = server.api("GET", f"/instances?scope={scope}&limit=1", token=token)
        if found["items"]:
            return str(found["items"][0]["id"])
    raise AssertionError(f"{user} sees no request")


def _requester(server: Server) -> str:
    token = server.token("admin")
    for u in server.api("GET", "/users", token=token):
        if u["is_admin"] or u["is_process_owner"]:
            continue
        mine = server.api("GET", "/instances?scope=mine&limit=1", token=server.token(u["username"]))
        if mine["items"]:
            return str(u["username"])
    raise AssertionError("no plain requester in the demo")


COMMON = ["/inbox", "/requests", "/requests?scope=cc", "/new", "/processes",
          "/processes/store_opening", "/board", "/dashboard", "/settings"]
BY_ROLE = {
    "requester": [],
    "approver": [],
    "owner": ["/requests/all", "/dashboard/sample_order", "/dashboard/store_opening"],
    "admin": ["/requests/all", "/requests/all?offset=25", "/admin/outbox",
              "/admin/outbox?status=sent", "/admin/audit", "/dashboard/sample_order"],
}


@pytest.mark.parametrize("role", list(BY_ROLE))
def test_every_page_with_a_table_or_a_list_fits_a_phone(page: Any, server: Server,
                                                        role: str) -> None:
    user = {"requester": _requester, "approver": busiest_approver, "owner": _owner,
            "admin": lambda _: "admin"}[role](server)
    sign_in(page, server, user)
    paths = [*COMMON, *BY_ROLE[role], f"/requests/{_a_request(server, user)}"]
    if role == "approver":
        paths.append(f"/tasks/{pending_tasks(server, user)[0]['id']}")
    for path in paths:
        fits_a_phone(page, path)
    if role == "admin":
        page.goto("/requests/all")
        page.locator("[data-testid=request]").first.wait_for()
        shot(page, "phone-all-requests")


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_a_small_phone_reaches_everything(page: Any, server: Server, language: str) -> None:
    sign_in(page, server, _owner(server))
    page.set_viewport_size(SMALL)
    page.select_option(".lang-switch select", language)
    page.goto("/board")
    page.locator("main input[type=checkbox]").first.wait_for()
    tabs = _boxes(page, "nav.nav a")
    assert len(tabs) >= 6  # the owner sees the efficiency dashboard too
    for tab in tabs:
        assert tab["left"] >= 0 and tab["right"] <= SMALL["width"], tab
        assert tab["height"] >= 44, tab
    for target in _boxes(page, "header button, header select, main .btn"):
        assert target["height"] >= 44, target
    boxes = _boxes(page, "main input[type=checkbox]")
    labels = _boxes(page, "main label:has(> input[type=checkbox])")
    assert boxes and labels
    assert all(b["width"] >= 24 and b["height"] >= 24 for b in boxes), boxes
    assert all(lab["height"] >= 44 for lab in labels), labels
    _no_sideways_scroll(page)
    if language == "en":
        shot(page, "phone-board")
        page.set_viewport_size(SMALL)  # shot() leaves the page at desktop width

    page.goto("/processes/store_opening")
    rows = page.locator("[data-testid=steps] tbody tr")
    rows.first.wait_for()
    assert rows.first.evaluate("tr => getComputedStyle(tr).display") == "block"
    for cell in _boxes(page, "[data-testid=steps] td"):
        assert cell["right"] <= SMALL["width"], cell
    _no_sideways_scroll(page)
    # who decides, in words: never rule syntax such as manager_of:initiator or "any"
    steps = page.locator("[data-testid=steps]").inner_text()
    assert "manager_of" not in steps and "role:" not in steps and "field:" not in steps
    assert ("the requester's manager" if language == "en" else "申请人的上级") in steps
    if language == "en":
        shot(page, "phone-process-steps")
        page.set_viewport_size(SMALL)

    # A request's steps (the visits table) as cards too.
    mine = server.api("GET", "/instances?limit=1", token=server.token(_owner(server)))
    request = mine["items"][0]["id"] if mine["items"] else None
    if request is None:
        found = server.api("GET", "/instances?scope=all&limit=1",
                           token=server.token(_owner(server)))
        request = found["items"][0]["id"]
    page.goto(f"/requests/{request}")
    visits = page.locator("[data-testid=visits] tbody tr")
    visits.first.wait_for()
    assert visits.first.evaluate("tr => getComputedStyle(tr).display") == "block"
    for cell in _boxes(page, "[data-testid=visits] td"):
        assert cell["right"] <= SMALL["width"], cell
    _no_sideways_scroll(page)
    page.select_option(".lang-switch select", "en")
