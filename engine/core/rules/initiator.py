"""``{initiator: true}``: the initiator (mostly to copy them in a notify node)."""

from __future__ import annotations

from engine.core.rules._base import ApproverRule, RuleType

RULE = RuleType(
    key="initiator", order=40,
    schema={"initiator": {"const": True}},
    parse=lambda raw: ApproverRule("initiator", "initiator"),
    resolve=lambda rule, initiator, data, directory: [initiator],
    label=lambda rule: "initiator")
