"""``{head_of: {unit_of: initiator, level: 2}}``: the head of an org unit. The unit comes
from a selector (``engine.core.rules._unit``): a form field holding a unit id
(``{head_of: {field: department}}``), the initiator's own unit, or a fixed unit
(``{head_of: {unit: finance}}``); ``level`` counts up the unit tree (1, the default, is
that unit). Nobody when the unit or its head cannot be found."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.core.directory import OrgDirectory
from engine.core.rules import _unit
from engine.core.rules._base import ApproverRule, RuleType


def _parse(raw: Mapping[str, Any]) -> ApproverRule:
    selector, level = _unit.parse(raw["head_of"])
    return ApproverRule("head_of", "", level, selector)


def _resolve(rule: ApproverRule, initiator: str, data: Mapping[str, Any],
             directory: OrgDirectory) -> list[str]:
    head = directory.head_of(_unit.unit_id(rule, initiator, data, directory))
    return [head] if head else []


RULE = RuleType(
    key="head_of", order=45,
    schema={"head_of": _unit.SCHEMA},
    parse=_parse, resolve=_resolve,
    problem=lambda rule, form, directory: _unit.problem(rule, "head_of", form, directory),
    label=lambda rule: f"head_of:{_unit.label(rule)}")
