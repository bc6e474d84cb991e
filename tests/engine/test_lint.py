"""Warnings: a definition that loads but says something most likely not meant (a step
that cannot reject, a route never taken, approvers that can be empty). They are reported
at their line and column, never make the definition invalid, and the shipped examples
have none."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import api.cli.definitions  # noqa: F401  (registers validate)
from api.cli import app
from engine.core import load_definition
from engine.core.lint import MAX_CASES, definition_warnings
from tests.engine.helpers import DEFS, EXAMPLES, directory

WARNED = Path(__file__).parent / "warned" / "warnings.yaml"


def test_each_warning_is_reported_where_it_is() -> None:
    text = WARNED.read_text(encoding="utf-8")
    load_definition(text, WARNED.name, directory())  # loads: warnings are not errors
    found = definition_warnings(text, WARNED.name, directory())
    expected = WARNED.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    assert [f"{w.line}:{w.column}: {w.message}" for w in found] == expected
    assert all(w.severity == "warning" for w in found)
    assert str(found[0]) == f"{WARNED.name}:{expected[0].split(': ', 1)[0]}: warning: " \
        + expected[0].split(": ", 1)[1]


@pytest.mark.parametrize("key", EXAMPLES)
def test_the_examples_have_no_warnings(key: str) -> None:
    text = (DEFS / f"{key}.yaml").read_text(encoding="utf-8")
    assert definition_warnings(text, key, directory()) == []


BASE = """
key: w
title: W
form:
  type: object
  required: [region]
  properties: {region: {type: string, enum: [east, north, south]}, note: {type: string}}
start: a
nodes:
  a:
    approvers: APPROVERS
    on: {approve: done, reject: done}
  done: {final: approved}
"""


@pytest.mark.parametrize(("approvers", "warned"), [
    ("{role: sample_manager, in_unit: {field: region}}", False),  # one in every region
    ("{role: expansion, in_unit: {field: region}}", True),  # none in south
    ("[{role: expansion, in_unit: {field: region}}, {role: finance}]", False),  # finance staffs
    ("{head_of: {field: region}}", False),
    ("{head_of: {field: note}}", True),  # optional field
    ("{role: process_owner}", False),
    ("{manager_of: initiator}", False),  # depends on who starts: not judged
])
def test_approvers_that_can_be_empty(approvers: str, warned: bool) -> None:
    text = BASE.replace("APPROVERS", approvers)
    load_definition(text, "w.yaml", directory())
    found = [w.message for w in definition_warnings(text, "w.yaml", directory())]
    assert bool(found) == warned, found
    fallback = text.replace("start: a", "policies: {fallback_approver: deng.hao}\nstart: a")
    assert definition_warnings(fallback, "w.yaml", directory()) == []


ROUTED = """
key: r
title: R
form:
  type: object
  required: [FIELDS]
  properties: {PROPERTIES, note: {type: string}}
start: a
nodes:
  a:
    approvers: {role: finance}
    on:
      approve: [{if: "CONDITION", to: done}, {to: done}]
      reject: done
  done: {final: approved}
"""


def _routed(fields: int, condition: str) -> str:
    names = [f"f{i}" for i in range(fields)]
    return (ROUTED.replace("FIELDS", ", ".join(names))
            .replace("PROPERTIES", ", ".join(f"{n}: {{type: integer, enum: [1, 2, 3, 4, 5, 6, "
                                             "7, 8, 9]}" for n in names))
            .replace("CONDITION", condition))


def test_conditions_are_judged_only_over_few_known_values() -> None:
    never = "f0 == 10"
    text = _routed(1, never)
    load_definition(text, "r.yaml", directory())
    assert [w.message for w in definition_warnings(text, "r.yaml", directory())] == [
        "route to 'done' for 'approve' can never be taken: its condition is never true for "
        "the values the form allows"]
    assert MAX_CASES < 9 ** 5  # too many combinations: left alone rather than slow
    five = "f0 + f1 + f2 + f3 + f4 == 100"  # never true either, but 9 ** 5 cases
    assert definition_warnings(_routed(5, five), "r.yaml", directory()) == []
    # a field with any text: not judged
    assert definition_warnings(_routed(1, "len(note) > 3 and f0 == 10"), "r.yaml",
                               directory()) == []


def test_a_text_that_does_not_load_has_no_warnings_only_its_errors() -> None:
    assert definition_warnings("key: [", "x.yaml", directory()) == []


def test_cli_validate_prints_warnings_and_still_exits_zero(tmp_path: Path) -> None:
    path = tmp_path / "warned.yaml"
    path.write_text(WARNED.read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", "--org", str(DEFS / "org.yaml"), str(path)])
    assert result.exit_code == 0, result.output
    assert f"{path}:14:3: warning: approval node 'triage' has no 'reject:' route" in \
        result.output
    assert "1 file(s) checked, 0 invalid, 7 warning(s)" in result.output
