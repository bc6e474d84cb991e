"""The audit log: each administrative action (publishing a definition, changing and
setting passwords, issuing and revoking API tokens, sign-in failures, outbox retries)
is recorded with its request id, listed for administrators with filters, and exported
as CSV; nothing secret is kept."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from typer.testing import CliRunner

from api.cli import _register, app
from tests.api.conftest import PASSWORD, Api
from tests.conftest import ROOT


def _do_every_action(api: Api) -> dict[str, str]:
    """Each action once; returns the request id of each."""
    ids: dict[str, str] = {}
    text = (ROOT / "definitions" / "sample_order.yaml").read_text(encoding="utf-8")
    r = api.as_("chen.jing").post("/api/definitions", content=text.replace(
        "title: Display sample order", "title: Display sample order (v2)"),
        headers={"Content-Type": "text/yaml"})
    assert r.status_code == 201, r.text
    ids["definition.published"] = r.headers["X-Request-ID"]
    r = api.as_("li.na").post("/api/me/password", json={
        "current_password": PASSWORD, "new_password": "a-new-Secret-991"})
    assert r.status_code == 204, r.text
    ids["password.changed"] = r.headers["X-Request-ID"]
    r = api.as_("admin").post("/api/users/zhao.lei/password",
                              json={"password": "another-Secret-992"})
    assert r.status_code == 204, r.text
    ids["password.reset"] = r.headers["X-Request-ID"]
    r = api.as_("xu.ming").post("/api/tokens", json={"name": "erp sync"})
    assert r.status_code == 201, r.text
    ids["token.issued"] = r.headers["X-Request-ID"]
    ids["token"] = r.json()["token"]
    r = api.as_("xu.ming").delete(f"/api/tokens/{r.json()['id']}")
    assert r.status_code == 204, r.text
    ids["token.revoked"] = r.headers["X-Request-ID"]
    r = api.client.post("/api/auth/login",
                        json={"username": "xu.ming", "password": "not-it-Secret-993"})
    assert r.status_code == 401
    ids["sign_in.failed"] = r.headers["X-Request-ID"]
    r = api.as_("admin").post("/api/admin/outbox/retry", json={})
    assert r.status_code == 200, r.text
    ids["outbox.retried"] = r.headers["X-Request-ID"]
    return ids


def test_each_administrative_action_is_listed(api: Api) -> None:
    ids = _do_every_action(api)
    r = api.as_("admin").get("/api/admin/audit")
    assert r.status_code == 200, r.text
    page = r.json()
    by_action = {e["action"]: e for e in page["items"]}
    for action in ("definition.published", "password.changed", "password.reset",
                   "token.issued", "token.revoked", "sign_in.failed", "outbox.retried"):
        assert by_action[action]["request_id"] == ids[action], action
    assert by_action["definition.published"]["subject"] == "sample_order v2"
    assert by_action["definition.published"]["actor"] == "chen.jing"
    assert by_action["password.reset"]["actor"] == "admin"
    assert by_action["password.reset"]["subject"] == "zhao.lei"
    assert by_action["sign_in.failed"]["subject"] == "xu.ming"
    assert by_action["password.changed"]["actor"] == "li.na"
    assert by_action["token.issued"]["detail"]["name"] == "erp sync"
    for secret in (PASSWORD, "a-new-Secret-991", "another-Secret-992", "not-it-Secret-993",
                   ids["token"]):
        assert secret not in r.text
    times = [e["at"] for e in page["items"]]
    assert times == sorted(times, reverse=True)


def test_filters_csv_and_admins_only(api: Api) -> None:
    _do_every_action(api)
    admin = api.as_("admin")
    tokens = admin.get("/api/admin/audit", params={"action": "token."}).json()
    # (a password change or reset also revokes API tokens: none were left here)
    assert tokens["total"] == 2
    assert {e["action"] for e in tokens["items"]} == {"token.issued", "token.revoked"}
    mine = admin.get("/api/admin/audit", params={"actor": "xu.ming",
                                                 "action": "token.revoked"}).json()
    assert mine["total"] == 1
    later = admin.get("/api/admin/audit", params={"since": "2099-01-01T00:00:00Z"}).json()
    assert later["total"] == 0
    naive = admin.get("/api/admin/audit", params={"since": "2026-01-01T00:00:00"})
    assert naive.status_code == 422
    r = admin.get("/api/admin/audit", params={"format": "csv"})
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 7 and rows[0]["action"]
    assert api.as_("song.qian").get("/api/admin/audit").status_code == 403


def test_the_cli_lists_and_exports(api: Api, tmp_path: Path) -> None:
    _do_every_action(api)
    _register()
    runner = CliRunner()
    url = api.settings.database_url
    r = runner.invoke(app, ["audit", "--db", url, "--action", "token."])
    assert r.exit_code == 0, r.output
    assert "audit log (2 of 2)" in r.output
    r = runner.invoke(app, ["audit", "--db", url, "--action", "token.", "--csv", "-"])
    assert r.exit_code == 0, r.output
    assert [row["action"] for row in csv.DictReader(io.StringIO(r.output))] == [
        "token.revoked", "token.issued"]
    out = tmp_path / "audit.csv"
    r = runner.invoke(app, ["audit", "--db", url, "--csv", str(out)])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {row["action"] for row in rows} == {
        "definition.published", "password.changed", "password.reset", "token.issued",
        "token.revoked", "sign_in.failed", "outbox.retried"}
    r = runner.invoke(app, ["password", "li.na", "--db", url, "--password", "cli-Secret-994"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["audit", "--db", url, "--subject", "li.na",
                            "--action", "password.reset", "--csv", "-"])
    assert r.exit_code == 0 and ",password.reset,li.na," in r.output
    assert "cli-Secret-994" not in r.output
    r = runner.invoke(app, ["outbox", "retry", "--db", url])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["audit", "--db", url, "--action", "outbox.retried", "--csv", "-"])
    assert r.exit_code == 0
    assert {row["actor"].split(":")[0] for row in csv.DictReader(io.StringIO(r.output))} == {
        "admin", "cli"}
