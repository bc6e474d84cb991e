"""An approver works the inbox: approve one task, bulk-approve several."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Server, shot, sign_in
from tests.browser.helpers import approvers_with_work, busiest_approver, pending_tasks

PAGE = 25  # ui/src/lib/lists.ts PAGE_SIZE: the inbox's page

pytestmark = pytest.mark.browser


def test_sign_in_page_lists_demo_users(page: Any, server: Server) -> None:
    page.goto("/login")
    page.wait_for_selector("button.demo-user")
    assert page.locator("button.demo-user").count() >= 3
    shot(page, "sign-in")


def test_approve_a_task_from_the_inbox(page: Any, server: Server) -> None:
    who = busiest_approver(server)
    waiting = pending_tasks(server, who)
    before = {t["id"] for t in waiting}
    sign_in(page, server, who)
    page.goto("/inbox")
    page.wait_for_selector("[data-testid=task]")
    overdue = sum(t["overdue"] for t in waiting)  # a task may fall due while we look
    assert overdue >= 1
    shown = min(overdue, 25)  # the inbox shows pages of 25, the most overdue first
    assert page.locator("[data-testid=task] .badge-overdue").count() >= shown
    assert page.locator("[data-testid=task].is-overdue").count() >= shown
    shot(page, "inbox")
    first = page.locator("[data-testid=task] a.task-link").first
    task_id = first.get_attribute("href").rsplit("/", 1)[-1]
    assert task_id in before
    first.click()
    page.wait_for_selector(".action-panel")
    page.fill(".action-panel textarea[name=comment]", "Looks fine.")
    shot(page, "task")
    page.get_by_role("button", name="Approve", exact=True).click()
    page.wait_for_selector("[data-testid=action-done]")
    shot(page, "task-approved")
    assert task_id not in {t["id"] for t in pending_tasks(server, who)}


def test_bulk_approve(page: Any, server: Server) -> None:
    candidates = approvers_with_work(server, minimum=3)
    assert candidates, "the demo should leave someone with several tasks waiting"
    who = candidates[-1]
    sign_in(page, server, who)
    page.goto("/inbox")
    page.wait_for_selector("[data-testid=task]")
    cards = page.locator("[data-testid=task]:has(input.task-check)")
    ids = []
    for i in range(2):
        cards.nth(i).locator("input.task-check").check()
        href = cards.nth(i).locator("a.task-link").get_attribute("href")
        ids.append(href.rsplit("/", 1)[-1])
    page.fill("input[name=bulk-comment]", "Batch OK")
    shot(page, "inbox-bulk-selected")
    page.get_by_role("button", name="Approve selected (2)").click()
    result = page.wait_for_selector("[data-testid=bulk-result]")
    assert "2 approved, 0 failed" in result.inner_text()
    shot(page, "inbox-bulk-done")
    left = {t["id"] for t in pending_tasks(server, who)}
    assert not left & set(ids)


def test_inbox_in_chinese(page: Any, server: Server) -> None:
    who = approvers_with_work(server)[0]
    sign_in(page, server, who)
    page.goto("/inbox")
    page.select_option("select[aria-label=Language]", "zh-CN")
    page.wait_for_selector("h1:has-text('待办')")
    page.reload()  # the choice is kept
    page.wait_for_selector("h1:has-text('待办')")
    shot(page, "inbox-zh")
    page.select_option(".lang-switch select", "en")
    page.wait_for_selector("h1:has-text('Inbox')")


def test_inbox_filters_by_process_and_step(page: Any, server: Server) -> None:
    who = busiest_approver(server)
    waiting = pending_tasks(server, who)
    process = waiting[0]["definition"]
    step = waiting[0]["node"]
    sign_in(page, server, who)
    page.goto("/inbox")
    page.wait_for_selector("[data-testid=task]")
    page.select_option("select[name=definition]", process)
    page.wait_for_url(f"**/inbox?definition={process}")
    page.select_option("select[name=node]", step)
    page.wait_for_url(f"**node={step}")
    page.wait_for_load_state("networkidle")  # the filtered list has replaced the full one
    page.wait_for_selector("[data-testid=task]")
    expected = {t["id"] for t in pending_tasks(server, who)
                if t["definition"] == process and t["node"] == step}
    # the first page shows up to PAGE of them (the inbox pages on the server); wait until
    # the filtered page has replaced the full one
    want = min(len(expected), PAGE)
    shown: set[str] = set()
    for _ in range(50):
        hrefs = page.locator("[data-testid=task] a.task-link").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))")
        shown = {h.rsplit("/", 1)[-1] for h in hrefs}
        if len(shown) == want and shown <= expected:
            break
        page.wait_for_timeout(200)
    assert len(shown) == want and shown <= expected, (shown - expected, len(shown), want)
    shot(page, "inbox-filtered")
