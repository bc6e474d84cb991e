"""The HR system's org sync over HTTP (admins or an admin's API token): a preview of what
changes and which open tasks move, then the sync itself, which hands a leaver's task to
their manager; everyone else is refused, and a broken directory is a 422 at its line."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console

from api.prepare import prepare
from engine.store.org import load_directory
from tests.api.conftest import PASSWORD, START, Api, make_settings
from tests.api.test_flows import task_of
from tests.conftest import ROOT

ORG = (ROOT / "definitions" / "org.yaml").read_text(encoding="utf-8")
SAMPLES = {"store_code": "SH012", "region": "east", "season": "AW26", "needed_by": "2026-08-15",
           "items": [{"sku": "AW26-KNT-001", "quantity": 2}]}


def test_preview_and_sync_move_the_leavers_task_to_their_manager(api: Api, db_url: str,
                                                                 tmp_path: Path) -> None:
    started = api.as_("bai.lu").post("/api/instances", json={"definition": "sample_order",
                                                             "data": SAMPLES})
    assert started.status_code == 201, started.text
    iid = started.json()["id"]
    store = api.as_("li.na")
    r = store.post(f"/api/tasks/{task_of(store, iid)['id']}/approve", json={})
    assert r.status_code == 200, r.text
    assert task_of(api.as_("qian.yu"), iid)["node"] == "sample_manager"
    # the HR export: qian.yu (sample manager, east) has left
    hr = "\n".join(line for line in ORG.splitlines() if "username: qian.yu" not in line)
    admin = api.as_("admin")
    for user in ("li.na", "chen.jing"):
        assert api.as_(user).post("/api/admin/org/preview", content=hr,
                                  headers={"Content-Type": "text/yaml"}).status_code == 403
    seen = admin.post("/api/admin/org/preview", content=hr,
                      headers={"Content-Type": "text/yaml"})
    assert seen.status_code == 200, seen.text
    body = seen.json()
    assert body["applied"] is False and body["left"] == ["qian.yu"] and body["new"] == []
    assert [(h["holder"], h["to"], h["node"], h["instance_id"]) for h in body["handovers"]] \
        == [("qian.yu", "zhao.lei", "sample_manager", iid)]
    assert task_of(api.as_("qian.yu"), iid)  # nothing written yet

    done = admin.post("/api/admin/org/sync", content=hr, headers={"Content-Type": "text/yaml"})
    assert done.status_code == 200, done.text
    assert [(h["to"], h["done"]) for h in done.json()["handovers"]] == [("zhao.lei", True)]
    assert task_of(api.as_("zhao.lei"), iid)["node"] == "sample_manager"
    gone = api.as_("qian.yu").get("/api/me")  # her token is refused: she left
    assert gone.status_code == 401
    login = api.client.post("/api/auth/login", json={"username": "qian.yu",
                                                     "password": PASSWORD})
    assert login.status_code == 401, login.text
    timeline = api.as_("bai.lu").get(f"/api/instances/{iid}").json()["timeline"]
    assert any(e.get("kind") == "task_reassigned" and e.get("actor") == "system"
               for e in timeline), timeline
    audit = admin.get("/api/admin/audit", params={"action": "org.synced"}).json()
    assert [(e["actor"], e["detail"]["left"]) for e in audit["items"]] == [
        ("admin", ["qian.yu"])]
    again = admin.post("/api/admin/org/preview", content=hr,
                       headers={"Content-Type": "text/yaml"}).json()
    assert again["left"] == [] and again["handovers"] == []
    # a restart no longer reads definitions/org.yaml, which still lists her
    prepare(make_settings(db_url, tmp_path), console=Console(quiet=True), now=START)
    with api.db.session(write=False) as s:
        assert "qian.yu" not in load_directory(s).users


def test_a_json_push_and_a_broken_directory(api: Api) -> None:
    admin = api.as_("admin")
    r = admin.post("/api/admin/org/preview", json={"users": [
        {"username": "admin", "is_admin": True},
        {"username": "new.hire", "manager": "nobody"}]})
    assert r.status_code == 422
    assert [(e["line"], e["message"]) for e in r.json()["errors"]] == [
        (1, "user 'new.hire': unknown manager 'nobody'")]
    ok = admin.post("/api/admin/org/preview", content=json.dumps({"users": [
        {"username": "admin", "is_admin": True}, {"username": "new.hire"}]}),
        headers={"Content-Type": "application/json"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["new"] == ["new.hire"] and "qian.yu" in ok.json()["left"]
