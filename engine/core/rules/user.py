"""``{user: wang.fang}``: that user."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.core.directory import OrgDirectory
from engine.core.rules._base import ApproverRule, RuleType


def _problem(rule: ApproverRule, fields: Mapping[str, Any], directory: OrgDirectory | None
             ) -> str | None:
    if directory is not None and rule.value not in directory.users:
        return f"unknown user {rule.value!r}"
    return None


RULE = RuleType(
    key="user", order=10,
    schema={"user": {"type": "string", "minLength": 1}},
    parse=lambda raw: ApproverRule("user", str(raw["user"])),
    resolve=lambda rule, initiator, data, directory: [rule.value],
    problem=_problem)
