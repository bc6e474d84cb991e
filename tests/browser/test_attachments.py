"""Attachments and print in the browser: the requester uploads a lease with a progress
bar (the upload throttled so the bar is seen moving), the file shows in the list and the
timeline, the holder downloads it, an outsider is refused; English and Chinese, desktop
and phone. Then the request prints (chromium's Page.printToPDF) as a clean record."""

from __future__ import annotations

import base64
import io
import unicodedata
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from tests.browser.conftest import PHONE, SHOTS, Server, shot, sign_in
from tests.browser.helpers import instance
from tests.browser.test_requests import _start
from tests.browser.test_store_opening import _requester

pytestmark = pytest.mark.browser

# A real (small) PDF, padded to ~1.5 MB so a throttled upload takes a few seconds.
LEASE = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
         b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
         + b"%" + b"lease terms " * 125_000 + b"\n")


def _throttle(page: Any, bytes_per_second: int) -> Any:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 20, "downloadThroughput": -1,
        "uploadThroughput": bytes_per_second})
    return cdp


def test_upload_with_progress_timeline_download_and_refusal(page: Any, server: Server) -> None:
    requester = _requester(server)
    store = f"Lease Store {uuid.uuid4().hex[:6]}"
    iid = _start(server, requester, store)
    holder = instance(server, requester, iid)["holders"][0]

    sign_in(page, server, requester)
    page.goto(f"/requests/{iid}")
    panel = page.locator("section.attachments")
    panel.get_by_text("No files attached yet.").wait_for()
    panel.get_by_label("Files to attach").set_input_files(
        files=[{"name": "lease contract.pdf", "mimeType": "application/pdf", "buffer": LEASE}])
    panel.get_by_label("Comment (optional)").fill("Signed lease, all pages")
    cdp = _throttle(page, 400_000)
    panel.get_by_role("button", name="Upload", exact=True).click()
    bar = panel.get_by_role("progressbar", name="Upload progress")
    seen = set()
    for _ in range(200):  # the bar moves while the bytes go out
        value = bar.get_attribute("value") if bar.count() else None
        if value is not None:
            seen.add(int(value))
        if panel.get_by_text("File attached.").count():
            break
        page.wait_for_timeout(25)
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    panel.get_by_text("File attached.").wait_for()
    assert any(0 < v < 100 for v in seen), f"no progress seen between 0 and 100: {seen}"
    link = panel.get_by_role("button", name="lease contract.pdf", exact=True)
    link.wait_for()
    timeline = page.locator("ol.timeline li.tl-attachment_added")
    timeline.get_by_role("button", name="lease contract.pdf", exact=True).wait_for()
    assert "1.5 MB" in timeline.inner_text()
    page.locator("ol.timeline blockquote", has_text="Signed lease, all pages").wait_for()
    shot(page, "attachments")
    # phone width: the upload fits the screen and keeps 44 px targets
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = panel.get_by_role("button", name="Upload", exact=True).bounding_box()
    assert box and box["height"] >= 44
    page.set_viewport_size({"width": 1280, "height": 800})

    # the holder downloads it (the bytes the requester sent)
    sign_in(page, server, holder)
    page.goto(f"/requests/{iid}")
    with page.expect_download() as got:
        page.locator("section.attachments").get_by_role(
            "button", name="lease contract.pdf", exact=True).click()
    download = got.value
    assert download.suggested_filename == "lease contract.pdf"
    assert Path(download.path()).read_bytes() == LEASE

    # an outsider sees neither the request nor the file
    url = instance(server, requester, iid)["attachments"][0]["url"]
    outsider = "bai.lu"
    sign_in(page, server, outsider)
    page.goto(f"/requests/{iid}")
    page.get_by_role("alert").get_by_text("You are not allowed to do this.").wait_for()
    status = page.evaluate("""async (url) => (await fetch(url, {headers: {Authorization:
        `Bearer ${localStorage.getItem('signoff.token')}`}})).status""", url)
    assert status == 403


def test_attachments_in_chinese_refusal_and_print(page: Any, server: Server) -> None:
    requester = _requester(server)
    store = f"Record Store {uuid.uuid4().hex[:6]}"
    iid = _start(server, requester, store)
    sign_in(page, server, requester)
    page.evaluate("() => localStorage.setItem('signoff.lang', 'zh-CN')")
    page.goto(f"/requests/{iid}")
    panel = page.locator("section.attachments")
    panel.get_by_role("heading", name="附件").wait_for()
    # a file whose type is not accepted is refused in the browser, in Chinese
    panel.get_by_label("选择要上传的文件").set_input_files(
        files=[{"name": "tool.exe", "mimeType": "application/pdf", "buffer": b"MZ" + b"\0" * 64}])
    panel.get_by_role("button", name="上传", exact=True).click()
    panel.get_by_role("alert").get_by_text("tool.exe 无法上传").wait_for()
    # a PDF named .pdf but holding web markup passes the browser's check; the server
    # reads the bytes and refuses it (415), named in Chinese
    panel.get_by_label("选择要上传的文件").set_input_files(
        files=[{"name": "页面.pdf", "mimeType": "application/pdf",
                "buffer": b"<html><script>alert(1)</script></html>"}])
    panel.get_by_role("button", name="上传", exact=True).click()
    panel.get_by_role("alert").get_by_text("页面.pdf 无法上传").wait_for()
    panel.get_by_label("选择要上传的文件").set_input_files(
        files=[{"name": "平面图.pdf", "mimeType": "application/pdf", "buffer": LEASE[:400]},
               {"name": "租赁合同.pdf", "mimeType": "application/pdf", "buffer": LEASE[:300]}])
    panel.get_by_role("button", name="上传", exact=True).click()
    panel.get_by_text("已上传 2 个附件。").wait_for()
    page.locator("ol.timeline li.tl-attachment_added").first.get_by_text("上传附件").wait_for()
    assert page.locator("ol.timeline li.tl-attachment_added").count() == 2
    assert len(instance(server, requester, iid)["attachments"]) == 2
    # a new version of the plan: the old one stays, marked replaced
    panel.get_by_role("button", name="上传 平面图.pdf 的新版本").click()
    panel.get_by_text("上传的文件将成为 平面图.pdf 的新版本").wait_for()
    panel.get_by_label("选择要上传的文件").set_input_files(
        files=[{"name": "平面图-v2.pdf", "mimeType": "application/pdf", "buffer": LEASE[:500]}])
    panel.get_by_role("button", name="上传", exact=True).click()
    panel.get_by_text("附件已上传。").wait_for()
    panel.locator("li.attachment-old", has_text="平面图.pdf").get_by_text("已被替换").wait_for()
    panel.locator("li", has_text="平面图-v2.pdf").get_by_text("第 2 版").wait_for()
    files = instance(server, requester, iid)["attachments"]
    assert [(a["name"], a["version"], a["current"]) for a in files] == [
        ("平面图.pdf", 1, False), ("租赁合同.pdf", 1, True), ("平面图-v2.pdf", 2, True)]
    shot(page, "attachments-zh")

    # print: the record without navigation or buttons (print CSS), as chromium prints it
    page.evaluate("() => localStorage.setItem('signoff.lang', 'en')")
    page.goto(f"/requests/{iid}")
    files = page.locator("section.attachments")
    files.get_by_role("button", name="租赁合同.pdf", exact=True).wait_for()
    assert page.get_by_role("button", name="Print", exact=True).is_visible()
    page.emulate_media(media="print")
    assert not page.locator("header.topbar").is_visible()
    assert not page.get_by_role("button", name="Print", exact=True).is_visible()
    assert not page.get_by_role("button", name="Upload", exact=True).is_visible()
    page.screenshot(path=str(SHOTS / "request-print.png"), full_page=True)
    page.emulate_media(media="null")  # printToPDF lays the page out for print itself
    cdp = page.context.new_cdp_session(page)
    pdf = cdp.send("Page.printToPDF", {"printBackground": False, "paperWidth": 8.27,
                                       "paperHeight": 11.69})["data"]


    reader = PdfReader(io.BytesIO(base64.b64decode(pdf)))
    # NFKC: the PDF's font joins letters such as "ff" into one ligature glyph
    text = unicodedata.normalize("NFKC", "\n".join(p.extract_text() for p in reader.pages))
    # (pypdf reads the Latin text of chromium's PDF; the CJK file names are checked on
    # the page and in the print screenshot: their sizes stand for them here)
    for expected in (store, "Attachments", ".pdf · 400 B", ".pdf · 300 B", "version 2",
                     "replaced", "Timeline",
                     "Submitted", "File attached", "Steps"):
        assert expected in text, (expected, text[:2000])
    for hidden in ("Sign out", "Upload", "Withdraw", "Print", "Files to attach"):
        assert hidden not in text, (hidden, text[:2000])


FORM_WITH_FILE = """\
key: lease_check_{suffix}
title: Lease check {suffix}
title_zh: 租约核对 {suffix}
form:
  type: object
  required: [store, contract]
  properties:
    store: {{type: string, title: Store}}
    contract: {{type: string, format: attachment, title: Lease contract}}
start: review
nodes:
  review:
    approvers: {{manager_of: initiator}}
    on: {{approve: approved, reject: rejected, return: initiator}}
  approved: {{final: approved}}
  rejected: {{final: rejected}}
"""


def test_a_form_that_requires_a_file(page: Any, server: Server) -> None:
    """A process of its own (other tests' processes stay as they are) whose form requires
    a lease: refused in the browser without one, uploaded with progress, attached."""
    suffix = uuid.uuid4().hex[:6]
    owner = next(u["username"] for u in server.api("GET", "/auth/demo-users")
                 if u["username"] == "chen.jing")
    published = httpx.post(f"{server.url}/api/definitions", timeout=30,
                           content=FORM_WITH_FILE.format(suffix=suffix),
                           headers={"Content-Type": "text/yaml",
                                    "Authorization": f"Bearer {server.token(owner)}"})
    assert published.status_code == 201, published.text
    key = published.json()["key"]
    requester = _requester(server)
    sign_in(page, server, requester)
    page.goto(f"/new/{key}")
    page.get_by_label("Store").fill("Hongqiao")
    page.get_by_role("button", name="Submit").click()
    # the browser refuses before sending: the field says what is missing
    page.locator(".rjsf .error-detail, .rjsf .text-danger").first.wait_for()
    assert page.url.endswith(f"/new/{key}")
    page.get_by_label("Lease contract").set_input_files(
        files=[{"name": "lease.pdf", "mimeType": "application/pdf", "buffer": LEASE[:5000]}])
    page.locator(".attachment-widget").get_by_role("button", name="lease.pdf").wait_for()
    assert page.locator(".attachment-widget progress").get_attribute("value") == "100"
    shot(page, "attachment-field")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url("**/requests/*")
    files = page.locator("section.attachments")
    files.get_by_role("button", name="lease.pdf", exact=True).wait_for()
    page.locator("ol.timeline li.tl-attachment_added").wait_for()
    iid = page.url.rsplit("/", 1)[-1]
    got = instance(server, requester, iid)
    assert [(a["name"], a["field"]) for a in got["attachments"]] == [("lease.pdf", "contract")]
    assert got["data"]["contract"] == got["attachments"][0]["id"]
    # the read-only form shows the file by name, as a link
    page.locator(".rjsf").get_by_role("button", name="lease.pdf").wait_for()
