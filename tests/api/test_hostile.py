"""The hostile-input corpus against every operation that takes input (from the app's own
OpenAPI): each request is answered with a 4xx problem within a second and 50 MB of
memory allocated by the server, and the database is exactly as it was before.

Time and memory are asserted here because bounded cost *is* the property under test
(a one-second bound far above the milliseconds these refusals take), not a benchmark.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.routing import APIRoute
from sqlalchemy import func, select, text
from sqlmodel import SQLModel

from tests.api.conftest import Api, As
from tests.api.test_flows import STORE, start_store, task_of
from tests.hostile import (
    BAD_STRINGS,
    EXPRESSION_BOMBS,
    YAML_TEXTS,
    bounded,
    nested,
)

JSON = {"content-type": "application/json"}
YAML = {"content-type": "text/yaml"}


@dataclass
class Case:
    name: str
    method: str
    url: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


def _snapshot(api: Api) -> dict[str, Any]:
    """Row counts of every table, and what sign-in depends on."""
    out: dict[str, Any] = {}
    with api.db.engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            out[table.name] = conn.execute(select(func.count()).select_from(table)).scalar()
        out["passwords"] = sorted(conn.execute(text(
            "select username, password_hash from app_user")).all())
    return out


def _operations(api: Api) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in api.client.app.openapi()["paths"].items():  # type: ignore[attr-defined]
        if not path.startswith("/api/"):
            continue
        for method, op in item.items():
            yield method.upper(), path, op


def _fill(path: str, ids: dict[str, str], bad: str | None = None) -> str:
    for name, value in ids.items():
        path = path.replace("{" + name + "}", bad if bad is not None else value)
    return path


def _body_props(api: Api, op: dict[str, Any]) -> list[str] | None:
    content = (op.get("requestBody") or {}).get("content") or {}
    schema = (content.get("application/json") or {}).get("schema")
    if schema is None:
        return None
    components = api.client.app.openapi()["components"]["schemas"]  # type: ignore[attr-defined]
    for choice in schema.get("anyOf", [schema]):
        if "$ref" in choice:
            return list(components[choice["$ref"].rsplit("/", 1)[1]].get("properties", {}))
        if "properties" in choice:
            return list(choice["properties"])
    return []


def _cases(api: Api, ids: dict[str, str]) -> Iterator[Case]:
    raw_bad = {"nul": "a%00b", "bad_utf8": "%ED%A0%80", "long": "x" * 30_000,
               "int_overflow": "9" * 30}
    for method, path, op in _operations(api):
        url = _fill(path, ids)
        params = [p for p in op.get("parameters", []) if p["in"] in ("query", "path")]
        for p in params:
            for kind, value in raw_bad.items():
                if kind == "int_overflow" and "integer" not in json.dumps(p["schema"]):
                    continue  # a long run of digits is a fine string
                if p["in"] == "path":
                    target = _fill(path.replace("{" + p["name"] + "}", value), ids)
                else:
                    target = f"{url}?{p['name']}={value}"
                yield Case(f"{method} {path} {p['in']}:{p['name']}={kind}", method, target,
                           b"{}" if method == "POST" else None, JSON)
        if method not in ("POST", "PUT", "PATCH"):
            continue
        yield Case(f"{method} {path} oversized body", method, url, b"[" * 3_000_000, JSON)
        yield Case(f"{method} {path} deep JSON", method, url,
                   b"[" * 100_000 + b"]" * 100_000, JSON)
        yield Case(f"{method} {path} raw NUL", method, url, b'{"a": "\x00"}', JSON)
        yield Case(f"{method} {path} infinity", method, url, b'{"a": 1e999}', JSON)
        props = _body_props(api, op) or ["yaml"]
        for kind, value in BAD_STRINGS.items():
            body = json.dumps({p: value for p in props}).encode()
            yield Case(f"{method} {path} {kind} in every field", method, url, body, JSON)
            if kind != "long":  # a long key is merely unknown, not hostile
                yield Case(f"{method} {path} {kind} as a key", method, url,
                           json.dumps({value[:100]: 1}).encode(), JSON)
        deep = json.dumps({p: nested(500) for p in props}).encode()
        yield Case(f"{method} {path} 500 deep in every field", method, url, deep, JSON)


def _special(ids: dict[str, str]) -> Iterator[Case]:
    """Inputs that pass the guard and reach the engine: its own limits answer them."""
    for name, text_ in YAML_TEXTS.items():
        for url in ("/api/definitions/validate", "/api/definitions"):
            yield Case(f"POST {url} yaml {name}", "POST", url, text_.encode(), YAML)
            yield Case(f"POST {url} json yaml {name}", "POST", url,
                       json.dumps({"yaml": text_}).encode(), JSON)
    for expr in EXPRESSION_BOMBS:
        body = json.dumps({"skip": [{"node": "regional_review", "if": expr}]}).encode()
        yield Case(f"what-if {expr[:40]}", "POST", "/api/analytics/store_opening/what-if",
                   body, JSON)
    start = {"definition": "store_opening"}
    for name, data in {
        "data 500 deep": {**STORE, "notes": nested(500)},
        "data 40 deep in a declared field": {**STORE, "city": nested(40)},
        "undeclared field": {**STORE, "zz": "x" * 15_000},
        "string over the form limit": {**STORE, "store_name": "x" * 25_000},
        "form over its total size": {**STORE, **{f"f{i}": "x" * 19_000 for i in range(20)}},
        "NUL in a field": {**STORE, "city": "Shang\x00hai"},
        "surrogate in a field name": {**STORE, "c\udc80": 1},
    }.items():
        yield Case(f"start with {name}", "POST", "/api/instances",
                   json.dumps({**start, "data": data}).encode(), JSON)
        yield Case(f"resubmit with {name}", "POST",
                   f"/api/instances/{ids['instance_id']}/resubmit",
                   json.dumps({"data": data}).encode(), JSON)
    yield Case("login declaring 100 MB", "POST", "/api/auth/login", b"{}",
               {**JSON, "content-length": "100000000"})
    yield Case("version beyond int", "GET", "/api/definitions/store_opening?version=" + "9" * 25)
    yield Case("offset beyond int", "GET", "/api/instances?offset=" + "9" * 25)
    yield Case("NUL in the key", "GET", "/api/definitions/" + quote("a\x00b"))


def _send(user: As, case: Case) -> httpx.Response:
    return user.request(case.method, case.url, content=case.body, headers=case.headers)


def test_hostile_corpus_is_refused_quickly_and_changes_nothing(
        api: Api, caplog: pytest.LogCaptureFixture) -> None:
    instance = start_store(api)
    task = task_of(api.as_("zhao.lei"), instance["id"])
    ids = {"instance_id": instance["id"], "task_id": task["id"], "key": "store_opening",
           "username": "li.na", "token_id": "1"}
    admin = api.as_("admin")
    before = _snapshot(api)
    cases = [*_cases(api, ids), *_special(ids)]
    answered: dict[int, int] = {}
    worst = {"cpu": 0.0, "wall": 0.0, "rss": 0}
    for case in cases:
        r, m = bounded(case.name, lambda case=case: _send(admin, case))
        worst = {"cpu": max(worst["cpu"], m.cpu_seconds),
                 "wall": max(worst["wall"], m.wall_seconds),
                 "rss": max(worst["rss"], m.peak_rss_growth)}
        answered[r.status_code] = answered.get(r.status_code, 0) + 1
        if case.url == "/api/definitions/validate" and r.status_code == 200:
            assert r.json()["valid"] is False, case.name  # a check answers "invalid"
            continue
        assert 400 <= r.status_code < 500, (case.name, r.status_code, r.text[:500])
        assert r.headers["content-type"] == "application/problem+json", case.name
        assert r.json()["request_id"] == r.headers["x-request-id"], case.name
    assert _snapshot(api) == before
    late = [r.getMessage() for r in caplog.records if "refused late" in r.getMessage()]
    assert not late, late  # each refused by what checks input, none by the database
    print(f"hostile corpus: {len(cases)} requests, answered {sorted(answered.items())}; "
          f"worst CPU {worst['cpu']:.3f} s, wall {worst['wall']:.3f} s, "
          f"peak RSS +{worst['rss'] / 1e6:.1f} MB")


def test_request_ids_are_echoed_and_shown_in_problems(api: Api) -> None:
    r = api.client.get("/api/instances", headers={"X-Request-ID": "abc-123"})
    assert r.status_code == 401
    assert r.headers["x-request-id"] == "abc-123" and r.json()["request_id"] == "abc-123"
    r = api.client.get("/api/health", headers={"X-Request-ID": "no spaces\tallowed"})
    assert r.status_code == 200 and len(r.headers["x-request-id"]) == 32


def test_a_nul_names_the_field_it_is_in(api: Api) -> None:
    r = api.client.post("/api/auth/login", json={"username": "li\x00na", "password": "x"})
    assert r.status_code == 422
    assert r.json()["errors"] == [{"pointer": "/username",
                                   "message": "contains a NUL character (\\u0000)"}]
    r = api.as_("li.na").get("/api/tasks?definition=%ED%A0%80")
    assert r.status_code == 422 and r.json()["errors"][0]["in"] == "query"


def test_bodies_over_the_limit_are_not_read(api: Api) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"x" * 100_000

    r = api.client.post("/api/auth/login", content=chunks(), headers=JSON)
    assert r.status_code == 413 and "1000000 bytes" in r.json()["detail"]


def test_an_unexpected_error_is_a_500_with_a_request_id(
        api: Api, caplog: pytest.LogCaptureFixture) -> None:
    def boom() -> None:
        raise LookupError("a real bug")

    api.client.app.router.routes.insert(0, APIRoute("/api/test-boom", boom))  # type: ignore[attr-defined]
    r = api.client.get("/api/test-boom")
    assert r.status_code == 500 and r.json()["title"] == "Internal error"
    rid = r.json()["request_id"]
    assert rid == r.headers["x-request-id"]
    assert any(rid in rec.getMessage() for rec in caplog.records)
