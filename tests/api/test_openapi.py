"""The OpenAPI document: every problem a route can answer is declared, and the UI's
committed copy (``ui/openapi.json``) and generated types (``ui/src/api/schema.d.ts``)
are exactly what ``bin/gen-api-types`` makes of the current code."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from api.openapi import ProblemOut, document
from tests.api.conftest import Api
from tests.conftest import ROOT

UI = ROOT / "ui"
REGENERATE = "run bin/gen-api-types and commit ui/openapi.json and ui/src/api/schema.d.ts"
PROBLEM = "application/problem+json"
UNSIGNED = {("/api/health", "get"), ("/api/auth/login", "post"),
            ("/api/auth/demo-users", "get"), ("/api/health/live", "get"),
            ("/api/health/ready", "get")}


@pytest.fixture(scope="module")
def current() -> str:
    return document()


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in doc["paths"].items()
            for method, op in item.items()]


def test_committed_openapi_is_the_servers(current: str) -> None:
    committed = (UI / "openapi.json").read_text(encoding="utf-8")
    assert committed == current, f"ui/openapi.json is out of date: {REGENERATE}"


def test_generated_types_are_committed(current: str, tmp_path: Path) -> None:
    cli = UI / "node_modules" / "openapi-typescript" / "bin" / "cli.js"
    node = shutil.which("node")
    if node is None or not cli.is_file():
        if os.environ.get("CI"):
            pytest.fail("node and ui/node_modules are needed (bin/setup installs them)")
        pytest.skip("node or ui/node_modules missing: run bin/setup")
    (tmp_path / "openapi.json").write_text(current, encoding="utf-8")
    subprocess.run([node, str(cli), "openapi.json", "--output", "schema.d.ts"],
                   cwd=tmp_path, check=True, capture_output=True)
    committed = (UI / "src" / "api" / "schema.d.ts").read_text(encoding="utf-8")
    assert committed == (tmp_path / "schema.d.ts").read_text(encoding="utf-8"), (
        f"ui/src/api/schema.d.ts is out of date: {REGENERATE}")


def test_every_error_is_a_declared_problem(current: str) -> None:
    doc = json.loads(current)
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    ref = {"$ref": "#/components/schemas/ProblemOut"}
    for path, method, op in _operations(doc):
        errors = {code: r for code, r in op["responses"].items() if code.startswith("4")}
        for code, response in errors.items():
            assert response["content"] == {PROBLEM: {"schema": ref}}, (path, method, code)
        if (path, method) not in UNSIGNED:
            assert {"401", "413", "422", "429"} <= set(errors), (path, method)
        if path.startswith(("/api/tasks/{", "/api/instances/{")):
            assert {"403", "404", "409"} <= set(errors), (path, method)


def test_every_success_has_a_declared_shape(current: str) -> None:
    for path, method, op in _operations(json.loads(current)):
        ok = {code: r for code, r in op["responses"].items() if code.startswith("2")}
        assert ok, (path, method)
        for code, response in ok.items():
            if code != "204":  # JSON, or a file (xlsx, HTML) declared as a binary string
                content = response["content"]
                if "text/event-stream" in content:  # the live stream: documented in api.md
                    continue
                assert any(c.get("schema") for c in content.values()), (path, method)


def test_problems_sent_match_the_declared_model(api: Api) -> None:
    pm = api.as_("chen.jing")
    sent = [api.client.get("/api/tasks"),                                   # 401
            pm.get("/api/tasks", params={"limit": 0}),                      # 422 parameter
            pm.post("/api/instances", json={"definition": 1}),              # 422 body
            pm.get("/api/instances/00000000-0000-0000-0000-000000000000"),  # 404
            pm.get("/api/analytics/store_opening/report")]                  # 404 (no data)
    assert [r.status_code for r in sent] == [401, 422, 422, 404, 404]
    for r in sent:
        assert r.headers["content-type"] == PROBLEM
        ProblemOut.model_validate(r.json())
