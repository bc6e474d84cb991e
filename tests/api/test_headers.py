"""Security headers on every response, HSTS only over HTTPS (directly or from a trusted
proxy), and 405 with ``Allow`` for a known API path asked with a method it lacks."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.conftest import make_settings
from tests.conftest import ROOT


def _client(tmp_path: Path, template: Path, base_url: str = "http://testserver",
            **extra: Any) -> TestClient:
    tmp_path.mkdir(parents=True, exist_ok=True)
    db = tmp_path / "h.db"
    shutil.copyfile(template, db)
    settings = make_settings(f"sqlite:///{db}", tmp_path, ui_dist=ROOT / "ui" / "dist", **extra)
    return TestClient(create_app(settings), base_url=base_url)


@pytest.fixture
def client(tmp_path: Path, sqlite_template: Path) -> Iterator[TestClient]:
    with _client(tmp_path, sqlite_template) as c:
        yield c


def _assert_secure(headers: Any) -> None:
    csp = headers["content-security-policy"]
    assert "script-src 'self' 'unsafe-eval';" in csp and "frame-ancestors 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "server" not in headers


@pytest.mark.parametrize("method,path", [
    ("GET", "/api/health"), ("GET", "/api/me"), ("POST", "/api/auth/login"),
    ("GET", "/api/no-such-thing"), ("GET", "/"), ("GET", "/inbox"), ("GET", "/favicon.svg"),
    ("GET", "/openapi.json"), ("POST", "/inbox")])
def test_every_response_carries_the_security_headers(client: TestClient, method: str,
                                                     path: str) -> None:
    r = client.request(method, path, json={})
    _assert_secure(r.headers)
    assert "strict-transport-security" not in r.headers  # plain HTTP


def test_docs_page_may_load_swagger_ui_but_not_be_framed(client: TestClient) -> None:
    r = client.get("/docs")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "https://cdn.jsdelivr.net" in csp and "frame-ancestors 'none'" in csp


def test_hsts_over_https(tmp_path: Path, sqlite_template: Path) -> None:
    with _client(tmp_path, sqlite_template, base_url="https://testserver") as c:
        r = c.get("/api/health")
    assert r.headers["strict-transport-security"].startswith("max-age=31536000")


def test_forwarded_proto_believed_only_from_a_trusted_proxy(tmp_path: Path,
                                                            sqlite_template: Path) -> None:
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    with _client(tmp_path, sqlite_template) as c:  # the test client is no trusted proxy
        assert "strict-transport-security" not in c.get("/api/health",
                                                         headers=forwarded).headers
    with _client(tmp_path / "p", sqlite_template, trusted_proxies="testclient") as c:
        assert "strict-transport-security" in c.get("/api/health", headers=forwarded).headers


@pytest.mark.parametrize("method,path,allow", [
    ("DELETE", "/api/health", "GET"), ("GET", "/api/auth/login", "POST"),
    ("PUT", "/api/tasks/00000000-0000-0000-0000-000000000000/approve", "POST"),
    ("POST", "/api/me", "GET")])
def test_wrong_method_is_405_with_allow(client: TestClient, method: str, path: str,
                                        allow: str) -> None:
    r = client.request(method, path)
    assert r.status_code == 405, r.text
    assert r.headers["allow"] == allow
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["status"] == 405


def test_unknown_api_path_is_still_404(client: TestClient) -> None:
    assert client.delete("/api/nothing/here").status_code == 404
