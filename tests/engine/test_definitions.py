"""Loading definitions: the examples are valid, the broken corpus fails with exactly the
expected messages, and the CLI reports them as path:line:column: message."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

import api.cli.definitions  # noqa: F401  (registers validate and diagram)
from api.cli import app
from engine.core import (
    DefinitionInvalid,
    MemoryCatalog,
    definition_schema,
    load_definition,
    mermaid,
    parse_sla,
)
from engine.core.diagram import people_names
from tests.engine.helpers import DEFS, EXAMPLES, definition, directory

BROKEN = Path(__file__).parent / "broken"
CASES = sorted(BROKEN.glob("*.yaml"))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_broken_definition_reports_every_error_exactly(path: Path) -> None:
    expected = path.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    with pytest.raises(DefinitionInvalid) as info:
        load_definition(path.read_text(encoding="utf-8"), path.name, directory())
    assert [f"{e.line}:{e.column}: {e.message}" for e in info.value.errors] == expected
    assert all(str(e).startswith(f"{path.name}:") for e in info.value.errors)


def test_corpus_covers_every_kind_of_problem() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in BROKEN.glob("*.expected"))
    for needle in ("unknown target node", "cannot be reached", "no final node can be reached",
                   "unknown role", "unknown user", "invalid form schema", "does not parse",
                   "which the form does not have", "(YAML: expected <block end>", "unknown key"):
        assert needle in text, needle


@pytest.mark.parametrize("key", EXAMPLES)
def test_examples_load_with_the_demo_directory(key: str) -> None:
    defn = definition(key)
    assert defn.key == key and defn.version == 1 and len(defn.digest) == 64
    assert defn.start in defn.nodes
    assert any(n.kind == "final" for n in defn.nodes.values())


def test_store_opening_model_details() -> None:
    defn = definition("store_opening")
    finance = defn.nodes["finance_review"]
    assert [(r.condition, r.target) for r in finance.routes["approve"]] == [
        ("monthly_rent > 80000", "cfo_review"), (None, "vp_review")]
    assert finance.sla == timedelta(days=2)
    assert finance.actions == ("approve", "reject", "return")
    assert defn.nodes["site_review"].mode == "all"
    assert str(defn.nodes["site_review"].approvers[1]) == "field:legal_contact"
    assert defn.nodes["cc_opening_team"].kind == "notify"
    assert defn.nodes["approved"].outcome == "approved"
    assert defn.policies.initiator_is_approver == "skip_to_manager"


def test_expense_claim_modes_and_levels() -> None:
    defn = definition("expense_claim")
    assert defn.nodes["committee"].mode == "threshold" and defn.nodes["committee"].threshold == 2
    assert defn.nodes["finance_review"].mode == "sequential"
    assert str(defn.nodes["department_head"].approvers[0]) == "manager_of:initiator:2"


def test_without_directory_roles_are_not_checked() -> None:
    text = (BROKEN / "unknown_people.yaml").read_text(encoding="utf-8")
    assert load_definition(text).nodes["a"].approvers[0].value == "wizard"


def test_sla_durations() -> None:
    assert parse_sla("1d12h") == timedelta(days=1, hours=12)
    assert parse_sla("1w") == timedelta(weeks=1)
    assert parse_sla("2 days") is None and parse_sla("") is None


def test_catalog_versions_by_digest() -> None:
    text = (DEFS / "sample_order.yaml").read_text(encoding="utf-8")
    catalog = MemoryCatalog()
    v1 = catalog.add(load_definition(text))
    assert catalog.add(load_definition(text)).version == 1
    v2 = catalog.add(load_definition(text.replace("sla: 1d", "sla: 2d")))
    assert (v1.version, v2.version) == (1, 2)
    assert catalog.get("sample_order").version == 2
    assert catalog.get("sample_order", 1).nodes["store_manager"].sla == timedelta(days=1)


def test_schema_file_is_draft_2020_12() -> None:
    schema = definition_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"].endswith("2020-12/schema")
    assert "nodes" in schema["required"]


def test_mermaid_highlights_current_node_and_labels_conditions() -> None:
    text = mermaid(definition("store_opening"), current="cfo_review")
    assert text.startswith("flowchart TD\n")
    assert 'finance_review -->|"approve if Monthly rent #gt; 80000"| cfo_review' in text
    assert "class cfo_review current" in text
    assert "cc_opening_team[/" in text and 'approved(["Approved"])' in text
    # words, not rule syntax: who decides, how, within what time
    assert "the requester's manager · within 2 days" in text
    assert "manager_of" not in text and "SLA" not in text and " any" not in text


def test_mermaid_in_chinese_with_people_by_name() -> None:
    org = directory()
    text = mermaid(definition("store_opening"), lang="zh-CN", names=people_names(org, "zh"))
    assert 'regional_review["区域总监审批<br/><small>申请人的上级 · 2 天内</small>"]' in text
    assert '|"同意 若 月租金 #gt; 80000"|' in text and '|"驳回"|' in text
    assert "「法务对接人」所填的人" in text
    estate = org.users_with_role("real_estate")
    assert 0 < len(estate) <= 3  # a small role reads as its people's names
    assert "、".join(org.users[u].name_zh for u in estate) in text
    labels = " ".join(re.findall(r'"([^"]*)"', text))  # what people read, not node ids
    assert all(word not in labels for word in ("approve", "reject", "SLA", "real_estate"))


runner = CliRunner()


def test_cli_validate_examples_exits_zero() -> None:
    result = runner.invoke(app, ["validate", str(DEFS)])
    assert result.exit_code == 0, result.output


def test_cli_validate_broken_exits_one_with_locations() -> None:
    path = BROKEN / "unknown_target.yaml"
    result = runner.invoke(app, ["validate", "--org", str(DEFS / "org.yaml"), str(path)])
    assert result.exit_code == 1
    assert f"{path}:9:15: unknown target node 'rejectd'" in result.output


def test_cli_diagram_by_key() -> None:
    result = runner.invoke(app, ["diagram", "--definitions", str(DEFS), "expense_claim"])
    assert result.exit_code == 0 and "committee" in result.output
    assert runner.invoke(app, ["diagram", "--definitions", str(DEFS), "nope"]).exit_code == 1


def test_mermaid_keeps_mermaid_keywords_out_of_node_ids() -> None:
    text = load_definition("key: k\ntitle: t\nstart: end\nnodes:\n"
                           "  end: {approvers: {user: a}, on: {approve: done}}\n"
                           "  done: {final: approved}\n")
    out = mermaid(text, current="end")
    assert "START --> end_" in out and "end_ -->|\"approve\"| done" in out
    assert "class end_ current" in out


def _typo_file(folder: Path) -> Path:
    """An example definition with one role misspelt, in a folder without an org.yaml."""
    text = (DEFS / "store_opening.yaml").read_text(encoding="utf-8")
    nodes = text[text.index("\nnodes:"):]  # an approver's role, not a form widget's option
    role = next(line.split("role:")[1].split("}")[0].strip()
                for line in nodes.splitlines() if "role:" in line)
    path = folder / "typo.yaml"
    path.write_text(text.replace(f"role: {role}", "role: cfoo", 1), encoding="utf-8")
    return path


def test_cli_validate_outside_definitions_uses_the_definitions_org(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _typo_file(tmp_path)
    monkeypatch.setenv("SIGNOFF_DEFINITIONS_DIR", str(DEFS))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1, result.output
    assert "'cfoo'" in result.output


def test_cli_validate_with_org_option(tmp_path: Path) -> None:
    path = _typo_file(tmp_path)
    result = runner.invoke(app, ["validate", "--org", str(DEFS / "org.yaml"), str(path)])
    assert result.exit_code == 1 and "'cfoo'" in result.output


def test_cli_validate_says_plainly_when_no_org_was_found(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _typo_file(tmp_path)
    monkeypatch.setenv("SIGNOFF_DEFINITIONS_DIR", str(tmp_path / "none"))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0  # nothing else is wrong with it
    assert f"{path}: roles and users NOT checked: no org directory found" in result.output
    assert "1 checked without an org directory" in result.output


def test_cli_validate_names_a_missing_org_option(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", "--org", str(tmp_path / "org.yaml"),
                                 str(DEFS / "store_opening.yaml")])
    assert result.exit_code == 1 and "no such org directory file" in result.output


def test_mermaid_words_a_role_within_an_org_unit() -> None:
    text = mermaid(definition("sample_order"), names=people_names(directory()))
    assert "sample manager of the unit in “Region”" in text
    assert "@field:" not in text and "in_unit" not in text
