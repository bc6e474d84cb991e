"""Approver rules: one module per kind of rule, found here by a registry.

Each module of this package (not starting with ``_``) defines ``RULE``, a ``RuleType``:
the rule's YAML key, its JSON Schema fragment, how it is parsed, checked and resolved.
The loader, the definition schema and the semantic checks ask the registry, so adding a
rule is adding one module (and its tests); see docs/extending.md.

- ``RULES``: key -> ``RuleType``, in precedence order
- ``parse(raw) -> tuple[ApproverRule, ...]``: a node's ``approvers``/``notify`` value
- ``resolve(rule, initiator, data, directory) -> list[str]``: users present in the directory
- ``problem(rule, form_properties, directory) -> str | None``; ``label(rule) -> str``
- ``rule_schema() -> dict``: ``$defs/rule`` of ``definition.schema.json``
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from typing import Any

from engine.core.directory import OrgDirectory
from engine.core.rules._base import ApproverRule, RuleType


def _discover() -> dict[str, RuleType]:
    found: list[RuleType] = []
    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_"):
            rule = importlib.import_module(f"{__name__}.{module.name}").RULE
            assert isinstance(rule, RuleType), f"{module.name}.RULE is not a RuleType"
            found.append(rule)
    return {r.key: r for r in sorted(found, key=lambda r: (r.order, r.key))}


RULES: dict[str, RuleType] = _discover()


def parse(raw: Any) -> tuple[ApproverRule, ...]:
    """The rules of a (schema-valid) ``approvers`` or ``notify`` value: one rule object or
    a list of them. An object naming no known rule is skipped (the schema reports it)."""
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for item in items:
        kind = next((k for k in RULES if k in item), None)
        if kind is not None:
            out.append(RULES[kind].parse(item))
    return tuple(out)


def resolve(rule: ApproverRule, initiator: str, data: Mapping[str, Any],
            directory: OrgDirectory) -> list[str]:
    """Usernames a rule names right now (only users present in the directory)."""
    found = RULES[rule.kind].resolve(rule, initiator, data, directory)
    return [u for u in found if u in directory.users]


def problem(rule: ApproverRule, fields: Mapping[str, Any], directory: OrgDirectory | None
            ) -> str | None:
    return RULES[rule.kind].problem(rule, fields, directory)


_labels: dict[ApproverRule, str] = {}  # a rule is a frozen value: its label never changes


def label(rule: ApproverRule) -> str:
    known = _labels.get(rule)
    if known is None:
        found = RULES.get(rule.kind)
        known = found.label(rule) if found is not None else f"{rule.kind}:{rule.value}"
        if len(_labels) < 100_000:
            _labels[rule] = known
    return known


def rule_schema() -> dict[str, Any]:
    """The JSON Schema of one rule object: the union of every rule's properties."""
    properties: dict[str, Any] = {}
    for rule in RULES.values():
        properties.update(rule.schema)
    return {"type": "object", "minProperties": 1, "additionalProperties": False,
            "properties": properties}


__all__ = ["RULES", "ApproverRule", "RuleType", "label", "parse", "problem", "resolve",
           "rule_schema"]
