"""An app on a fresh database (SQLite and PostgreSQL via ``db_url``) with the example org
and definitions, every user's password set, and a manual clock.

``api.as_("li.na")`` signs in through ``POST /api/auth/login`` (once per user) and
returns a client wrapper that sends that user's bearer token.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from rich.console import Console
from sqlalchemy import func
from sqlmodel import select

from api.app import create_app
from api.clock import ManualClock
from api.prepare import prepare
from api.settings import Settings
from api.tokens import hash_password
from engine.store import AppUser, Database, EventRecord, open_database
from tests.conftest import ROOT

PASSWORD = "correct horse battery staple"
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(PASSWORD)


class As:
    """A client acting as one user."""

    def __init__(self, client: TestClient, token: str) -> None:
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}

    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        headers = {**self.headers, **kw.pop("headers", {})}
        return self.client.request(method, url, headers=headers, **kw)

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("POST", url, **kw)

    def delete(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("DELETE", url, **kw)


@dataclass
class Api:
    client: TestClient
    clock: ManualClock
    db: Database
    settings: Settings
    _tokens: dict[str, str] = field(default_factory=dict)

    def as_(self, username: str) -> As:
        if username not in self._tokens:
            r = self.client.post("/api/auth/login",
                                 json={"username": username, "password": PASSWORD})
            assert r.status_code == 200, r.text
            self._tokens[username] = r.json()["access_token"]
        return As(self.client, self._tokens[username])

    def event_count(self) -> int:
        with self.db.session(write=False) as s:
            return int(s.exec(select(func.count()).select_from(EventRecord)).one())


def make_settings(db_url: str, tmp_path: Path, **extra: Any) -> Settings:
    """Test settings; sign-ins last a year of simulated time unless told otherwise."""
    values: dict[str, Any] = {
        "database_url": db_url, "definitions_dir": ROOT / "definitions",
        "ui_dist": tmp_path / "no-ui", "jwt_secret": "test-secret-" + "x" * 32,
        "state_dir": tmp_path / "state", "token_lifetime_minutes": 60 * 24 * 365,
        "worker": False, **extra}  # tests run the worker explicitly, on their clock
    return Settings(_env_file=None, **values)


def _prepared(db_url: str, tmp_path: Path, password_hash: str) -> None:
    """Migrate, load the org and definitions, and give every user ``PASSWORD``."""
    prepare(make_settings(db_url, tmp_path), console=Console(quiet=True), now=START)
    db = open_database(db_url)
    with db.session() as s:
        for row in s.exec(select(AppUser)).all():
            row.password_hash = password_hash
            s.add(row)
        s.commit()
    db.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory, password_hash: str) -> Path:
    """A prepared SQLite file, copied for each test (preparing costs a few seconds)."""
    folder = tmp_path_factory.mktemp("template")
    _prepared(f"sqlite:///{folder / 'template.db'}", folder, password_hash)
    return folder / "template.db"


@contextmanager
def opened_api(db_url: str, tmp_path: Path, password_hash: str,
               request: pytest.FixtureRequest, **extra: Any) -> Iterator[Api]:
    """The ``api`` fixture's app, with ``extra`` settings (``services=...``)."""
    if db_url.startswith("sqlite:///"):
        template: Path = request.getfixturevalue("sqlite_template")
        shutil.copyfile(template, db_url.removeprefix("sqlite:///"))
    else:
        _prepared(db_url, tmp_path, password_hash)
    settings = make_settings(db_url, tmp_path, **extra)
    db = open_database(db_url)
    clock = ManualClock(START)
    with TestClient(create_app(settings, clock=clock)) as client:
        yield Api(client, clock, db, settings)
    db.dispose()


@pytest.fixture
def api(db_url: str, tmp_path: Path, password_hash: str,
        request: pytest.FixtureRequest) -> Iterator[Api]:
    with opened_api(db_url, tmp_path, password_hash, request) as opened:
        yield opened
