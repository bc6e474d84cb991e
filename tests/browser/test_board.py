"""The status board in the browser, on an app served in this process with a manual clock
(``api.clock.ManualClock``): filters, pages, updates live when a request moves, and a
request turns "at risk" before its deadline as the clock moves."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.sync_api import expect
from rich.console import Console
from sqlmodel import select

from api.app import create_app
from api.clock import ManualClock
from api.prepare import prepare
from api.settings import Settings
from api.tokens import hash_password
from engine.store import AppUser, open_database
from tests.browser.conftest import DESKTOP, shot
from tests.browser.test_phone import cards_fit
from tests.conftest import ROOT

pytestmark = pytest.mark.browser
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
PASSWORD = "board-test-password"
SAMPLES = {"store_code": "SH001", "region": "east", "season": "AW26",
           "needed_by": "2026-03-20", "items": [{"sku": "MQ-001", "quantity": 2}]}


@dataclass
class Clocked:
    url: str
    clock: ManualClock

    def call(self, method: str, path: str, user: str, **kw: Any) -> Any:
        token = httpx.post(f"{self.url}/api/auth/login", timeout=30,
                           json={"username": user, "password": PASSWORD}).json()["access_token"]
        r = httpx.request(method, f"{self.url}/api{path}", timeout=30,
                          headers={"Authorization": f"Bearer {token}"}, **kw)
        r.raise_for_status()
        return r.json()

    def token(self, user: str) -> str:
        return str(self.call("POST", "/auth/login", user,
                             json={"username": user, "password": PASSWORD})["access_token"])


@pytest.fixture
def clocked(tmp_path: Path) -> Iterator[Clocked]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'board.db'}",
                        definitions_dir=ROOT / "definitions", ui_dist=ROOT / "ui" / "dist",
                        jwt_secret="board-test-" + "x" * 32, state_dir=tmp_path / "state",
                        token_lifetime_minutes=60 * 24 * 365, worker=False)
    prepare(settings, console=Console(quiet=True), now=START)
    db = open_database(settings.database_url)
    with db.session() as session:
        hashed = hash_password(PASSWORD)
        for row in session.exec(select(AppUser)).all():
            row.password_hash = hashed
            session.add(row)
        session.commit()
    db.dispose()
    clock = ManualClock(START)
    server = uvicorn.Server(uvicorn.Config(create_app(settings, clock=clock), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield Clocked(f"http://127.0.0.1:{port}", clock)
    finally:  # without waiting for the pages' live (SSE) streams to end
        server.should_exit = server.force_exit = True
        thread.join(timeout=10)


def _open(browser: Any, app: Clocked, user: str) -> Any:
    context = browser.new_context(viewport=DESKTOP, base_url=app.url, locale="en-US")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto("/login")
    page.evaluate("t => localStorage.setItem('signoff.token', t)", app.token(user))
    return page


def _order(app: Clocked, **changes: Any) -> str:
    out = app.call("POST", "/instances", "bai.lu",
                   json={"definition": "sample_order", "data": {**SAMPLES, **changes}})
    return str(out["id"])


def test_board_filters_pages_and_updates_live(browser: Any, clocked: Clocked) -> None:
    for n in range(27):
        _order(clocked, store_code=f"SH{n:03d}", region="north" if n % 9 == 0 else "east")
    page = _open(browser, clocked, "chen.jing")
    page.goto("/board")
    rows = page.locator("[data-testid=board-row]")
    page.wait_for_selector("[data-testid=board-row]")
    assert rows.count() == 25
    assert page.get_by_test_id("board-total").inner_text() == "27 running requests"
    page.get_by_role("button", name="Next").click()
    expect(rows).to_have_count(2)
    assert "26–27 of 27" in page.get_by_test_id("board-page").inner_text()

    page.get_by_placeholder("field:value").fill("region:north")
    page.get_by_placeholder("field:value").blur()
    expect(rows).to_have_count(3)
    assert page.get_by_test_id("board-total").inner_text() == "3 running requests"
    shot(page, "board")

    first = page.locator("[data-testid=board-row]").first
    assert first.get_by_test_id("board-step").inner_text() == "Store manager"
    newest = clocked.call("GET", "/board", "chen.jing",
                          params={"field": "region:north"})["items"][0]["id"]
    task = next(t for t in clocked.call("GET", "/tasks", "li.na", params={"limit": 100})["items"]
                if t["instance_id"] == newest)
    clocked.call("POST", f"/tasks/{task['id']}/approve", "li.na")  # moves without a reload
    expect(first.get_by_test_id("board-step")).to_have_text("Regional sample manager")
    cards_fit(page, "[data-testid=board]")  # on a phone: a card per request


def test_a_request_turns_at_risk_before_its_deadline(browser: Any, clocked: Clocked) -> None:
    iid = _order(clocked)  # needed by Friday 20 March; five working days of SLAs ahead
    page = _open(browser, clocked, "chen.jing")
    page.goto("/board")
    page.get_by_role("button", name="Recompute forecasts").click()
    page.wait_for_selector("[data-testid=board-predicted]:not(:text-is('—'))")
    assert page.get_by_test_id("badge-at-risk").count() == 0

    clocked.clock.advance(timedelta(days=16))  # Wednesday 18 March, deadline not passed
    page.get_by_role("button", name="Recompute forecasts").click()
    page.wait_for_selector("[data-testid=badge-at-risk]")
    at_risk = page.get_by_label("At risk")
    at_risk.click()  # the filter lives in the URL: the box is checked once the page follows
    expect(at_risk).to_be_checked()
    expect(page.get_by_test_id("board-total")).to_have_text("1 running requests")
    shot(page, "board-at-risk")
    mine = _open(browser, clocked, "bai.lu")  # the requester sees it on her own board
    mine.goto("/board")
    mine.wait_for_selector("[data-testid=badge-at-risk]")
    assert clocked.call("GET", "/notifications/unread-count", "bai.lu")["count"] >= 1
    # an event in the request's log: its timeline says so, with who was told
    mine.goto(f"/requests/{iid}")
    risk = mine.locator(".timeline li.tl-deadline")
    expect(risk).to_contain_text("At risk of missing the deadline")
    expect(risk).to_contain_text("deadline")
    expect(risk).to_contain_text("Told:")
    assert risk.count() == 1


def test_the_dashboard_previews_todays_daily_report(browser: Any, clocked: Clocked) -> None:
    page = _open(browser, clocked, "chen.jing")
    page.goto("/dashboard/store_opening")
    page.get_by_role("button", name="Preview today's").click()
    frame = page.frame_locator("[data-testid=daily-report] iframe")
    expect(frame.locator("body")).to_contain_text("Your approval report for 2026-03-02")
    assert frame.locator("img").count() == 1
