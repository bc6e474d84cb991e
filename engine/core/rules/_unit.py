"""The unit selector shared by the unit rules (``in_unit``, ``head_of``): which org unit a
rule means, from a form field, the initiator's own unit or a fixed unit, and how many
levels up the unit tree (``level: 1``, the default, is that unit itself)::

    {field: region}                  # the unit whose id the form field holds
    {unit_of: initiator, level: 2}   # the unit above the initiator's own
    {unit: east}                     # that unit
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.core.directory import OrgDirectory
from engine.core.rules._base import ApproverRule

HOWS = ("field", "unit_of", "unit")

SCHEMA: dict[str, Any] = {
    "description": "An org unit: exactly one of field (a form field holding a unit id), "
                   "unit_of: initiator, unit (a unit id); level 2 is the unit above it.",
    "type": "object", "additionalProperties": False, "minProperties": 1,
    "properties": {
        "field": {"type": "string", "minLength": 1},
        "unit_of": {"const": "initiator"},
        "unit": {"type": "string", "minLength": 1},
        "level": {"type": "integer", "minimum": 1, "maximum": 10},
    },
}


def parse(raw: Mapping[str, Any]) -> tuple[tuple[str, str], int]:
    """The ``(how, what)`` selector and the level of a schema-valid selector object; a
    selector naming none or several of ``field``/``unit_of``/``unit`` reads as
    ``("?", those keys)`` so that ``problem`` reports it."""
    hows = [h for h in HOWS if h in raw]
    level = int(raw.get("level", 1))
    if len(hows) != 1:
        return ("?", ",".join(hows)), level
    return (hows[0], str(raw[hows[0]])), level


def unit_id(rule: ApproverRule, initiator: str, data: Mapping[str, Any],
            directory: OrgDirectory) -> str | None:
    """The unit the rule means for this request, or None (empty field, unknown unit,
    initiator without a unit, the tree ends below ``level``)."""
    how, what = rule.unit or ("?", "")
    if how == "field":
        value = data.get(what)
        start = value if isinstance(value, str) else None
    elif how == "unit_of":
        start = directory.users[initiator].unit if initiator in directory.users else None
    elif how == "unit":
        start = what
    else:
        return None
    return directory.unit_up(start, rule.levels)


def label(rule: ApproverRule) -> str:
    """``field:region``, ``unit_of:initiator:2``, ``unit:east``."""
    how, what = rule.unit or ("?", "")
    return f"{how}:{what}" + (f":{rule.levels}" if rule.levels != 1 else "")


def problem(rule: ApproverRule, key: str, form: Mapping[str, Any],
            directory: OrgDirectory | None) -> str | None:
    """What is wrong with the selector of ``rule`` (written under ``key``)."""
    how, what = rule.unit or ("?", "")
    if how == "?":
        found = f" (found: {what.replace(',', ', ')})" if what else ""
        return f"{key!r} needs exactly one of 'field', 'unit_of', 'unit'{found}"
    if how == "field":
        if what not in form:
            return f"{key} field {what!r} is not in the form"
        spec = form[what]
        values = spec.get("enum") if isinstance(spec, Mapping) else None
        if directory is not None and isinstance(values, list):
            unknown = [v for v in values if isinstance(v, str) and v not in directory.units]
            if unknown:
                return (f"{key} field {what!r} can hold {', '.join(map(repr, unknown))}, "
                        "which is not an org unit")
    if how == "unit" and directory is not None and what not in directory.units:
        return f"unknown org unit {what!r}"
    return None


def candidates(rule: ApproverRule, form: Mapping[str, Any], directory: OrgDirectory
               ) -> list[str] | None:
    """Every unit the selector can mean (before ``level``) when that is known from the
    definition alone: a fixed unit, or a form field with an ``enum``; else None."""
    how, what = rule.unit or ("?", "")
    if how == "unit":
        return [what]
    spec = form.get(what) if how == "field" else None
    values = spec.get("enum") if isinstance(spec, Mapping) else None
    if isinstance(values, list):
        return [v for v in values if isinstance(v, str)]
    return None


__all__ = ["HOWS", "SCHEMA", "candidates", "label", "parse", "problem", "unit_id"]
