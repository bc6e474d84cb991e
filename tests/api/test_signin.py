"""Sign-in throttling and lockout (counted in the database: shared by every process),
the bound on password hashes at once, length limits, the audit trail, and token
revocation by a password change or an admin reset. SQLite and PostgreSQL."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from api.app import create_app
from engine.store.audit import latest
from tests.api.conftest import PASSWORD, Api, make_settings

WRONG = "not the password"


def _login(c: TestClient, username: str, password: str, **kw: Any) -> httpx.Response:
    return c.post("/api/auth/login", json={"username": username, "password": password}, **kw)


@contextmanager
def _app(api: Api, tmp_path: Path, **extra: Any) -> Iterator[TestClient]:
    """Another app on the same database, as another process would be (its own engine,
    pool and caches), on the same clock."""
    settings = make_settings(api.settings.database_url, tmp_path, **extra)
    with TestClient(create_app(settings, clock=api.clock)) as c:
        yield c


def test_five_failures_lock_the_user_out_with_retry_after(api: Api) -> None:
    c = api.client
    for _ in range(4):
        r = _login(c, "li.na", WRONG)
        assert r.status_code == 401 and r.json()["detail"] == "Wrong username or password"
    fifth = _login(c, "li.na", WRONG)
    assert fifth.status_code == 429, fifth.text
    assert fifth.headers["retry-after"] == "300"
    assert fifth.headers["content-type"] == "application/problem+json"
    right = _login(c, "li.na", PASSWORD)  # the right password does not help while locked
    assert right.status_code == 429 and right.json()["status"] == 429
    assert "try again in 300 s" in right.json()["detail"]
    assert _login(c, "zhao.lei", PASSWORD).status_code == 200  # others are not locked
    api.clock.advance(timedelta(minutes=4))
    assert _login(c, "li.na", PASSWORD).headers["retry-after"] == "60"
    api.clock.advance(timedelta(minutes=1))
    assert _login(c, "li.na", PASSWORD).status_code == 200


def test_lockouts_in_a_row_last_longer(api: Api) -> None:
    for _ in range(5):
        _login(api.client, "li.na", WRONG)
    api.clock.advance(timedelta(minutes=5))
    for _ in range(4):
        assert _login(api.client, "li.na", WRONG).status_code == 401
    assert _login(api.client, "li.na", WRONG).headers["retry-after"] == "600"


def test_a_success_clears_the_users_failures(api: Api) -> None:
    for _ in range(4):
        _login(api.client, "li.na", WRONG)
    assert _login(api.client, "li.na", PASSWORD).status_code == 200
    for _ in range(4):
        assert _login(api.client, "li.na", WRONG).status_code == 401
    api.clock.advance(timedelta(minutes=16))  # the window passed: counting starts again
    for _ in range(4):
        assert _login(api.client, "li.na", WRONG).status_code == 401


def test_failures_count_across_processes(api: Api, tmp_path: Path) -> None:
    with _app(api, tmp_path / "a") as a, _app(api, tmp_path / "b") as b:
        for c in (a, b, a, b):
            assert _login(c, "li.na", WRONG).status_code == 401
        assert _login(b, "li.na", WRONG).status_code == 429  # the fifth, anywhere
        assert _login(a, "li.na", PASSWORD).status_code == 429


def test_one_address_trying_many_users_is_locked_out(api: Api, tmp_path: Path) -> None:
    users = ["li.na", "zhao.lei", "xu.ming", "chen.jing", "admin"]
    with _app(api, tmp_path, trusted_proxies="testclient") as c:
        attacker = {"X-Forwarded-For": "198.51.100.7"}
        for i in range(19):
            assert _login(c, users[i % 5], WRONG, headers=attacker).status_code == 401
        assert _login(c, "tang.lan", WRONG, headers=attacker).status_code == 429
        assert _login(c, "tang.lan", PASSWORD, headers=attacker).status_code == 429
        # Another address (through the same trusted proxy) may still sign in.
        other = {"X-Forwarded-For": "203.0.113.5"}
        assert _login(c, "tang.lan", PASSWORD, headers=other).status_code == 200
    with api.db.session(write=False) as s:
        locked = latest(s, "sign_in.locked")
    assert {r.subject for r in locked} == {"client:198.51.100.7"}


def test_every_failure_is_audited(api: Api) -> None:
    _login(api.client, "li.na", WRONG)
    _login(api.client, "nobody.here", WRONG)
    with api.db.session(write=False) as s:
        failed = latest(s, "sign_in.failed")
    assert [(r.subject, r.actor, r.detail["reason"]) for r in failed] == [
        ("nobody.here", None, "unknown_user"), ("li.na", None, "wrong_password")]
    assert all(r.detail["client"] == "testclient" and r.at == api.clock() for r in failed)


def test_length_limits_and_control_characters(api: Api) -> None:
    c = api.client
    assert _login(c, "x" * 101, WRONG).status_code == 422
    assert _login(c, "li.na", "p" * 201).status_code == 422
    r = _login(c, "li\x00na", WRONG)
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "/username"
    assert api.as_("li.na").post("/api/me/password", json={
        "current_password": PASSWORD, "new_password": "n" * 201}).status_code == 422


def test_password_hashes_at_once_are_bounded(api: Api, tmp_path: Path) -> None:
    with _app(api, tmp_path / "none", login_hash_concurrency=0) as c:
        busy = _login(c, "li.na", PASSWORD)
        assert busy.status_code == 503 and busy.headers["retry-after"] == "1"
    with _app(api, tmp_path / "two", login_hash_concurrency=2, login_hash_wait_seconds=60,
              login_client_limit=100) as c:
        names = [f"nobody{i}" for i in range(12)]
        with concurrent.futures.ThreadPoolExecutor(12) as pool:
            codes = list(pool.map(lambda n: _login(c, n, WRONG).status_code, names))
        slots = c.app.state.hash_slots  # type: ignore[attr-defined]
    assert codes == [401] * 12
    assert 1 <= slots.peak <= 2 and slots.in_use == 0


def test_a_password_change_revokes_earlier_tokens(api: Api, tmp_path: Path) -> None:
    c = api.client
    old = _login(c, "li.na", PASSWORD).json()["access_token"]
    made = api.as_("li.na").post("/api/tokens", json={"name": "erp"}).json()["token"]
    with _app(api, tmp_path) as other:  # another process has the user cached
        assert other.get("/api/me", headers={"Authorization": f"Bearer {old}"}
                         ).status_code == 200
        r = c.post("/api/me/password", headers={"Authorization": f"Bearer {old}"},
                   json={"current_password": PASSWORD, "new_password": "a-new-password"})
        assert r.status_code == 204
        for client in (c, other):
            for token in (old, made):
                r = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
                assert r.status_code == 401, (token, r.text)
        assert "password has changed" in other.get(
            "/api/me", headers={"Authorization": f"Bearer {old}"}).json()["detail"]
    new = _login(c, "li.na", "a-new-password").json()["access_token"]
    assert c.get("/api/me", headers={"Authorization": f"Bearer {new}"}).status_code == 200
    with api.db.session(write=False) as s:
        [changed] = latest(s, "password.changed")
    assert (changed.actor, changed.subject, changed.detail) == (
        "li.na", "li.na", {"api_tokens_revoked": 1})


def test_an_admin_reset_revokes_earlier_tokens(api: Api) -> None:
    c = api.client
    old = _login(c, "li.na", PASSWORD).json()["access_token"]
    bearer = {"Authorization": f"Bearer {old}"}
    assert c.get("/api/me", headers=bearer).status_code == 200
    assert api.as_("admin").post("/api/users/li.na/password",
                                 json={"password": "reset-by-admin"}).status_code == 204
    assert c.get("/api/me", headers=bearer).status_code == 401
    assert _login(c, "li.na", "reset-by-admin").status_code == 200
    assert api.as_("zhao.lei").get("/api/me").status_code == 200  # others keep theirs
    with api.db.session(write=False) as s:
        [reset] = latest(s, "password.reset")
    assert (reset.actor, reset.subject) == ("admin", "li.na")


def test_quiet_counters_are_forgotten(api: Api) -> None:
    from sqlmodel import select

    from engine.store import SignInThrottle

    _login(api.client, "nobody.one", WRONG)
    api.clock.advance(timedelta(days=2))
    _login(api.client, "nobody.two", WRONG)
    with api.db.session(write=False) as s:
        keys = {r.key for r in s.exec(select(SignInThrottle)).all()}
    assert keys == {"user:nobody.two", "client:testclient"}
