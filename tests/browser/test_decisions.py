"""Decisions people can trust, in the browser: a reject asks for a reason and a
confirmation; a returned request comes back, is corrected and resubmitted, and its
approver sees what changed; form errors say what is wrong in plain words, in English and
Chinese; people are shown by name and amounts with their currency."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from tests.browser.conftest import PHONE, Server, shot, sign_in
from tests.browser.helpers import instance
from tests.browser.test_phone import cards_fit
from tests.browser.test_store_opening import _requester

pytestmark = pytest.mark.browser


def _start(server: Server, requester: str, store: str) -> str:
    data = {"store_name": store, "city": "Suzhou", "address": "8 Canal Street", "area_sqm": 150,
            "monthly_rent": 15821.25, "lease_years": 5, "legal_contact": "song.qian",
            "store_format": "popup",
            "opening_date": (dt.date.today() + dt.timedelta(days=75)).isoformat()}
    out = server.api("POST", "/instances", token=server.token(requester),
                     json={"definition": "store_opening", "data": data})
    return str(out["id"])


def _open_task(page: Any, server: Server, holder: str, store: str) -> None:
    sign_in(page, server, holder)
    page.goto("/inbox")
    page.locator("[data-testid=task]", has_text=store).locator("a.task-link").click()
    page.wait_for_selector(".action-panel")


def test_reject_needs_a_reason_and_a_confirmation(page: Any, server: Server) -> None:
    requester = _requester(server)
    store = f"Reject Store {uuid.uuid4().hex[:6]}"
    iid = _start(server, requester, store)
    holder = instance(server, requester, iid)["holders"][0]
    _open_task(page, server, holder, store)
    form = page.locator(".rjsf-readonly")
    assert "¥15,821.25" in form.inner_text()  # the amount with separators and currency
    assert "Song Qian" in form.inner_text() and "song.qian" not in form.inner_text()
    assert "Pop-up" in form.inner_text()

    page.get_by_role("button", name="Reject", exact=True).click()
    dialog = page.get_by_test_id("confirm-reject")
    assert dialog.is_visible()
    assert "Reject this request?" in dialog.inner_text()
    dialog.get_by_role("button", name="Reject the request").click()  # no reason yet
    assert "Please give a reason." in dialog.inner_text()
    assert instance(server, requester, iid)["status"] == "running"
    dialog.get_by_role("button", name="Cancel").click()  # changes its mind: nothing happens
    assert not dialog.is_visible()
    assert instance(server, requester, iid)["status"] == "running"

    page.get_by_role("button", name="Reject", exact=True).click()
    page.get_by_label("Reason (required)").fill("The rent is 40% above the mall's median.")
    shot(page, "task-reject-confirm")
    page.get_by_test_id("confirm-reject").get_by_role("button", name="Reject the request").click()
    page.wait_for_selector("[data-testid=action-done]")
    done = instance(server, requester, iid)
    assert done["status"] == "rejected"

    sign_in(page, server, requester)  # the requester reads why, once
    page.goto(f"/requests/{iid}")
    page.wait_for_selector(".badge-rejected")
    timeline = page.locator(".timeline")
    assert timeline.get_by_text("The rent is 40% above the mall's median.").count() == 1
    assert "Request rejected" in timeline.inner_text()
    assert "Left:" not in timeline.inner_text()
    page.get_by_test_id("bell").click()
    told = page.get_by_test_id("bell-panel").locator("li[data-kind=rejected]", has_text=store)
    assert "The rent is 40% above the mall's median." in told.inner_text()


def test_returned_resubmitted_and_the_approver_sees_what_changed(page: Any,
                                                                 server: Server) -> None:
    requester = _requester(server)
    store = f"Diff Store {uuid.uuid4().hex[:6]}"
    iid = _start(server, requester, store)
    holder = instance(server, requester, iid)["holders"][0]
    _open_task(page, server, holder, store)
    page.get_by_role("button", name="Return", exact=True).click()
    dialog = page.get_by_test_id("confirm-return")
    dialog.get_by_label("Reason (required)").fill("Rent looks high; add the landlord.")
    dialog.get_by_role("button", name="Return the request").click()
    page.wait_for_selector("[data-testid=action-done]")

    sign_in(page, server, requester)
    page.goto(f"/requests/{iid}")
    page.wait_for_selector(".badge-returned")
    assert "Rent looks high; add the landlord." in page.locator(".return-comment").inner_text()
    page.get_by_test_id("bell").click()
    told = page.get_by_test_id("bell-panel").locator("li[data-kind=returned]", has_text=store)
    assert "Rent looks high; add the landlord." in told.inner_text()
    page.get_by_test_id("bell").click()
    page.fill("#root_monthly_rent", "14,900")
    page.fill("#root_landlord", "Canal Estates")
    page.get_by_role("button", name="Resubmit").click()
    page.wait_for_selector(".badge-running")
    after = instance(server, requester, iid)
    assert after["data"]["monthly_rent"] == 14900 and after["data"]["landlord"] == "Canal Estates"

    _open_task(page, server, holder, store)
    changes = page.get_by_test_id("changes")
    # the labels and currencies come with the process's form, which may arrive after the
    # timeline
    page.wait_for_function(
        "() => document.querySelector('[data-testid=changes]')?.textContent.includes('¥')")
    rows = [r.inner_text().split("\t") for r in changes.locator("tbody tr").all()]
    assert [[c.strip() for c in r] for r in rows] == [
        ["Monthly rent", "¥15,821.25", "¥14,900.00"], ["Landlord", "(empty)", "Canal Estates"]]
    shot(page, "task-resubmitted-changes")

    page.evaluate("localStorage.setItem('signoff.lang', 'zh-CN')")
    page.reload()
    changes = page.get_by_test_id("changes")
    changes.wait_for()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=changes]')?.textContent.includes('月租金')")
    text = changes.inner_text()
    assert "修改内容" in text and "月租金" in text and "业主" in text and "（空）" in text
    assert "快闪店" in page.locator(".rjsf-readonly").inner_text()  # the choice, in Chinese
    assert "宋倩" in page.locator(".rjsf-readonly").inner_text()
    cards_fit(page, "[data-testid=changes]")  # on a phone: a card per changed field
    page.evaluate("localStorage.setItem('signoff.lang', 'en')")


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_form_errors_in_plain_words(page: Any, server: Server, lang: str) -> None:
    sign_in(page, server, _requester(server))
    page.evaluate(f"localStorage.setItem('signoff.lang', '{lang}')")
    page.set_viewport_size(PHONE)
    page.goto("/new/store_opening")
    page.wait_for_selector("form.rjsf")
    page.fill("#root_monthly_rent", "12e")
    page.fill("#root_opening_date", "2020-06-01")
    page.locator("button[type=submit]").click()
    errors = {f: page.locator(f"#root_{f}__error").inner_text().strip()
              for f in ("store_name", "monthly_rent", "opening_date")}
    later = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    if lang == "en":
        assert errors == {
            "store_name": "Store name is required.",
            "monthly_rent": "Monthly rent must be a number, such as 15821.25.",
            "opening_date": "Planned opening must be at least 30 days from the day of filing: "
                            f"{later} or later."}
    else:
        assert errors == {"store_name": "请填写门店名称。",
                          "monthly_rent": "月租金必须是数字，例如 15821.25。",
                          "opening_date": "计划开业日期须在提交之日起至少 30 天后："
                                          f"{later} 或之后。"}
    text = page.locator("form.rjsf").inner_text()
    assert "must have required property" not in text and ">=" not in text
    assert "store_format" not in text
    assert page.url.endswith("/new/store_opening")  # nothing was sent
    shot(page, f"new-request-plain-errors-{lang.lower()}")
    page.evaluate("localStorage.setItem('signoff.lang', 'en')")
