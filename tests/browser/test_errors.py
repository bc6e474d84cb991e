"""Bad input and API errors show up as sentences next to what caused them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Server, shot, sign_in
from tests.browser.helpers import approvers_with_work

pytestmark = pytest.mark.browser


def test_form_error_is_shown_on_its_field(page: Any, server: Server) -> None:
    sign_in(page, server, approvers_with_work(server)[0])
    page.goto("/new/store_opening")
    page.wait_for_selector("form.rjsf")
    page.fill("#root_store_name", "X")  # too short
    page.fill("#root_monthly_rent", "-5")
    page.get_by_role("button", name="Submit").click()
    rent = page.locator("#root_monthly_rent__error")
    rent.wait_for()
    assert rent.inner_text().strip() == "Monthly rent must be at least 0."  # not "must be >= 0"
    assert page.locator("#root_store_name__error").inner_text().strip() == \
        "Store name needs at least 2 characters."
    assert page.url.endswith("/new/store_opening")  # nothing was submitted
    shot(page, "new-request-errors")


def test_unknown_task_shows_a_sentence_not_a_blank_page(page: Any, server: Server) -> None:
    sign_in(page, server, approvers_with_work(server)[0])
    page.goto("/tasks/00000000-0000-0000-0000-000000000000")
    alert = page.wait_for_selector("[role=alert]")
    assert "not found" in alert.inner_text().lower()
    shot(page, "error-not-found")
