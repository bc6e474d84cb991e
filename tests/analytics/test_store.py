"""Signoff's own history: SQL over node_visit/instance, and the analytics HTTP routes,
on SQLite and PostgreSQL. Requests are made through the API, so the rows are what the
engine really writes."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from engine.analytics.logs import read_log
from engine.analytics.mapping import IDENTITY
from engine.analytics.store import load_history, process_list
from tests.api.conftest import *  # noqa: F403 (the api fixture and those it needs)
from tests.api.conftest import Api
from tests.api.test_flows import STORE, decide, start_store
from tests.conftest import ROOT

H = 3600.0


def _two_requests(api: Api) -> tuple[str, str]:
    """One store opening approved all the way, one rejected at the regional review,
    one still running."""
    ok = start_store(api)["id"]
    no = start_store(api, store_name="Tiny Kiosk")["id"]
    start_store(api, store_name="Still Waiting")
    api.clock.advance(timedelta(hours=3))
    decide(api, "zhao.lei", ok, comment="Good location")
    api.clock.advance(timedelta(hours=2))
    decide(api, "zhao.lei", no, action="reject", comment="Too small")
    api.clock.advance(timedelta(days=1))
    decide(api, "tang.lan", ok)
    decide(api, "song.qian", ok)
    api.clock.advance(timedelta(hours=5))
    decide(api, "cao.li", ok)
    api.clock.advance(timedelta(hours=4))
    decide(api, "liu.yang", ok)
    return ok, no


def test_apply_a_candidate_replay_the_draft_publish_and_see_the_effect(api: Api) -> None:
    """From a candidate to a draft (YAML diff), the what-if through the draft's routes,
    publishing through the normal path, and the report's before/after once requests ran
    on the new version."""
    _two_requests(api)
    pm = api.as_("chen.jing")
    r = pm.post("/api/analytics/store_opening/draft", json={"remove": "vp_review"})
    assert r.status_code == 200, r.text
    draft = r.json()
    assert draft["base_version"] == 1 and "-  vp_review:" in draft["diff"]
    assert "vp_review" not in draft["yaml"]

    r = pm.post("/api/analytics/store_opening/what-if", json={"yaml": draft["yaml"]})
    assert r.status_code == 200, r.text
    assert r.json()["edit"]["remove"] == ["vp_review"]
    assert r.json()["cycle_time_saved_total_seconds"] == 4 * H
    # a draft whose regional review jumps over the site review for big rents: skipped
    published = (ROOT / "definitions" / "store_opening.yaml").read_text(encoding="utf-8")
    skip = published.replace(
        "on: {approve: site_review, reject: rejected, return: initiator}",
        "on: {approve: [{if: 'monthly_rent > 1000', to: finance_review}, {to: site_review}], "
        "reject: rejected, return: initiator}", 1)
    r = pm.post("/api/analytics/store_opening/what-if", json={"yaml": skip})
    assert r.status_code == 200, r.text
    assert r.json()["edit"]["skip"] == [{"node": "site_review", "if": "monthly_rent > 1000"}]
    assert r.json()["cycle_time_saved_total_seconds"] == 26 * H  # the site review's wait
    other = pm.post("/api/analytics/store_opening/what-if",
                    json={"yaml": draft["yaml"].replace("key: store_opening", "key: other", 1)})
    assert other.status_code == 422 and "not 'store_opening'" in other.json()["detail"]
    bad = pm.post("/api/analytics/store_opening/what-if", json={"yaml": "key: [oops"})
    assert bad.status_code == 422
    r = pm.post("/api/analytics/store_opening/draft", json={"remove": "nope"})
    assert r.status_code == 422 and "'nope' is not an approval step" in r.json()["detail"]

    r = pm.post("/api/definitions", json={"yaml": draft["yaml"]})
    assert r.status_code == 201, r.text
    ok = start_store(api, store_name="After The Change")["id"]
    api.clock.advance(timedelta(hours=1))
    for who in ("zhao.lei", "tang.lan", "song.qian", "cao.li"):
        decide(api, who, ok)
    rep = pm.get("/api/analytics/store_opening/report").json()
    assert rep["versions"]["current"] == 2
    (change,) = rep["versions"]["changes"]
    assert (change["from_version"], change["to_version"], change["removed"]) == (
        1, 2, ["vp_review"])
    assert (change["before"]["requests"], change["after"]["requests"]) == (2, 1)
    assert change["after"]["median_cycle_s"] == 1 * H
    assert "vp_review" not in {c["step"] for c in rep["candidates"] + rep["not_flagged"]}


def test_attributes_are_those_known_at_submission(api: Api) -> None:
    """A request returned and resubmitted with another rent: its case carries the rent
    as first submitted, and the rent is marked as set after submission, so no learned
    condition may use it."""
    iid = start_store(api, monthly_rent=70000)["id"]
    decide(api, "zhao.lei", iid, "return", comment="Rent?")
    r = api.as_("xu.ming").post(f"/api/instances/{iid}/resubmit",
                                json={"data": {**STORE, "monthly_rent": 30000}})
    assert r.status_code == 200, r.text
    for who in ("zhao.lei", "tang.lan", "song.qian", "cao.li", "liu.yang"):
        decide(api, who, iid)
    with api.db.read_engine.connect() as conn:
        h = load_history(conn, "store_opening")
    assert h.cases[iid].attributes["monthly_rent"] == 70000.0
    assert "monthly_rent" in h.late_attributes and "city" not in h.late_attributes


def test_history_from_the_database(api: Api) -> None:
    ok, no = _two_requests(api)
    with api.db.read_engine.connect() as conn:
        h = load_history(conn, "store_opening")
        processes = {p["key"]: p for p in process_list(conn)}
    assert set(h.cases) == {ok, no}  # the running request is left out
    assert h.cases[ok].outcome == "approved" and h.cases[no].outcome == "rejected"
    assert h.cases[ok].attributes["monthly_rent"] == 60000.0
    assert h.cases[ok].duration == (3 + 2 + 24 + 5 + 4) * H
    visits = {(v.case_id, v.step): v for v in h.visits}
    rr = visits[(ok, "regional_review")]
    assert (rr.wait, rr.outcome, rr.resource, rr.commented) == (3 * H, "approve", "zhao.lei",
                                                                  True)
    assert visits[(no, "regional_review")].outcome == "reject"
    assert visits[(no, "regional_review")].wait == 5 * H
    assert visits[(ok, "site_review")].wait == 26 * H  # decided when the last signer did
    assert visits[(ok, "vp_review")].wait == 4 * H
    assert visits[(ok, "cc_opening_team")].outcome == "other"  # a notification
    assert processes["store_opening"]["instances"] == 3
    assert processes["store_opening"]["title"] != ""


def test_analytics_routes(api: Api) -> None:
    _ok, no = _two_requests(api)
    pm = api.as_("chen.jing")
    r = pm.get("/api/analytics/processes")
    assert r.status_code == 200, r.text
    assert {"key": "store_opening", "instances": 3} in [
        {k: p[k] for k in ("key", "instances")} for p in r.json()]

    r = pm.get("/api/analytics/store_opening/report")
    assert r.status_code == 200, r.text
    rep = r.json()
    assert rep["schema"] == "signoff.analytics/1"
    steps = {s["step"]: s for s in rep["steps"]}
    assert steps["regional_review"]["outcomes"] == {"approve": 1, "reject": 1, "return": 0,
                                                    "other": 0}
    assert steps["regional_review"]["comment_rate"]["rate"] == 1.0
    assert steps["vp_review"]["wait"]["median_s"] == 4 * H

    r = pm.post("/api/analytics/store_opening/what-if", json={"remove": ["vp_review"]})
    assert r.status_code == 200, r.text
    assert r.json()["cycle_time_saved_total_seconds"] == 4 * H
    r = pm.post("/api/analytics/store_opening/what-if",
                json={"skip": [{"node": "regional_review", "if": "monthly_rent > 1000"}]})
    assert r.json()["lost_rejections"][0]["case_id"] == no

    r = pm.post("/api/analytics/store_opening/what-if", json={"remove": ["nope"]})
    assert r.status_code == 422 and "unknown step 'nope'" in r.json()["detail"]
    r = pm.get("/api/analytics/no_such_process/report")
    assert r.status_code == 404
    r = pm.get("/api/analytics/store_opening/report", params={"country": "XX"})
    assert r.status_code == 422
    r = pm.get("/api/analytics/store_opening/report",
               params={"since": (api.clock() + timedelta(days=1)).isoformat()})
    assert r.status_code == 404  # nothing started after tomorrow
    r = pm.get("/api/analytics/store_opening/report",
               params={"until": (api.clock() - timedelta(days=3)).isoformat()})
    assert r.status_code == 404  # nothing started before three days ago
    assert api.client.get("/api/analytics/processes").status_code == 401


def test_per_approver_figures_only_for_owners_and_admins(api: Api) -> None:
    _two_requests(api)
    for who in ("chen.jing", "admin"):  # a process owner, an administrator
        rep = api.as_(who).get("/api/analytics/store_opening/report").json()
        assert rep["per_approver"] is True
        assert "zhao.lei" in {a["approver"] for a in rep["approvers"]}
    r = api.as_("li.na").get("/api/analytics/store_opening/report")  # neither
    assert r.status_code == 200, r.text
    rep = r.json()
    assert rep["per_approver"] is False
    assert rep["approvers"] == [] and rep["bottlenecks"]["approvers"] == []
    assert "zhao.lei" not in r.text  # no approver named anywhere in the report
    steps = {s["step"]: s for s in rep["steps"]}  # the step figures are all there
    assert steps["vp_review"]["wait"]["median_s"] == 4 * H
    assert rep["bottlenecks"]["steps"] and rep["summary"]["approvers"] > 0


def test_report_and_export_commands(api: Api, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from api.cli import _register, app

    _register()
    ok, no = _two_requests(api)
    url = api.settings.database_url
    runner = CliRunner()
    out = tmp_path / "r.json"
    res = runner.invoke(app, ["report", "store_opening", "--db", url, "--out", str(out),
                              "--what-if-remove", "vp_review"])
    assert res.exit_code == 0, res.output
    rep = json.loads(out.read_text(encoding="utf-8"))
    assert rep["summary"]["cases"] == 2
    assert rep["what_if"]["cycle_time_saved_total_seconds"] == 4 * H
    for suffix in (".xes", ".csv"):
        log = tmp_path / f"export{suffix}"
        res = runner.invoke(app, ["export", "store_opening", "--db", url, "--out", str(log)])
        assert res.exit_code == 0, res.output
        back = read_log(log, IDENTITY)
        assert set(back.cases) == {ok, no}
        steps = {(v.case_id, v.step): v.outcome for v in back.visits}
        assert steps[(no, "regional_review")] == "reject"
        assert steps[(ok, "vp_review")] == "approve"
    res = runner.invoke(app, ["report", "no_such_process", "--db", url])
    assert res.exit_code == 2 and "no finished requests" in res.output
