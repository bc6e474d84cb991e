"""Definitions over HTTP (list, detail, validate, publish) and credentials (login, API
tokens, expiry), problem documents for unknown paths, and serving the UI."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from api.clock import ManualClock
from tests.api.conftest import PASSWORD, START, Api, make_settings
from tests.api.test_flows import start_store

BROKEN = """key: broken
title: Broken
form: {type: object, properties: {amount: {type: number}}}
start: first
nodes:
  first:
    approvers: {role: no_such_role}
    on: {approve: nowhere}
  done: {final: approved}
"""


def test_definitions_list_and_detail(api: Api) -> None:
    user = api.as_("li.na")
    listed = {d["key"]: d for d in user.get("/api/definitions").json()}
    assert {"store_opening", "sample_order", "expense_claim"} <= set(listed)
    assert listed["store_opening"]["versions"] == [1]
    detail = user.get("/api/definitions/store_opening").json()
    assert detail["start"] == "regional_review"
    assert "monthly_rent" in detail["form_schema"]["properties"]
    assert detail["mermaid"].startswith("flowchart")
    nodes = {n["id"]: n for n in detail["nodes"]}
    assert nodes["site_review"]["mode"] == "all"
    assert nodes["regional_review"]["sla_seconds"] == 2 * 86400
    assert {"action": "approve", "to": "cfo_review", "if": "monthly_rent > 80000",
            "if_text": "Monthly rent > 80000"} in nodes["finance_review"]["next"]
    assert nodes["cc_opening_team"]["kind"] == "notify"
    assert "key: store_opening" in detail["yaml"]
    assert user.get("/api/definitions/nope").status_code == 404


def test_validate_reports_line_and_column(api: Api) -> None:
    user = api.as_("li.na")
    r = user.post("/api/definitions/validate", content=BROKEN,
                  headers={"Content-Type": "text/yaml"})
    assert r.status_code == 200 and r.json()["valid"] is False
    errors = r.json()["errors"]
    assert all(e["line"] >= 1 and e["column"] >= 1 for e in errors)
    messages = " ".join(e["message"] for e in errors)
    assert "no_such_role" in messages and "nowhere" in messages
    as_json = user.post("/api/definitions/validate", json={"yaml": BROKEN}).json()
    assert as_json == r.json()
    source = user.get("/api/definitions/store_opening").json()["yaml"]
    ok = user.post("/api/definitions/validate", json={"yaml": source})
    assert ok.json()["valid"] is True and ok.json()["errors"] == []
    assert ok.json()["warnings"] == []


def test_validate_and_publish_return_warnings_with_their_severity(api: Api) -> None:
    source = api.as_("chen.jing").get("/api/definitions/sample_order").json()["yaml"]
    lines = source.splitlines()
    at = lines.index("  sample_manager:") + 1
    cannot_reject = source.replace("on: {approve: logistics, reject: rejected, return: "
                                   "initiator}", "on: {approve: logistics, return: initiator}")
    assert cannot_reject != source
    r = api.as_("li.na").post("/api/definitions/validate", json={"yaml": cannot_reject})
    body = r.json()
    assert body["valid"] is True and body["errors"] == []
    assert body["warnings"] == [{
        "line": at, "column": 3, "severity": "warning",
        "message": "approval node 'sample_manager' has no 'reject:' route: its approvers "
                   "cannot reject"}]
    published = api.as_("chen.jing").post("/api/definitions", json={"yaml": cannot_reject})
    assert published.status_code == 201, published.text
    assert [w["severity"] for w in published.json()["warnings"]] == ["warning"]
    bad = api.as_("chen.jing").post("/api/definitions", content=BROKEN,
                                    headers={"Content-Type": "text/yaml"})
    assert {e["severity"] for e in bad.json()["errors"]} == {"error"}


def test_publish_makes_a_new_version_for_process_owners(api: Api) -> None:
    source = api.as_("chen.jing").get("/api/definitions/store_opening").json()["yaml"]
    changed = source.replace("title: New store opening", "title: New store opening (2026)")
    assert api.as_("li.na").post("/api/definitions", json={"yaml": changed}).status_code == 403
    r = api.as_("chen.jing").post("/api/definitions", json={"yaml": changed})
    assert r.status_code == 201, r.text
    assert r.json()["version"] == 2 and r.json()["versions"] == [1, 2]
    old = api.as_("li.na").get("/api/definitions/store_opening", params={"version": 1})
    assert old.json()["title"] == "New store opening"
    bad = api.as_("chen.jing").post("/api/definitions", content=BROKEN,
                                    headers={"Content-Type": "text/yaml"})
    assert bad.status_code == 422 and bad.json()["title"] == "DefinitionInvalid"
    assert all("line" in e and "column" in e for e in bad.json()["errors"])
    assert "broken" not in {d["key"] for d in api.as_("li.na").get("/api/definitions").json()}


def test_login_tokens_and_expiry(api: Api) -> None:
    c = api.client
    wrong = c.post("/api/auth/login", json={"username": "li.na", "password": "nope"})
    assert wrong.status_code == 401 and wrong.json()["status"] == 401
    assert c.post("/api/auth/login", json={"username": "ghost", "password": "x"}
                  ).status_code == 401
    assert c.get("/api/me").status_code == 401
    assert c.get("/api/me", headers={"Authorization": "Bearer junk"}).status_code == 401
    login = c.post("/api/auth/login", json={"username": "li.na", "password": PASSWORD}).json()
    assert login["user"]["roles"] == ["store_manager"] and login["token_type"] == "bearer"
    me = c.get("/api/me", headers={"Authorization": f"Bearer {login['access_token']}"})
    assert me.json()["username"] == "li.na" and me.json()["manager"] == "zhao.lei"

    made = api.as_("li.na").post("/api/tokens", json={"name": "erp", "expires_days": 30})
    assert made.status_code == 201
    token = made.json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert c.get("/api/me", headers=bearer).json()["username"] == "li.na"
    assert [t["name"] for t in api.as_("li.na").get("/api/tokens").json()] == ["erp"]
    api.clock.advance(timedelta(days=31))
    assert c.get("/api/me", headers=bearer).status_code == 401  # expired on the app clock
    api.clock.advance(timedelta(days=-31))
    assert api.as_("li.na").delete(f"/api/tokens/{made.json()['id']}").status_code == 204
    assert c.get("/api/me", headers=bearer).status_code == 401  # revoked


def test_passwords_change_and_admin_reset(api: Api) -> None:
    c = api.client
    me = api.as_("li.na")
    wrong = me.post("/api/me/password", json={"current_password": "x",
                                              "new_password": "another-pass"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["pointer"] == "/current_password"
    short = me.post("/api/me/password", json={"current_password": PASSWORD, "new_password": "x"})
    assert short.status_code == 422
    assert me.post("/api/me/password", json={"current_password": PASSWORD,
                                             "new_password": "another-pass"}).status_code == 204
    login = {"username": "li.na", "password": "another-pass"}
    assert c.post("/api/auth/login", json=login).status_code == 200
    assert api.as_("zhao.lei").post("/api/users/li.na/password",
                                    json={"password": "reset-by-admin"}).status_code == 403
    assert api.as_("admin").post("/api/users/li.na/password",
                                 json={"password": "reset-by-admin"}).status_code == 204
    assert c.post("/api/auth/login", json=login).status_code == 401
    assert c.post("/api/auth/login", json={**login, "password": "reset-by-admin"}
                  ).status_code == 200
    assert api.as_("admin").post("/api/users/ghost/password",
                                 json={"password": "whatever-1"}).status_code == 404


def test_access_tokens_expire(tmp_path: Path, api: Api) -> None:
    settings = make_settings(api.settings.database_url, tmp_path, token_lifetime_minutes=60)
    clock = ManualClock(START)
    with TestClient(create_app(settings, clock=clock)) as c:
        token = c.post("/api/auth/login",
                       json={"username": "li.na", "password": PASSWORD}).json()["access_token"]
        bearer = {"Authorization": f"Bearer {token}"}
        assert c.get("/api/me", headers=bearer).status_code == 200
        clock.advance(timedelta(minutes=61))
        r = c.get("/api/me", headers=bearer)
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"


def test_unknown_api_paths_are_problems_and_ui_falls_back(api: Api, tmp_path: Path) -> None:
    r = api.client.get("/api/definitely/not/here")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert api.client.get("/inbox").status_code == 503  # no UI build in this test
    assert "not built" in api.client.get("/").text
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<html>signoff ui</html>")
    (dist / "assets" / "app.js").write_text("console.log(1)")
    settings = make_settings(api.settings.database_url, tmp_path, ui_dist=dist)
    with TestClient(create_app(settings)) as c:
        assert c.get("/").text == "<html>signoff ui</html>"
        assert c.get("/tasks/123").text == "<html>signoff ui</html>"  # SPA route
        assert c.get("/assets/app.js").text == "console.log(1)"
        assert c.get("/api/nope").status_code == 404
        assert c.get("/openapi.json").json()["info"]["title"] == "Signoff"


def test_chinese_titles_with_accept_language(api: Api) -> None:
    zh = {"Accept-Language": "zh-CN,zh;q=0.9"}
    user = api.as_("xu.ming")
    detail = user.get("/api/definitions/store_opening", headers=zh).json()
    assert detail["title"] == "新店开业审批" and detail["title_zh"] == "新店开业审批"
    assert {n["id"]: n["title"] for n in detail["nodes"]}["regional_review"] == "区域总监审批"
    english = user.get("/api/definitions/store_opening").json()
    assert english["title"] == "New store opening" and english["title_zh"] == "新店开业审批"
    iid = start_store(api)["id"]
    inbox = api.as_("zhao.lei").get("/api/tasks", headers=zh).json()["items"]
    assert inbox[0]["node_title"] == "区域总监审批"
    instance = user.get(f"/api/instances/{iid}", headers=zh).json()
    assert instance["definition_title"] == "新店开业审批"


def test_demo_mode_lists_demo_users_who_can_sign_in(db_url: str, tmp_path: Path) -> None:
    from rich.console import Console

    from api.prepare import prepare

    settings = make_settings(db_url, tmp_path, demo=True)
    ready = prepare(settings, console=Console(quiet=True), seed_history=False, now=START)
    assert ready.demo_users and ready.users >= len(ready.demo_users)
    with TestClient(create_app(settings, clock=ManualClock(START))) as c:
        listed = c.get("/api/auth/demo-users").json()
        assert {u["username"] for u in listed} == {u.username for u in ready.demo_users}
        first = listed[0]
        login = c.post("/api/auth/login",
                       json={"username": first["username"], "password": first["password"]})
        assert login.status_code == 200 and login.json()["user"]["username"] == first["username"]
