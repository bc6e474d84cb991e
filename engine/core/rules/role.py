"""``{role: finance}``: every user holding the role (sorted by username)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.core.directory import OrgDirectory
from engine.core.rules._base import ApproverRule, RuleType


def _problem(rule: ApproverRule, fields: Mapping[str, Any], directory: OrgDirectory | None
             ) -> str | None:
    if directory is not None and rule.value not in directory.roles:
        return f"unknown role {rule.value!r}"
    return None


RULE = RuleType(
    key="role", order=20,
    schema={"role": {"type": "string", "minLength": 1}},
    parse=lambda raw: ApproverRule("role", str(raw["role"])),
    resolve=lambda rule, initiator, data, directory: list(directory.users_with_role(rule.value)),
    problem=_problem)
