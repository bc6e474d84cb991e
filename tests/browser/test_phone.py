"""At 375 px wide (a small phone): every navigation tab is on screen, touch targets are
at least 44 px tall (checkboxes 24 px inside a 44 px label), and the steps table reads
as cards with nothing cut off; in English and Chinese."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Server, shot, sign_in
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
    """At 375 px, the rows of ``table`` (a ``[data-testid=...]`` selector) are cards, each
    cell says its column, and nothing runs off the side of the screen."""
    page.set_viewport_size(SMALL)
    rows = page.locator(f"{table} tbody tr")
    rows.first.wait_for()
    assert rows.first.evaluate("tr => getComputedStyle(tr).display") == "block"
    cells = _boxes(page, f"{table} td")
    assert cells and all(c["right"] <= SMALL["width"] for c in cells), cells
    labelled = page.eval_on_selector_all(f"{table} tbody tr:first-child td", """tds => tds
        .filter(td => td.offsetParent !== null)
        .map(td => getComputedStyle(td, '::before').content)""")
    assert labelled and all(c not in ("none", "normal", '""') for c in labelled), labelled
    _no_sideways_scroll(page)


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
