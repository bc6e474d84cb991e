"""``{field: legal_contact}``: the user named in that form field (nobody when the field is
empty or not a string)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.core.directory import OrgDirectory
from engine.core.rules._base import ApproverRule, RuleType


def _resolve(rule: ApproverRule, initiator: str, data: Mapping[str, Any],
             directory: OrgDirectory) -> list[str]:
    value = data.get(rule.value)
    return [value] if isinstance(value, str) else []


def _problem(rule: ApproverRule, fields: Mapping[str, Any], directory: OrgDirectory | None
             ) -> str | None:
    if rule.value not in fields:
        return f"approver field {rule.value!r} is not in the form"
    return None


RULE = RuleType(
    key="field", order=30,
    schema={"field": {"type": "string", "minLength": 1}},
    parse=lambda raw: ApproverRule("field", str(raw["field"])),
    resolve=_resolve, problem=_problem)
