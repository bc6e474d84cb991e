"""The approver rule registry: one module per rule, found by the loader, the schema and
the checks; and what adding a rule takes (a module's ``RULE``, registered here by hand
because the test cannot add a module to the package)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from engine.core import DecideTask, StartInstance, load_definition, replay, rules
from engine.core.decide import decide
from engine.core.errors import DefinitionInvalid
from engine.core.loader import definition_schema
from engine.core.rules import RULES, ApproverRule, RuleType
from tests.conftest import ROOT
from tests.engine.helpers import T0, directory

SCHEMA_FILE = ROOT / "engine" / "core" / "definition.schema.json"


def test_every_rule_module_is_registered_in_precedence_order() -> None:
    assert list(RULES) == ["user", "in_unit", "role", "field", "initiator", "head_of",
                           "manager_of"]


def test_the_shipped_schema_file_says_what_the_registry_says() -> None:
    shipped = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))["$defs"]["rule"]
    expected = rules.rule_schema()
    assert shipped == expected, (
        "update $defs/rule in engine/core/definition.schema.json to:\n"
        + json.dumps(expected, indent=2))


@pytest.mark.parametrize(("raw", "label", "users"), [
    ({"user": "cao.li"}, "user:cao.li", ["cao.li"]),
    ({"role": "cfo"}, "role:cfo", ["zhou.min"]),
    ({"field": "legal_contact"}, "field:legal_contact", ["song.qian"]),
    ({"initiator": True}, "initiator", ["li.na"]),
    ({"manager_of": "initiator"}, "manager_of:initiator", ["zhao.lei"]),
])
def test_each_rule_parses_labels_and_resolves(raw: dict[str, object], label: str,
                                              users: list[str]) -> None:
    [rule] = rules.parse(raw)
    assert str(rule) == label
    org = directory()
    found = rules.resolve(rule, "li.na", {"legal_contact": "song.qian"}, org)
    assert found == [u for u in users if u in org.users]


# --- adding a rule ----------------------------------------------------------------------

def _resolve_deputy(rule: ApproverRule, initiator: str, data: object, org: object
                    ) -> list[str]:
    """The first member of the role, by username: one deputy rather than the whole role."""
    assert hasattr(org, "users_with_role")
    return list(org.users_with_role(rule.value))[:1]


DEPUTY = RuleType(
    key="deputy_of_role", order=60,
    schema={"deputy_of_role": {"type": "string", "minLength": 1}},
    parse=lambda raw: ApproverRule("deputy_of_role", str(raw["deputy_of_role"])),
    resolve=_resolve_deputy,  # type: ignore[arg-type]
    problem=lambda rule, fields, org: (f"unknown role {rule.value!r}"
                                       if org is not None and rule.value not in org.roles
                                       else None))

YAML = """
key: deputy_demo
title: Deputy demo
form: {type: object, properties: {}}
start: check
nodes:
  check:
    approvers: {deputy_of_role: %s}
    on: {approve: done, reject: done}
  done: {final: approved}
"""


@pytest.fixture
def deputy() -> Iterator[None]:
    RULES[DEPUTY.key] = DEPUTY
    definition_schema.cache_clear()
    try:
        yield
    finally:
        del RULES[DEPUTY.key]
        definition_schema.cache_clear()


@pytest.mark.usefixtures("deputy")
def test_a_new_rule_module_is_all_the_loader_checks_and_decide_need() -> None:
    org = directory()
    role = sorted(org.roles)[0]
    defn = load_definition(YAML % role, "deputy.yaml", org)
    assert str(defn.nodes["check"].approvers[0]) == f"deputy_of_role:{role}"
    with pytest.raises(DefinitionInvalid, match="unknown role 'nobody'"):
        load_definition(YAML % "nobody", "deputy.yaml", org)
    member = org.users_with_role(role)[0]
    initiator = next(u for u in org.users if u != member)
    events = decide(defn, None, StartInstance(definition_key="deputy_demo",
                                              initiator=initiator, data={}), T0, org)
    state = replay(events)
    assert [t.assignee for t in state.tasks] == [member]
    decide(defn, state, DecideTask(task_id=state.tasks[0].task_id, actor=member,
                                   action="approve"), T0, org)


def test_without_the_module_the_same_yaml_is_an_unknown_key() -> None:
    with pytest.raises(DefinitionInvalid, match="unknown key 'deputy_of_role'"):
        load_definition(YAML % "finance", "deputy.yaml")
