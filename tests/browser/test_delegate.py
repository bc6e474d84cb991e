"""An approver hands work on: delegate one task, ask another person to sign first."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Server, shot, sign_in
from tests.browser.helpers import busiest_approver, instance, pending_tasks

pytestmark = pytest.mark.browser

COLLEAGUE = "zhou.min"  # the CFO in the demo org


def _act(page: Any, task: dict[str, Any], link: str, button: str, comment: str,
         before: bool = False) -> None:
    page.goto(f"/tasks/{task['id']}")
    page.wait_for_selector(".action-panel")
    page.get_by_role("button", name=link, exact=True).click()
    page.select_option("select[aria-label='Choose a person']", COLLEAGUE)
    if before:
        page.select_option("select[aria-label=Position]", "before")
    page.fill(".action-panel textarea[name=comment]", comment)
    page.get_by_role("button", name=button).click()
    page.wait_for_selector("[data-testid=action-done]")


def test_delegate_and_add_signer(page: Any, server: Server) -> None:
    who = busiest_approver(server)
    first, second = pending_tasks(server, who)[-2:]
    sign_in(page, server, who)

    _act(page, first, "Delegate", "Delegate → Zhou Min", "You know this supplier.")
    shot(page, "task-delegated")
    assert page.locator(".instance-head", has_text="Zhou Min").count() == 1
    assert COLLEAGUE in instance(server, first["initiator"], first["instance_id"])["holders"]

    _act(page, second, "Add signer", "Add signer → Zhou Min", "CFO should see this first.",
         before=True)
    assert instance(server, second["initiator"], second["instance_id"])["holders"] == [COLLEAGUE]

    left = {t["id"] for t in pending_tasks(server, who)}
    assert first["id"] not in left
