"""The owner's editor over HTTP: a draft is checked as it is typed (root errors only, in
plain words, with the diagram of a valid draft), and a process can be retired (no new
requests, running ones go on) and brought back; on SQLite and PostgreSQL."""

from __future__ import annotations

from typer.testing import CliRunner

from api.cli import _register, app
from tests.api.conftest import Api
from tests.api.test_flows import STORE, decide, start_store


def _source(api: Api) -> str:
    text: str = api.as_("chen.jing").get("/api/definitions/store_opening").json()["yaml"]
    return text


def test_a_draft_with_one_typo_gives_one_plain_error(api: Api) -> None:
    owner = api.as_("chen.jing")
    source = _source(api)
    draft = source.replace("  finance_review:\n", "  finance_reviw:\n", 1)
    r = owner.post("/api/definitions/validate", json={"yaml": draft})
    assert r.status_code == 200, r.text
    body = r.json()
    line = source[:source.index("  finance_review:\n")].count("\n") + 1
    assert body["valid"] is False and len(body["errors"]) == 1
    assert body["errors"][0]["line"] == line and body["errors"][0]["column"] == 3
    assert "step 'finance_reviw' is never reached" in body["errors"][0]["message"]
    assert body["hidden"] >= 2 and body["mermaid"] is None

    syntax = owner.post("/api/definitions/validate", json={"yaml": source.replace(
        "title: New store opening", "title: New store: opening", 1)}).json()
    assert [e["message"].split(" (YAML")[0] for e in syntax["errors"]] == [
        "a second ':' on one line: put text that contains ': ' in quotes, or start the "
        "value on its own indented line"]


def test_a_valid_draft_comes_with_its_diagram_in_the_readers_language(api: Api) -> None:
    owner = api.as_("chen.jing")
    draft = _source(api).replace("title: New store opening", "title: New store opening v2", 1)
    body = owner.post("/api/definitions/validate", json={"yaml": draft}).json()
    assert body["valid"] is True and body["errors"] == [] and body["hidden"] == 0
    assert body["key"] == "store_opening" and body["published_version"] == 1
    assert body["mermaid"].startswith("flowchart") and "Regional director" in body["mermaid"]
    zh = owner.post("/api/definitions/validate", json={"yaml": draft},
                    headers={"Accept-Language": "zh-CN"}).json()
    assert "区域总监审批" in zh["mermaid"] and "Regional director" not in zh["mermaid"]
    # the draft's diagram in the caller's words, people by name: as the published one's
    assert "申请人的上级" in zh["mermaid"] and "the requester's manager" in body["mermaid"]
    assert "Zhou Min" in body["mermaid"] and "周敏" in zh["mermaid"]
    new = owner.post("/api/definitions/validate", json={"yaml": draft.replace(
        "key: store_opening", "key: store_opening_copy", 1)}).json()
    assert new["valid"] is True and new["published_version"] is None
    # checking stores nothing
    assert owner.get("/api/definitions/store_opening").json()["versions"] == [1]


def test_retire_stops_new_requests_and_lets_running_ones_go_on(api: Api) -> None:
    owner, requester = api.as_("chen.jing"), api.as_("xu.ming")
    running = start_store(api)
    assert requester.post("/api/definitions/store_opening/retire").status_code == 403
    r = owner.post("/api/definitions/store_opening/retire")
    assert r.status_code == 200, r.text
    assert r.json()["retired_at"] is not None and r.json()["retired_by"] == "chen.jing"
    assert r.json()["retired_by_name"] == "Chen Jing"  # a person by name, in each language
    zh = requester.get("/api/definitions/store_opening", headers={"Accept-Language": "zh-CN"})
    assert zh.json()["retired_by"] == "chen.jing" and zh.json()["retired_by_name"] == "陈静"
    again = owner.post("/api/definitions/store_opening/retire").json()
    assert again["retired_at"] == r.json()["retired_at"]  # the first retirement stands
    listed = {d["key"]: d for d in requester.get("/api/definitions").json()}
    assert listed["store_opening"]["retired_at"] is not None
    assert listed["sample_order"]["retired_at"] is None
    before = api.event_count()
    refused = requester.post("/api/instances",
                             json={"definition": "store_opening", "data": STORE})
    assert refused.status_code == 409 and "retired" in refused.json()["detail"]
    assert api.event_count() == before  # nothing written
    decide(api, "zhao.lei", running["id"])  # the running request goes on
    assert requester.get(f"/api/instances/{running['id']}").json()["status"] == "running"
    # a new version keeps it retired; un-retiring lets requests start again
    source = _source(api).replace("title: New store opening", "title: New store opening 2", 1)
    published = owner.post("/api/definitions", json={"yaml": source})
    assert published.status_code == 201 and published.json()["retired_at"] is not None
    assert owner.post("/api/definitions/store_opening/unretire").json()["retired_at"] is None
    start_store(api)
    assert owner.post("/api/definitions/nope/retire").status_code == 404
    audit = api.as_("admin").get("/api/admin/audit", params={"action": "definition."}).json()
    actions = [(e["action"], e["subject"]) for e in audit["items"]]
    assert actions.count(("definition.retired", "store_opening")) == 1
    assert actions.count(("definition.unretired", "store_opening")) == 1


def test_the_cli_retires_and_brings_back(api: Api) -> None:
    _register()
    runner = CliRunner()
    url = api.settings.database_url
    r = runner.invoke(app, ["retire", "sample_order", "--db", url])
    assert r.exit_code == 0 and "sample_order: retired" in r.output, r.output
    r = runner.invoke(app, ["retire", "sample_order", "--db", url])
    assert r.exit_code == 0 and "retired already" in r.output
    got = api.as_("bai.lu").get("/api/definitions/sample_order").json()
    assert got["retired_at"] is not None and got["retired_by"].startswith("cli:")
    assert runner.invoke(app, ["retire", "nope", "--db", url]).exit_code == 1
    r = runner.invoke(app, ["retire", "sample_order", "--undo", "--db", url])
    assert r.exit_code == 0 and "sample_order: in use" in r.output
    assert api.as_("bai.lu").get("/api/definitions/sample_order").json()["retired_at"] is None


def test_the_format_schema_is_served_for_completion(api: Api) -> None:
    schema = api.as_("li.na").get("/api/definitions/schema").json()
    assert "nodes" in schema["required"] and "approvers" in str(schema)
    assert api.client.get("/api/definitions/schema").status_code == 401


def test_a_process_s_steps_say_who_decides_in_words(api: Api) -> None:
    """The steps of the process page: who decides and how in words, never rule syntax
    (``manager_of:initiator``, ``all``), in English and Chinese."""
    reader = api.as_("xu.ming")
    steps = {n["id"]: n for n in reader.get("/api/definitions/store_opening").json()["nodes"]}
    assert steps["regional_review"]["approvers"] == ["manager_of:initiator"]  # the rule kept
    assert steps["regional_review"]["approvers_text"] == "the requester's manager"
    assert steps["regional_review"]["mode_text"] == ""  # one rule decides: no mode to say
    site = steps["site_review"]
    assert site["mode"] == "all" and site["mode_text"] == "all of them"
    assert "role:" not in site["approvers_text"] and "field:" not in site["approvers_text"]
    assert "“" in site["approvers_text"]  # the person named in a form field, by its title
    zh = {n["id"]: n for n in reader.get("/api/definitions/store_opening", headers={
        "Accept-Language": "zh-CN"}).json()["nodes"]}
    assert zh["regional_review"]["approvers_text"] == "申请人的上级"
    assert steps["regional_review"]["sla_text"] == "2 days"
    assert zh["regional_review"]["sla_text"] == "2 天" and zh["approved"]["sla_text"] == ""
    rent = next(x for x in steps["finance_review"]["next"] if x.get("if"))
    assert rent["if"] == "monthly_rent > 80000" and rent["if_text"] == "Monthly rent > 80000"
    assert zh["site_review"]["mode_text"] == "全部同意"
    assert zh["cc_opening_team"]["approvers_text"] and zh["cc_opening_team"]["mode_text"] == ""
