"""What the bell's UI needs from the API (SQLite and PostgreSQL): a stream ticket for
``EventSource`` that opens the stream and nothing else, the outbox rendered as its
readers will read it, the configured channels, and the admins' test message."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.conftest import Api, make_settings
from tests.api.test_flows import start_store


def _first_event(api: Api, **params: str) -> tuple[int, str]:
    with api.client.stream("GET", "/api/events", params=params) as r:
        if r.status_code != 200:
            return r.status_code, ""
        return 200, next(line for line in r.iter_lines() if line.startswith("data:"))


def test_a_stream_ticket_opens_the_stream_only_and_briefly(api: Api) -> None:
    me = api.as_("zhao.lei")
    out = me.post("/api/events/ticket").json()
    assert set(out) == {"ticket", "expires_at"}
    assert _first_event(api, ticket=out["ticket"]) == (200, 'data: {"unread": 0}')
    # the ticket is no bearer token, and a bearer token is no ticket
    assert api.client.get("/api/me", headers={
        "Authorization": f"Bearer {out['ticket']}"}).status_code == 401
    assert _first_event(api, ticket=me.headers["Authorization"][7:])[0] == 401
    assert _first_event(api, token=me.headers["Authorization"][7:])[0] == 401
    api.clock.advance(timedelta(seconds=61))
    assert _first_event(api, ticket=out["ticket"])[0] == 401
    assert api.client.post("/api/events/ticket").status_code == 401


def test_the_outbox_shows_each_mail_rendered(api: Api) -> None:
    start_store(api)
    page = api.as_("admin").get("/api/admin/outbox").json()
    assigned = next(m for m in page["items"] if m["kind"] == "task_assigned")
    assert assigned["subject"] and assigned["text"]
    assert "/tasks/" in assigned["text"]  # the link opens the task
    requester = next(m for m in page["items"] if m["kind"] == "now_with")
    holder = requester["payload"]["data"]["holders"][0]
    name = requester["payload"]["data"]["people"][holder]
    assert name["name"] in requester["text"] or name["name_zh"] in requester["text"]


def test_admins_send_themselves_a_test_message_through_the_outbox(api: Api,
                                                                  tmp_path: Path) -> None:
    assert api.as_("xu.ming").post("/api/admin/channels/test").status_code == 403
    assert api.as_("xu.ming").get("/api/channels").json() == {
        "available": ["app", "email", "webhook", "dingtalk", "feishu", "wecom"],
        "configured": ["app"]}
    admin = api.as_("admin")
    out = admin.post("/api/admin/channels/test").json()
    # no channel set up: an e-mail, kept in the outbox where admins read it
    assert [(m["channel"], m["configured"]) for m in out["messages"]] == [("email", False)]
    kept = admin.get("/api/admin/outbox", params={"status": "pending"}).json()["items"]
    test = next(m for m in kept if m["id"] == out["messages"][0]["id"])
    assert test["kind"] == "test" and test["recipient"] == "admin" and test["attempts"] == 0
    assert test["subject"] and "email" in test["text"]

    settings = make_settings(api.settings.database_url, tmp_path / "other",
                             webhook_url="http://127.0.0.1:9/hook",
                             dingtalk_url="http://127.0.0.1:9/robot")
    with TestClient(create_app(settings, clock=api.clock)) as other:
        headers = admin.headers
        assert other.get("/api/channels", headers=headers).json()["configured"] == [
            "app", "webhook", "dingtalk"]
        sent = other.post("/api/admin/channels/test", headers=headers).json()["messages"]
    assert [(m["channel"], m["configured"]) for m in sent] == [
        ("webhook", True), ("dingtalk", True)]
    counts = admin.get("/api/admin/outbox").json()["counts"]
    assert counts["pending"] >= 3  # written, not sent: the request never delivers


def test_quiet_hours_are_cleared_with_an_empty_time(api: Api) -> None:
    me = api.as_("li.na")
    me.request("PUT", "/api/me/preferences", json={"quiet_start": "22:00",
                                                   "quiet_end": "08:00"})
    out = me.request("PUT", "/api/me/preferences", json={"quiet_start": "", "quiet_end": ""})
    assert out.status_code == 200, out.text
    assert (out.json()["quiet_start"], out.json()["quiet_end"]) == (None, None)
    assert me.request("PUT", "/api/me/preferences",
                      json={"quiet_start": "7:00"}).status_code == 422
