"""Notifications in the browser: an approver's bell lights up and the inbox gains the
task while the page stays open; a requester sees "returned to you" arrive on the
request page; each person's notification settings; the admins' outbox shows the mail
kept while no SMTP server is configured, and the channels' test message."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.browser.conftest import Server, shot, sign_in
from tests.browser.helpers import instance
from tests.browser.test_requests import _start
from tests.browser.test_store_opening import _requester

pytestmark = pytest.mark.browser


def _all_read(server: Server, username: str) -> None:
    server.api("POST", "/notifications/read", token=server.token(username), json={"all": True})


def _stay(page: Any) -> None:
    """Mark the loaded page: the mark is gone if anything reloads it."""
    page.evaluate("window.__stayed = true")


def _stayed(page: Any) -> bool:
    return bool(page.evaluate("window.__stayed === true"))


def test_the_bell_and_the_inbox_update_live_when_someone_submits(page: Any,
                                                                  server: Server) -> None:
    requester = _requester(server)
    first = _start(server, requester, f"Bell Store {uuid.uuid4().hex[:6]}")
    approver = instance(server, requester, first)["holders"][0]
    _all_read(server, approver)
    sign_in(page, server, approver)
    page.goto("/inbox")
    page.wait_for_selector("[data-testid=task]")
    assert page.locator("[data-testid=bell-count]").count() == 0
    _stay(page)

    store = f"Live Store {uuid.uuid4().hex[:6]}"
    _start(server, requester, store)  # another person submits, through the API
    page.wait_for_selector("[data-testid=bell-count]")
    page.locator("[data-testid=task]", has_text=store).wait_for()
    assert _stayed(page)
    page.get_by_test_id("bell").click()
    item = page.locator("[data-testid=bell-panel] li.is-unread", has_text=store)
    item.wait_for()
    assert "is waiting for you" in item.inner_text()
    shot(page, "bell-new-task")
    item.locator("a").click()
    page.wait_for_url("**/tasks/*")
    page.wait_for_selector(".action-panel")
    page.locator("[data-testid=bell-count]").wait_for(state="detached")  # read now


def test_the_requester_sees_returned_to_you_arrive(page: Any, server: Server) -> None:
    requester = _requester(server)
    store = f"Returned Store {uuid.uuid4().hex[:6]}"
    instance_id = _start(server, requester, store)
    holder = instance(server, requester, instance_id)["holders"][0]
    _all_read(server, requester)
    sign_in(page, server, requester)
    page.goto(f"/requests/{instance_id}")
    page.wait_for_selector(".badge-running")
    _stay(page)

    tasks = server.api("GET", "/tasks?limit=200", token=server.token(holder))["items"]
    task = next(t for t in tasks if t["instance_id"] == instance_id and t["status"] == "pending")
    server.api("POST", f"/tasks/{task['id']}/return", token=server.token(holder),
               json={"comment": "Add the landlord's name, please."})
    page.wait_for_selector(".badge-returned")  # the request page, without a reload
    page.wait_for_selector("[data-testid=bell-count]")
    assert _stayed(page)
    page.get_by_test_id("bell").click()
    item = page.locator("[data-testid=bell-panel] li[data-kind=returned]", has_text=store)
    item.wait_for()
    assert "was returned to you by" in item.inner_text()
    shot(page, "bell-returned")
    page.get_by_role("button", name="Mark all read").click()
    page.locator("[data-testid=bell-count]").wait_for(state="detached")


def test_each_person_sets_how_they_are_told(page: Any, server: Server) -> None:
    requester = _requester(server)
    sign_in(page, server, requester)
    page.goto("/settings")
    page.wait_for_selector("form.settings-form")
    page.check("input[name=channel-dingtalk]")
    page.check("input[name=quiet]")
    page.fill("input[name=quiet_start]", "21:30")
    page.fill("input[name=quiet_end]", "07:45")
    page.check("input[name=digest] >> nth=1")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("[data-testid=saved]")
    shot(page, "notification-settings")
    saved = server.api("GET", "/me/preferences", token=server.token(requester))
    assert saved["channels"] == ["app", "email", "dingtalk"]
    assert (saved["quiet_start"], saved["quiet_end"], saved["digest"]) == ("21:30", "07:45", True)
    page.uncheck("input[name=quiet]")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("[data-testid=saved]")
    assert server.api("GET", "/me/preferences",
                      token=server.token(requester))["quiet_start"] is None


def test_the_admin_reads_kept_mail_and_sends_a_test_message(page: Any,
                                                            server: Server) -> None:
    requester = _requester(server)
    _start(server, requester, f"Outbox Store {uuid.uuid4().hex[:6]}")  # mail to keep
    sign_in(page, server, "admin")
    page.goto("/admin/outbox")
    page.wait_for_selector("[data-testid=outbox-item]")
    assert "No channel is set up" in page.inner_text("main")
    page.get_by_test_id("send-test").click()
    assert "kept here: E-mail" in page.get_by_test_id("outbox-note").inner_text()
    test = page.locator("[data-testid=outbox-item][data-kind=test]").first
    test.wait_for()
    kept = page.locator("[data-testid=outbox-item][data-kind=task_assigned]").first
    kept.locator("summary").click()
    text = kept.get_by_test_id("outbox-text").inner_text()
    assert "waiting for your decision" in text or "等待您审批" in text
    assert "/tasks/" in text
    test.locator("summary").click()
    assert test.get_by_test_id("outbox-text").inner_text().strip()
    shot(page, "admin-outbox")
    page.get_by_role("tab", name="Dead").click()
    page.wait_for_selector("text=No messages here.")
