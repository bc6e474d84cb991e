"""Everything a business user sees in Chinese is Chinese: each role (requester,
approver, process owner, administrator) signs in with a Chinese browser and walks the
main pages; no English word may show outside what people typed (form values, comments,
file names), names and numbers. The refusals the server sends come in Chinese too."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from engine.demo import forms as demo_forms
from tests.browser.conftest import DESKTOP, Server, serving, shot, sign_in
from tests.browser.helpers import pending_tasks

pytestmark = pytest.mark.browser

# Words allowed in a Chinese page: the product's name, the language picker's "English",
# YAML keys an owner types (in the editor's help), file types and units.
ALLOWED = {"Signoff", "English", "YAML", "JSON", "Excel", "xlsx", "Mermaid", "SLA", "CNY",
           "PDF", "PNG", "JPEG", "Webhook"}
# What the demo's requesters typed into their forms (cities, malls, landlords, items,
# expense descriptions): a request's title quotes it inside the Chinese words.
TYPED = set(re.findall(r"[A-Za-z]{4,}", " ".join(
    [*(c for cities in demo_forms.CITIES.values() for c in cities), *demo_forms.MALLS,
     *demo_forms.LANDLORDS, *demo_forms.SAMPLE_ITEMS,
     *(t for texts in demo_forms.EXPENSE_TEXT.values() for t in texts), "Flagship"])))
# Text people wrote or that is quoted as it was sent: form values, comments, reasons,
# file names, the YAML source, mails as their recipients got them, org names typed in
# the directory. A business user reads it as it was written.
SKIP = ", ".join([
    "[data-testid=form-value]", ".form-values", ".rjsf", "input", "textarea", "select",
    ".comment-text", ".timeline-comment", "[data-testid=comment]", ".reason",
    # a person's comment, but not the system's reason for an escalation
    ":is(li:not(.tl-notify, .tl-reassign, .tl-auto_approve, .tl-auto_reject)) > blockquote",
    ".attachment-name", "[data-testid=attachment]", ".cm-editor", "pre", "code",
    ".outbox-subject", ".outbox-text", ".outbox-error", ".bell-reason", ".audit-detail", ".changes",
    "[data-testid=field-diff]", ".lang-switch", "[data-testid=me-username]", "script",
    "style", "noscript", "[aria-hidden=true]",
])

_TEXTS = """
(skip) => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest(skip)) continue;
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") continue;
    if (!el.getClientRects().length) continue;
    const text = n.textContent.trim();
    if (text) out.push(text);
  }
  for (const el of document.querySelectorAll("[title], [aria-label], [placeholder]")) {
    if (el.closest(skip) && !el.matches("input, textarea, select")) continue;
    for (const a of ["title", "aria-label", "placeholder"]) {
      const v = el.getAttribute(a);
      if (v && v.trim()) out.push(v.trim());
    }
  }
  return out;
}
"""


def english_words(texts: list[str]) -> dict[str, str]:
    """Each English word (4+ letters) left, with the text it was found in."""
    found: dict[str, str] = {}
    for text in texts:
        for token in text.split():
            # e-mail addresses, usernames (li.na), file and path names, request numbers,
            # times and numbers: names, not words
            if re.search(r"[@./\\:_]|\d", token):
                continue
            for word in re.findall(r"[A-Za-z]{4,}", token):
                if word not in ALLOWED and word not in TYPED:
                    found.setdefault(word, text[:120])
    return found


def english_on(page: Any) -> dict[str, str]:
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # lazy parts (the diagram, charts) draw after the data
    return english_words(page.evaluate(_TEXTS, SKIP))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A demo server of this module's own: the shared one holds requests other browser
    tests typed in English (store names, suppliers), which are not the UI's words."""
    with serving(tmp_path_factory.mktemp("zh-serve")) as own:
        yield own


@pytest.fixture
def zh_page(browser: Any, server: Server) -> Any:
    context = browser.new_context(viewport=DESKTOP, base_url=server.url, locale="zh-CN")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.add_init_script("localStorage.setItem('signoff.lang', 'zh-CN')")
    try:
        yield page
    finally:
        context.close()


def walk(page: Any, server: Server, username: str, paths: list[str]) -> dict[str, dict[str, str]]:
    sign_in(page, server, username)
    left: dict[str, dict[str, str]] = {}
    for path in paths:
        page.goto(path)
        page.wait_for_selector("main h1, main h2")
        if found := english_on(page):
            left[f"{username} {path}"] = found
    return left


def _first(server: Server, username: str, url: str, key: str = "id") -> str:
    items = server.api("GET", url, token=server.token(username))["items"]
    return str(items[0][key])


ROLES = {
    "requester": "xu.ming",
    "approver": "zhao.lei",
    "owner": "chen.jing",
    "admin": "admin",
}


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_sees_only_chinese(zh_page: Any, server: Server, role: str) -> None:
    user = ROLES[role]
    paths = ["/inbox", "/requests", "/new", "/processes", "/settings"]
    if role == "requester":
        paths += [f"/requests/{_first(server, user, '/instances?scope=mine')}",
                  "/new/store_opening"]
    if role == "approver":
        task = pending_tasks(server, user)[0]
        paths += [f"/tasks/{task['id']}", f"/requests/{task['instance_id']}"]
    if role in ("owner", "admin"):
        paths += ["/requests/all", "/board", "/dashboard", "/dashboard/store_opening",
                  "/processes/store_opening", "/processes/expense_claim"]
    if role == "admin":
        paths += ["/admin/outbox", "/admin/audit"]
    left = walk(zh_page, server, user, paths)
    if role in ("owner", "approver"):
        zh_page.goto(paths[-1])
        zh_page.locator("[data-testid=bell]").click()
        zh_page.wait_for_selector(".bell-list li, .bell-empty")
        if found := english_on(zh_page):
            left[f"{user} bell"] = found
        shot(zh_page, f"zh-{role}")
    words = {word: f"{where}: {text}" for where, found in left.items()
             for word, text in found.items()}
    assert words == {}, "English left in Chinese pages"


def test_refusals_from_the_server_come_in_chinese(zh_page: Any, server: Server) -> None:
    """A reject without a reason, refused by the server (the browser's own check off)."""
    user = ROLES["approver"]
    sign_in(zh_page, server, user)
    task = pending_tasks(server, user)[0]
    said = zh_page.evaluate("""async (id) => {
      const r = await fetch(`/api/tasks/${id}/reject`, {method: "POST", headers: {
        "Authorization": `Bearer ${localStorage.getItem("signoff.token")}`,
        "Content-Type": "application/json", "Accept-Language": navigator.language}, body: "{}"});
      return await r.json();
    }""", task["id"])
    assert said["title"] == "FormInvalid"  # machine fields as they are
    assert said["errors"][0]["message"] == "驳回需要说明理由：请在意见中写明原因"
