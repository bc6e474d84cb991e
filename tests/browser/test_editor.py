"""The process owner's editor in chromium: a typo gives one plain error at its line (in
English and Chinese, at desktop and phone widths), the draft's diagram is drawn before
publishing, publishing shows the diff and asks first, and a retired process takes no
new requests. Works on a process of its own so other tests' processes stay as they are."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PHONE, Server, shot, sign_in
from tests.browser.test_dashboard import _owner
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

SOURCE = (ROOT / "definitions" / "sample_order.yaml").read_text(encoding="utf-8")
PILOT = SOURCE.replace("key: sample_order", "key: editor_pilot", 1).replace(
    "title: Display sample order", "title: Editor pilot", 1)


def _line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


def _type(page: Any, text: str) -> None:
    """Replace the editor's text (as a paste would) and wait for the check to answer."""
    page.locator("[data-testid=yaml-editor]").fill(text)
    page.wait_for_function("() => !document.querySelector('[data-testid=editor-status]')"
                           ".textContent.match(/Checking|检查中/)")


def _open_editor(page: Any, key: str) -> None:
    page.goto(f"/processes/{key}")
    page.locator("[data-testid=diagram] svg").first.wait_for()
    page.locator(".owner-actions button").first.click()
    page.locator("[data-testid=yaml-editor]").wait_for()
    page.locator("[data-testid=editor-status]").filter(has_text="✓").wait_for()


def test_edit_check_publish_with_diff_and_retire(page: Any, server: Server) -> None:
    sign_in(page, server, _owner(server))
    _open_editor(page, "sample_order")
    numbers = page.locator(".cm-lineNumbers .cm-gutterElement").all_inner_texts()
    assert [n for n in numbers if n.strip()][:3] == ["1", "2", "3"]  # line numbers

    # Completion from the format's JSON Schema: a top-level key the file lacks is offered.
    page.locator("[data-testid=yaml-editor]").click()
    page.keyboard.press("Control+Home")
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowUp")
    page.keyboard.type("repo")
    page.keyboard.press("Control+Space")
    options = page.locator(".cm-tooltip-autocomplete li")
    options.first.wait_for()
    assert any(o.startswith("report") for o in options.all_inner_texts())
    page.keyboard.press("Escape")

    # One typo (a misspelt step name): one plain error, at the step's line.
    typo = PILOT.replace("  sample_manager:\n", "  sample_manger:\n", 1)
    _type(page, typo)
    errors = page.locator("[data-testid=yaml-error]")
    errors.first.wait_for()
    assert errors.count() == 1
    assert "step 'sample_manger' is never reached" in errors.first.inner_text()
    line = _line_of(typo, "  sample_manger:")
    assert page.locator("[data-testid=yaml-errors] .line-no").first.inner_text() == f"Line {line}"
    assert page.locator(".cm-lintRange-error").count() >= 1  # marked in the editor too
    assert "more that follow from these are hidden" in page.locator(
        "[data-testid=yaml-hidden]").inner_text()
    assert page.locator("[data-testid=draft-diagram] svg").count() == 0
    shot(page, "editor-typo")

    # A YAML syntax error reads as what to do.
    _type(page, PILOT.replace("title: Editor pilot", "title: Editor: pilot", 1))
    assert "a second ':' on one line" in errors.first.inner_text()

    # Fixed: the draft's diagram is drawn before anything is published.
    _type(page, PILOT)
    page.locator("[data-testid=draft-diagram] svg").wait_for()
    page.get_by_role("button", name="Review and publish").click()
    page.get_by_text("A new process: nothing is published as editor_pilot yet.").wait_for()
    page.get_by_role("button", name="Publish", exact=True).click()
    dialog = page.locator("dialog.confirm[open]")
    dialog.wait_for()
    assert "version 1 of editor_pilot" in dialog.inner_text()
    dialog.get_by_role("button", name="Publish").click()
    page.wait_for_url("**/processes/editor_pilot")

    # A change to a published process: the diff, then a confirmation.
    _open_editor(page, "editor_pilot")
    changed = PILOT.replace("    sla: 2d\n", "    sla: 3d\n", 1)
    _type(page, changed)
    page.locator("[data-testid=draft-diagram] svg").wait_for()
    page.get_by_role("button", name="Review and publish").click()
    review = page.locator("[data-testid=review]")
    review.get_by_text("Changes against published version 1").wait_for()
    diff = page.locator("[data-testid=yaml-diff]")
    assert "sla: 2d" in diff.locator(".cm-deletedChunk").inner_text()
    assert "sla: 3d" in diff.locator(".cm-changedLine").first.inner_text()
    review.get_by_role("button", name="Publish", exact=True).click()
    page.locator("dialog.confirm[open]").wait_for()
    shot(page, "editor-diff-confirm")
    page.locator("dialog.confirm[open]").get_by_role("button", name="Cancel").click()
    assert page.locator("dialog.confirm[open]").count() == 0
    token = server.token(_owner(server))
    assert server.api("GET", "/definitions/editor_pilot", token=token)["versions"] == [1]
    review.get_by_role("button", name="Publish", exact=True).click()
    page.locator("dialog.confirm[open]").get_by_role("button", name="Publish").click()
    page.get_by_text("Version 2 published.").wait_for()
    assert server.api("GET", "/definitions/editor_pilot", token=token)["versions"] == [1, 2]

    # Retire: asked first; then marked, and gone from the list of new requests.
    page.get_by_role("button", name="Retire process").click()
    page.locator("dialog.confirm[open]").get_by_role("button", name="Retire process").click()
    page.locator("[data-testid=retired-badge]").wait_for()
    page.locator("[data-testid=retired-note]").wait_for()
    shot(page, "process-retired")
    page.goto("/processes")
    page.locator("a[data-key=editor_pilot] .badge-retired").wait_for()
    page.goto("/new")
    page.locator("a[data-key=sample_order]").wait_for()
    assert page.locator("a[data-key=editor_pilot]").count() == 0
    page.goto("/processes/editor_pilot")
    page.get_by_role("button", name="Take back into use").click()
    page.locator(".owner-actions").get_by_role("button", name="Retire process").wait_for()
    assert page.locator("[data-testid=retired-badge]").count() == 0


def test_the_editor_in_chinese_on_a_phone(page: Any, server: Server) -> None:
    sign_in(page, server, _owner(server))
    page.set_viewport_size(PHONE)
    page.select_option(".lang-switch select", "zh-CN")
    _open_editor(page, "sample_order")
    source = SOURCE.replace("      reject: rejected\n", "      reject: rejectd\n", 1)
    if source == SOURCE:
        source = SOURCE.replace("reject: rejected", "reject: rejectd", 1)
    _type(page, source)
    errors = page.locator("[data-testid=yaml-error]")
    errors.first.wait_for()
    assert errors.count() == 1
    assert errors.first.inner_text() == "没有名为 “rejectd” 的步骤（是否想写 “rejected”？）"
    line = _line_of(source, "rejectd")
    assert page.locator("[data-testid=yaml-errors] .line-no").first.inner_text() == f"第 {line} 行"
    # The editor fits the phone: no sideways scrolling of the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _type(page, SOURCE.replace("title: Display sample order", "title: Display sample order 2", 1))
    page.locator("[data-testid=draft-diagram] svg").wait_for()
    assert "店长确认" in page.locator("[data-testid=draft-diagram]").inner_text()
    shot(page, "editor-zh")
    page.select_option(".lang-switch select", "en")
