"""``{role: sample_manager, in_unit: {field: region}}``: the holders of the role who are
members of that org unit or of a unit under it (sorted by username); without ``role``,
every member. The unit comes from a selector (``engine.core.rules._unit``): a form field
holding a unit id, the initiator's own unit (``unit_of: initiator``) or a fixed unit,
``level`` counting up the unit tree (``{unit_of: initiator, level: 2}``: the unit above
the initiator's). Nobody when the unit cannot be found."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.core.directory import OrgDirectory
from engine.core.rules import _unit
from engine.core.rules._base import ApproverRule, RuleType


def _parse(raw: Mapping[str, Any]) -> ApproverRule:
    selector, level = _unit.parse(raw["in_unit"])
    return ApproverRule("in_unit", str(raw.get("role") or ""), level, selector)


def _resolve(rule: ApproverRule, initiator: str, data: Mapping[str, Any],
             directory: OrgDirectory) -> list[str]:
    unit = _unit.unit_id(rule, initiator, data, directory)
    return list(directory.members(unit, rule.value or None)) if unit else []


def _problem(rule: ApproverRule, form: Mapping[str, Any], directory: OrgDirectory | None
             ) -> str | None:
    if directory is not None and rule.value and rule.value not in directory.roles:
        return f"unknown role {rule.value!r}"
    return _unit.problem(rule, "in_unit", form, directory)


def _label(rule: ApproverRule) -> str:
    who = f"role:{rule.value}" if rule.value else "members"
    return f"{who}@{_unit.label(rule)}"


RULE = RuleType(
    key="in_unit", order=15,  # before ``role``: {role: R, in_unit: ...} is this rule
    schema={"in_unit": _unit.SCHEMA},
    parse=_parse, resolve=_resolve, problem=_problem, label=_label)
