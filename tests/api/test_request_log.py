"""Request ids and logs: the id a response carries is in its problem document, on the
request's log line and on the log lines of the command it ran; nothing secret is logged."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from api.logs import JsonFormatter, TextFormatter, redact
from tests.api.conftest import PASSWORD, Api
from tests.api.test_flows import STORE, start_store, task_of


@pytest.fixture(autouse=True)
def _loggers_enabled() -> None:
    """Another test's logging.config call (import-linter's) may have disabled the
    loggers that existed then; these tests read them."""
    for name in ("signoff.request", "signoff.command"):
        logging.getLogger(name).disabled = False


def _lines(caplog: pytest.LogCaptureFixture, logger: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == logger]


def test_the_request_id_reaches_the_problem_and_the_log(
        api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    iid = start_store(api)["id"]
    task = task_of(api.as_("zhao.lei"), iid)["id"]
    caplog.clear()
    # Someone else tries to decide zhao.lei's task: the command is refused.
    r = api.as_("li.na").post(f"/api/tasks/{task}/approve", json={})
    assert r.status_code == 403
    problem = r.json()
    rid = r.headers["X-Request-ID"]
    assert problem["request_id"] == rid
    [request_line] = [x for x in _lines(caplog, "signoff.request")
                      if getattr(x, "request_id", None) == rid]
    assert request_line.__dict__["route"] == "/api/tasks/{task_id}/approve"
    assert request_line.__dict__["status"] == 403
    assert request_line.__dict__["user"] == "li.na"
    assert request_line.__dict__["method"] == "POST"
    assert request_line.__dict__["duration_ms"] >= 0
    [command_line] = _lines(caplog, "signoff.command")
    assert command_line.__dict__["request_id"] == rid
    assert command_line.__dict__["outcome"] == "refused"
    assert command_line.__dict__["command"] == "DecideTask"


def test_a_client_request_id_is_kept_and_a_bad_one_replaced(api: Api) -> None:
    r = api.client.get("/api/nowhere", headers={"X-Request-ID": "lb-1234.abc"})
    assert r.status_code == 404
    assert r.headers["X-Request-ID"] == "lb-1234.abc" == r.json()["request_id"]
    r = api.client.get("/api/nowhere", headers={"X-Request-ID": "bad id\twith spaces"})
    assert r.headers["X-Request-ID"] != "bad id\twith spaces"
    assert len(r.headers["X-Request-ID"]) == 32


def test_no_password_token_or_form_contents_in_the_logs(
        api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    r = api.client.post("/api/auth/login", json={"username": "li.na", "password": PASSWORD})
    token = r.json()["access_token"]
    api.client.post("/api/auth/login", json={"username": "li.na", "password": "wrong-Pw-123"})
    secret_store = "Secret Flagship Nanjing-7731"
    r = api.client.post("/api/instances", headers={"Authorization": f"Bearer {token}"},
                        json={"definition": "store_opening",
                              "data": {**STORE, "store_name": secret_store}})
    assert r.status_code == 201
    r = api.client.post("/api/instances", headers={"Authorization": f"Bearer {token}"},
                        json={"definition": "store_opening",
                              "data": {**STORE, "monthly_rent": "not-a-number-5521"}})
    assert r.status_code == 422
    assert caplog.records
    for fmt in (JsonFormatter(), TextFormatter()):
        text = "\n".join(fmt.format(rec) for rec in caplog.records)
        for secret in (PASSWORD, "wrong-Pw-123", token, secret_store, "not-a-number-5521"):
            assert secret not in text


def test_json_lines_carry_the_request_fields(api: Api,
                                             caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    api.as_("li.na").get("/api/tasks")
    line = [r for r in _lines(caplog, "signoff.request")
            if r.__dict__.get("route") == "/api/tasks"][-1]
    doc = json.loads(JsonFormatter().format(line))
    assert {"time", "level", "logger", "message", "method", "route", "status",
            "duration_ms", "user", "request_id"} <= doc.keys()
    assert doc["user"] == "li.na" and doc["status"] == 200
    text = TextFormatter().format(line)
    assert "route=/api/tasks" in text and "user=li.na" in text


def test_redact() -> None:
    assert redact("Authorization: Bearer abc.def") == "Authorization: Bearer [redacted]"
    assert "hunter2" not in redact('{"password": "hunter2"}')
    assert "so_123" not in redact("token=so_123&x=1")


def test_an_unexpected_error_is_a_problem_with_its_request_id(
        api: Api, caplog: pytest.LogCaptureFixture) -> None:
    from fastapi.routing import APIRoute

    def boom() -> None:
        raise RuntimeError("a bug")

    app: Any = api.client.app
    app.router.routes.insert(0, APIRoute("/api/test-boom", boom))
    caplog.set_level(logging.INFO)
    r = api.client.get("/api/test-boom")
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/problem+json"
    rid = r.headers["X-Request-ID"]
    assert r.json()["request_id"] == rid
    errors = [JsonFormatter().format(x) for x in caplog.records if x.exc_info]
    assert any("a bug" in e and rid in e for e in errors)  # the traceback, with the id
    [line] = [x for x in _lines(caplog, "signoff.request")
              if x.__dict__["request_id"] == rid and not x.exc_info]
    assert line.levelno == logging.ERROR and line.__dict__["status"] == 500
