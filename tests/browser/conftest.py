"""Browser tests: the built UI served by the real ``signoff serve --demo``, driven by
Playwright through Debian's chromium (never a browser downloaded by a test tool).

The server runs once per test session (per xdist worker) as a subprocess in a temporary
folder, on a free port, with the repository's definitions. Every test that visits a page
saves it at desktop and phone widths into ``docs/screenshots/``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ROOT

SHOTS = ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
MAX_SHOT_HEIGHT = {"desktop": 1600, "phone": 2400}  # long pages are cut there
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
START_TIMEOUT_S = float(os.environ.get("SIGNOFF_BROWSER_START_TIMEOUT", "240"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _signoff_bin() -> Path:
    return Path(sys.executable).parent / "signoff"


@dataclass
class Server:
    url: str
    log: Path
    db_url: str
    env: dict[str, str]
    _passwords: dict[str, str] = field(default_factory=dict)

    def api(self, method: str, path: str, token: str | None = None, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        r = httpx.request(method, f"{self.url}/api{path}", headers=headers, timeout=30, **kw)
        r.raise_for_status()
        return r.json()

    def token(self, username: str) -> str:
        out = self.api("POST", "/auth/login",
                       json={"username": username, "password": self.password(username)})
        return str(out["access_token"])

    def password(self, username: str) -> str:
        """The demo password of a listed demo user; for anyone else in the org directory,
        one set with `signoff password` as an operator would."""
        if username not in self._passwords:
            for u in self.api("GET", "/auth/demo-users"):
                self._passwords[str(u["username"])] = str(u["password"])
        if username not in self._passwords:
            pw = "browser-test-password"
            subprocess.run([str(_signoff_bin()), "password", username, "--db", self.db_url,
                            "--password", pw], env=self.env, check=True, capture_output=True)
            self._passwords[username] = pw
        return self._passwords[username]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not (ROOT / "ui" / "dist" / "index.html").exists():
        pytest.fail("ui/dist is not built: run bin/setup (npm ci && npm run build in ui/)")
    if not (ROOT / "api" / "cli" / "serve.py").exists():
        pytest.skip("`signoff serve` has not landed yet")
    with serving(tmp_path_factory.mktemp("serve")) as server:
        yield server


@contextmanager
def serving(work: Path, **settings: str) -> Iterator[Server]:
    """``signoff serve --demo`` on SQLite in ``work``, on a free port, until the block ends;
    ``settings``: more environment (``SIGNOFF_...``) for the server."""
    port = _free_port()
    db_url = f"sqlite:///{work / 'signoff.db'}"
    env = {**os.environ,
           "SIGNOFF_DEFINITIONS_DIR": str(ROOT / "definitions"),
           "SIGNOFF_UI_DIST": str(ROOT / "ui" / "dist"),
           "SIGNOFF_DATABASE_URL": db_url, **settings}
    log = work / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([str(_signoff_bin()), "serve", "--demo", "--port", str(port),
                                 "--definitions", str(ROOT / "definitions")],
                                cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(proc, url, log)
        yield Server(url, log, db_url, env)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_healthy(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"signoff serve exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    tail = log.read_text()[-3000:]
    pytest.fail(f"signoff serve not healthy after {START_TIMEOUT_S:.0f}s:\n{tail}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    exe = os.environ.get("SIGNOFF_CHROMIUM", "/usr/bin/chromium")
    if not shutil.which(exe) and not Path(exe).exists():
        pytest.fail(f"chromium not found at {exe} (bin/test installs Debian's chromium)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP, base_url=server.url, locale="en-US")
    context.set_default_timeout(20_000)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


def shot(page: Any, name: str) -> None:
    """Save the page as docs/screenshots/<name>-desktop.png and -phone.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("networkidle")
    page.evaluate("window.scrollTo(0, 0)")  # the sticky top bar stays at the top
    for suffix, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.wait_for_timeout(150)  # let responsive layout and charts settle
        path = SHOTS / f"{name}-{suffix}.png"
        height = min(int(page.evaluate("document.documentElement.scrollHeight")),
                     MAX_SHOT_HEIGHT[suffix])
        page.screenshot(path=str(path), full_page=True,
                        clip={"x": 0, "y": 0, "width": size["width"], "height": height})
        _shrink(path)
    page.set_viewport_size(DESKTOP)


def _shrink(path: Path) -> None:
    """Fewer colours make a much smaller PNG; skipped where Pillow is not installed."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as img:
        small = img.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def sign_in(page: Any, server: Server, username: str) -> None:
    """Sign in on the sign-in page: click the demo user, or type the name and password."""
    page.goto("/login")
    page.evaluate("() => localStorage.removeItem('signoff.token')")
    page.goto("/login")
    page.wait_for_selector("button.demo-user")
    button = page.locator(f"button.demo-user[data-username='{username}']")
    if button.count():
        button.click()
    else:
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", server.password(username))
        page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=me]")
