"""Notifications over the API: the bell (list, unread count, mark read), preferences,
the admins' outbox with retry, a worker run on the app's clock, and the live stream."""

from __future__ import annotations

import threading
from datetime import timedelta

from api.background import worker_for
from tests.api.conftest import Api
from tests.api.test_flows import decide, start_store


def test_the_bell_counts_lists_and_marks_read(api: Api) -> None:
    iid = start_store(api)["id"]
    boss = api.as_("zhao.lei")
    assert boss.get("/api/notifications/unread-count").json() == {"count": 1}
    items = boss.get("/api/notifications").json()
    assert [n["kind"] for n in items] == ["task_assigned"]
    assert items[0]["instance_id"] == iid and items[0]["read_at"] is None
    assert items[0]["payload"]["path"] == f"/tasks/{items[0]['payload']['task_id']}"
    requester = api.as_("xu.ming").get("/api/notifications").json()
    assert [n["kind"] for n in requester] == ["now_with"]
    assert requester[0]["payload"]["holders"] == ["zhao.lei"]
    r = boss.post("/api/notifications/read", json={"ids": [items[0]["id"]]})
    assert r.json() == {"marked": 1, "unread": 0}
    assert boss.get("/api/notifications", params={"unread": True}).json() == []
    decide(api, "zhao.lei", iid, "return", comment="Add the lease")
    unread = api.as_("xu.ming").get("/api/notifications", params={"unread": True}).json()
    returned = [n for n in unread if n["kind"] == "returned"]
    assert returned[0]["payload"]["reason"] == "Add the lease"
    assert api.as_("xu.ming").post("/api/notifications/read",
                                   json={"all": True}).json()["unread"] == 0


def test_preferences_are_validated_and_kept(api: Api) -> None:
    me = api.as_("li.na")
    assert me.get("/api/me/preferences").json()["channels"] == ["app", "email"]
    bad = me.request("PUT", "/api/me/preferences",
                     json={"channels": ["pigeon"], "quiet_start": "25:00", "timezone": "Mars/X"})
    assert bad.status_code == 422
    pointers = {e.get("pointer") or e.get("parameter") for e in bad.json()["errors"]}
    assert len(pointers) == 3
    ok = me.request("PUT", "/api/me/preferences", json={
        "channels": ["app", "dingtalk"], "language": "zh", "quiet_start": "22:00",
        "quiet_end": "08:00", "timezone": "Asia/Shanghai", "digest": False})
    assert ok.status_code == 200, ok.text
    assert me.get("/api/me/preferences").json()["channels"] == ["app", "dingtalk"]


def test_admins_read_the_outbox_and_retry(api: Api) -> None:
    start_store(api)
    assert api.as_("xu.ming").get("/api/admin/outbox").status_code == 403
    admin = api.as_("admin")
    page = admin.get("/api/admin/outbox").json()
    assert page["counts"] == {"pending": 2}
    assert {m["kind"] for m in page["items"]} == {"task_assigned", "now_with"}
    assert page["items"][0]["payload"]["recipient"]["email"].endswith("@example.com")
    assert admin.post("/api/admin/outbox/retry", json={}).json() == {"queued": 0}
    assert admin.get("/api/admin/outbox", params={"status": "bogus"}).status_code == 422


def test_a_worker_on_the_app_clock_sends_reminders(api: Api) -> None:
    iid = start_store(api)["id"]
    worker, _ = worker_for(api.settings, api.db, api.clock)
    api.clock.advance(timedelta(days=3))  # the 2-day SLA passed a day ago
    fired, _ = worker.run_once()
    assert fired >= 3
    kinds = [n["kind"] for n in api.as_("zhao.lei").get("/api/notifications").json()]
    assert "reminder" in kinds
    timeline = api.as_("xu.ming").get(f"/api/instances/{iid}").json()["timeline"]
    reminders = [t for t in timeline if t["kind"] == "reminder_sent"]
    assert reminders and all(t["actor"] == "system" and t["to"] == "zhao.lei"
                             for t in reminders)
    late = [t for t in reminders if t["limit_at"]]  # fired after their time: the due is kept
    assert late and late[0]["comment"] is None  # a time, not English words
    escalated = [t for t in timeline if t["kind"] == "task_escalated"]
    assert escalated and escalated[0]["action"] == "notify"


def test_the_live_stream_tells_an_approver_about_a_new_task(api: Api) -> None:
    ticket = api.as_("zhao.lei").post("/api/events/ticket").json()["ticket"]
    seen: list[str] = []
    ready = threading.Event()

    def submit_when_ready() -> None:
        ready.wait(10)
        start_store(api)

    thread = threading.Thread(target=submit_when_ready)
    thread.start()
    with api.client.stream("GET", "/api/events", params={"ticket": ticket}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        for line in r.iter_lines():
            if line.startswith("data:"):
                seen.append(line)
                ready.set()
            if len(seen) >= 3:
                break
    thread.join()
    assert seen[0] == 'data: {"unread": 0}'
    assert 'data: {"unread": 1}' in seen[1:]


def test_the_live_stream_needs_a_token(api: Api) -> None:
    assert api.client.get("/api/events").status_code == 401
