"""What an approver rule is made of: ``ApproverRule`` (a parsed rule in a definition) and
``RuleType`` (one kind of rule: its YAML shape, JSON Schema, checks and resolution)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.core.directory import OrgDirectory


@dataclass(frozen=True, slots=True)
class ApproverRule:
    """One rule of a node's ``approvers`` (or ``notify``): its ``kind`` (a registered
    ``RuleType.key``), its ``value`` and, for ``manager_of``, how many ``levels`` up; the
    unit rules (``in_unit``, ``head_of``) also name a ``unit`` selector, ``(how, what)``:
    ``("field", "region")``, ``("unit_of", "initiator")`` or ``("unit", "east")``, with
    ``levels`` counting up the unit tree from it."""

    kind: str
    value: str
    levels: int = 1
    unit: tuple[str, str] | None = None

    def __str__(self) -> str:
        from engine.core.rules import label  # the registry imports this module
        return label(self)


def _no_problem(rule: ApproverRule, fields: Mapping[str, Any], directory: OrgDirectory | None
                ) -> str | None:
    return None


def _kind_value(rule: ApproverRule) -> str:
    return f"{rule.kind}:{rule.value}"


@dataclass(frozen=True, slots=True)
class RuleType:
    """A kind of approver rule, defined in one module of ``engine.core.rules``.

    - ``key``: the YAML key that names the rule (``{role: finance}``); ``order``: which
      key wins when a rule object has several (lowest first).
    - ``schema``: the JSON Schema properties this rule adds to a rule object (the
      ``$defs/rule`` of ``definition.schema.json`` is their union).
    - ``parse(raw)``: the ``ApproverRule`` of a schema-valid rule object naming ``key``.
    - ``resolve(rule, initiator, data, directory)``: the usernames it names now (the caller
      keeps only users present in the directory).
    - ``problem(rule, form_properties, directory)``: what is wrong with it in a definition
      (``form_properties``: field name -> its JSON Schema; ``in`` asks for a field)
      (None when fine; ``directory`` is None when checked without one).
    - ``label(rule)``: how it is written in task records and diagrams (``role:finance``).
    """

    key: str
    order: int
    schema: Mapping[str, Any]
    parse: Callable[[Mapping[str, Any]], ApproverRule]
    resolve: Callable[[ApproverRule, str, Mapping[str, Any], OrgDirectory], list[str]]
    problem: Callable[[ApproverRule, Mapping[str, Any], OrgDirectory | None], str | None] = field(
        default=_no_problem)
    label: Callable[[ApproverRule], str] = field(default=_kind_value)


__all__ = ["ApproverRule", "RuleType"]
