"""Warnings about a definition that loads: things that are allowed but most likely not
meant. They never make a definition invalid (``signoff validate`` exits 0 and prints them
as ``path:line:column: warning: message``; the API returns them with ``severity``).

- an approval step without ``on: {reject: ...}``: its approvers cannot reject;
- a route that can never be taken: a repeated condition, a condition that is never true,
  or a route every form value leaves to an earlier one. Exact when the fields the
  conditions read have a finite set of values (``enum``, ``boolean``; a field that is not
  ``required`` may also be empty), else only the first two are found;
- an approval step whose approvers can be empty (and no ``fallback_approver``): a role
  nobody holds, an optional form field naming the approver, a unit rule for a unit (or a
  value of the form field's ``enum``) with nobody in it. Rules that depend on who starts
  the request (``manager_of``, ``unit_of: initiator``) are not judged: a top-level
  initiator has no manager, and that is the fallback's job.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from engine.core import conditions, rules
from engine.core.checks import Found, route_paths
from engine.core.definition import Node, ProcessDefinition, Route
from engine.core.directory import OrgDirectory
from engine.core.errors import DefinitionError, DefinitionInvalid, ExpressionFailed
from engine.core.loader import build
from engine.core.rules import _unit
from engine.core.yamlpos import plain, position, read_yaml

MAX_CASES = 4096  # form value combinations tried for one list of routes


def definition_warnings(text: str, source: str = "<string>",
                        directory: OrgDirectory | None = None) -> list[DefinitionError]:
    """The warnings of a definition text that loads (``load_definition`` first: a text
    that does not load has no warnings here, its errors say what is wrong)."""
    try:
        doc = read_yaml(text, source)
        data = plain(doc)
        defn = build(data, text)
    except (DefinitionInvalid, KeyError, TypeError, AttributeError, ValueError):
        return []
    found = [DefinitionError(source, *position(doc, path, key=key), msg, "warning")
             for path, key, msg in lint(defn, data, directory)]
    return sorted(dict.fromkeys(found), key=lambda e: (e.line, e.column, e.message))


def lint(defn: ProcessDefinition, data: Mapping[str, Any], directory: OrgDirectory | None
         ) -> list[Found]:
    out: list[Found] = []
    properties = defn.form_schema.get("properties") or {}
    required = set(defn.form_schema.get("required") or ())
    for node in defn.nodes.values():
        raw = data["nodes"][node.id]
        if node.kind != "approval":
            if node.kind == "notify":
                out += _dead_routes(node, raw, properties, required)
            continue
        if "reject" not in node.routes:
            out.append((("nodes", node.id), True, f"approval node {node.id!r} has no "
                        "'reject:' route: its approvers cannot reject"))
        out += _dead_routes(node, raw, properties, required)
        if node.policies.fallback_approver is None and directory is not None:
            out += _empty(node, raw, properties, required, directory)
    return out


# --- routes that can never be taken -----------------------------------------------------

def _domain(spec: Any, optional: bool) -> list[Any] | None:
    """Every value a form field can hold (None: empty), or None when there are too many."""
    if not isinstance(spec, Mapping):
        return None
    values: list[Any] | None = None
    if isinstance(spec.get("enum"), list):
        values = list(spec["enum"])
    elif "const" in spec:
        values = [spec["const"]]
    elif spec.get("type") == "boolean":
        values = [True, False]
    if values is None:
        return None
    return [*values, None] if optional else values


def _dead_routes(node: Node, raw: Mapping[str, Any], properties: Mapping[str, Any],
                 required: set[str]) -> Iterator[Found]:
    paths = list(route_paths(node, raw))
    for action, routes in node.routes.items():
        mine = [p for p in paths if _action_of(p[0]) == action]
        if len(routes) < 2 or len(mine) != len(routes):
            continue
        yield from _dead(action, routes, [p[0] for p in mine], properties, required)


def _action_of(path: tuple[str | int, ...]) -> str:
    return "next" if path[2] == "next" else str(path[3])


def _dead(action: str, routes: Sequence[Route], paths: Sequence[tuple[str | int, ...]],
          properties: Mapping[str, Any], required: set[str]) -> Iterator[Found]:
    seen: dict[str, int] = {}
    dead: set[int] = set()
    for i, route in enumerate(routes):
        if route.condition is None:
            continue
        if route.condition in seen:
            dead.add(i)
            yield (paths[i], False, f"route to {route.target!r} for {action!r} can never be "
                   f"taken: the same condition {route.condition!r} sends the request to "
                   f"{routes[seen[route.condition]].target!r} first")
        seen.setdefault(route.condition, i)
    try:
        names = set().union(*(conditions.names_in(r.condition) for r in routes
                              if r.condition is not None))
    except conditions.ConditionError:
        return  # an error of its own
    domains = {n: _domain(properties.get(n), n not in required) for n in names}
    if any(d is None for d in domains.values()):
        return
    fields = sorted(domains)
    total = 1
    for f in fields:
        total *= len(domains[f] or ())
    if total > MAX_CASES:
        return
    taken: set[int] = set()
    try:
        for values in itertools.product(*(domains[f] or () for f in fields)):
            case = {f: v for f, v in zip(fields, values, strict=True) if v is not None}
            for i, route in enumerate(routes):
                if route.condition is None or conditions.evaluate(route.condition, case):
                    taken.add(i)
                    break
    except ExpressionFailed:
        return  # fails on some values: that is for the run to report
    for i, route in enumerate(routes):
        if i not in taken and i not in dead:
            why = ("its condition is never true for the values the form allows"
                   if route.condition is not None else
                   "the conditions before it cover every value the form allows")
            yield (paths[i], False, f"route to {route.target!r} for {action!r} can never "
                   f"be taken: {why}")


# --- approvers that can be empty --------------------------------------------------------

def _empty(node: Node, raw: Mapping[str, Any], properties: Mapping[str, Any],
           required: set[str], directory: OrgDirectory) -> Iterator[Found]:
    value = raw.get("approvers")
    reasons: list[tuple[tuple[str | int, ...], str]] = []
    for i, rule in enumerate(node.approvers):
        path: tuple[str | int, ...] = ("nodes", node.id, "approvers")
        path = (*path, i, rule.kind) if isinstance(value, list) else (*path, rule.kind)
        if (why := _rule_empty(rule, properties, required, directory)) is not None:
            reasons.append((path, why))
    if reasons and len(reasons) == len(node.approvers):  # another rule may still staff it
        for path, why in reasons:
            yield (path, False, f"the approvers of {node.id!r} can be empty: {why}; "
                   "set policies.fallback_approver or change the rule")


def _rule_empty(rule: rules.ApproverRule, properties: Mapping[str, Any], required: set[str],
                directory: OrgDirectory) -> str | None:
    if rule.kind == "role":
        return None if directory.users_with_role(rule.value) else \
            f"nobody holds role {rule.value!r}"
    if rule.kind == "field" and rule.value not in required:
        return f"the form field {rule.value!r} is not required"
    if rule.kind not in ("in_unit", "head_of") or rule.unit is None:
        return None
    how, what = rule.unit
    if how == "field" and what not in required:
        return f"the form field {what!r} is not required"
    for unit in _unit.candidates(rule, properties, directory) or ():
        target = directory.unit_up(unit, rule.levels)
        if rule.kind == "head_of":
            head = directory.head_of(target)
            if head is None or head not in directory.users:
                return f"unit {target or unit!r} has no head"
        elif target is None or not directory.members(target, rule.value or None):
            who = f"holds role {rule.value!r}" if rule.value else "is a member"
            return f"nobody in unit {target or unit!r} {who}"
    return None


__all__ = ["MAX_CASES", "definition_warnings", "lint"]
