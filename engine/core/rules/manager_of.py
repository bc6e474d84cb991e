"""``{manager_of: initiator, levels: 2}``: the initiator's manager, ``levels`` up (1 when
not given); nobody when the chain ends sooner."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.core.directory import OrgDirectory
from engine.core.rules._base import ApproverRule, RuleType


def _resolve(rule: ApproverRule, initiator: str, data: Mapping[str, Any],
             directory: OrgDirectory) -> list[str]:
    manager = directory.manager_of(initiator, rule.levels)
    return [manager] if manager else []


def _label(rule: ApproverRule) -> str:
    suffix = f":{rule.levels}" if rule.levels != 1 else ""
    return f"manager_of:{rule.value}{suffix}"


RULE = RuleType(
    key="manager_of", order=50,
    schema={"manager_of": {"const": "initiator"},
            "levels": {"type": "integer", "minimum": 1, "maximum": 10}},
    parse=lambda raw: ApproverRule("manager_of", str(raw["manager_of"]),
                                   int(raw.get("levels", 1))),
    resolve=_resolve, label=_label)
