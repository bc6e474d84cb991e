"""What a definition means, checked: targets exist, every node is reachable and can reach
a final node, approvers exist in the directory, the form schema is valid, conditions
parse and name form fields. Errors come back as (yaml path, at-key?, message)."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from datetime import timedelta
from typing import Any

from engine.core import conditions, rules
from engine.core.definition import Node, ProcessDefinition, parse_sla
from engine.core.directory import OrgDirectory
from engine.core.form_rules import rule_problems
from engine.core.forms import schema_errors
from engine.core.service_checks import answer_kinds, service_errors
from engine.core.timer_checks import timer_errors

Found = tuple[tuple[str | int, ...], bool, str]


def semantic_errors(defn: ProcessDefinition, data: Mapping[str, Any],
                    directory: OrgDirectory | None,
                    systems: Collection[str] | None = None) -> list[Found]:
    """Every problem of meaning; ``systems`` are the outside systems configured for
    service steps (None: not checked)."""
    properties = defn.form_schema.get("properties") or {}
    kinds = {**answer_kinds(defn), **conditions.field_kinds(properties)}
    out: list[Found] = []
    out += _form(defn)
    if defn.start not in defn.nodes:
        out.append((("start",), False, f"start node {defn.start!r} is not defined"))
    for node in defn.nodes.values():
        raw = data["nodes"][node.id]
        out += _shape(node, raw)
        out += service_errors(defn, node, kinds, systems)
        out += _targets(defn, node, raw)
        out += _conditions(node, raw, kinds)
        out += _rules(node, raw, properties, directory)
        out += timer_errors(node, raw, data, directory)
    out += _graph(defn)
    out += _forks(defn)
    out += _deadline(defn, data.get("deadline"))
    out += _report(defn, directory)
    if directory is not None and defn.policies.fallback_approver is not None \
            and defn.policies.fallback_approver not in directory.users:
        out.append((("policies", "fallback_approver"), False,
                    f"unknown user {defn.policies.fallback_approver!r}"))
    return out


def _report(defn: ProcessDefinition, directory: OrgDirectory | None) -> Iterator[Found]:
    """``report.daily``: a known time zone, known users and roles."""
    if defn.report is None:
        return
    base = ("report", "daily")
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    try:
        ZoneInfo(defn.report.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        yield ((*base, "time_zone"), False, f"unknown time zone {defn.report.time_zone!r}")
    if directory is None:
        return
    for i, who in enumerate(defn.report.to):
        role = who.removeprefix("role:")
        if who.startswith("role:") and role not in directory.roles:
            yield ((*base, "to", i), False, f"unknown role {role!r}")
        elif not who.startswith("role:") and who not in directory.users:
            yield ((*base, "to", i), False, f"unknown user {who!r}")


_DATE_FORMATS = ("date", "date-time")


def _deadline(defn: ProcessDefinition, raw: Any) -> Iterator[Found]:
    """``deadline``: a form date field (with ``before``) or ``within`` of the start."""
    if not isinstance(raw, Mapping) or defn.deadline is None:
        return
    rule, base = defn.deadline, ("deadline",)
    if ("field" in raw) == ("within" in raw):
        yield (base, True, "deadline needs either 'field' (a form date) or 'within' "
                           "(a duration after the start), not both")
    if "before" in raw and "field" not in raw:
        yield ((*base, "before"), True, "'before' is only allowed with 'field'")
    if rule.field is not None:
        spec = (defn.form_schema.get("properties") or {}).get(rule.field)
        if not isinstance(spec, Mapping):
            yield ((*base, "field"), False,
                   f"deadline field {rule.field!r} is not in the form")
        elif spec.get("type") != "string" or spec.get("format") not in _DATE_FORMATS:
            yield ((*base, "field"), False, f"deadline field {rule.field!r} is not a date "
                   "(type: string, format: date or date-time)")
    for key in ("before", "within"):
        if key in raw and (parse_sla(str(raw[key])) or timedelta(0)) <= timedelta(0):
            yield ((*base, key), False, f"deadline {key} {raw[key]!r} must be a duration "
                                        "above zero, such as 30d or 10d")


def _form(defn: ProcessDefinition) -> list[Found]:
    out: list[Found] = []
    for pointer, msg in schema_errors(defn.form_schema):
        parts = tuple(int(p) if p.isdigit() else p for p in pointer.split("/")[1:])
        out.append((("form", *parts), False, f"invalid form schema: {msg}"))
    for name, rule, msg in rule_problems(defn.form_schema):
        out.append((("form", "properties", name, rule), False, msg))
    return out


def _shape(node: Node, raw: Mapping[str, Any]) -> Iterator[Found]:
    base = ("nodes", node.id)
    kinds = [k for k in ("final", "notify") if k in raw]
    if node.kind == "service":
        for key in ("approvers", "on", "mode", "threshold", "sla", "clock", "remind",
                    "escalate", "reason", "branches", "join", "notify", "policies"):
            if key in raw:
                yield ((*base, key), True, f"service step {node.id!r} cannot have {key!r}")
        if "next" not in raw:
            yield (base, True, f"service step {node.id!r} needs 'next' (where the request "
                               "goes once the system has answered)")
        return
    if node.kind == "final" or node.kind == "notify":
        extra = [k for k in ("approvers", "on", "mode", "threshold", "sla", "clock", "remind",
                               "escalate", "reason", "branches", "join", *kinds[1:])
                 if k in raw]
        for key in extra:
            yield ((*base, key), True, f"{node.kind} node {node.id!r} cannot have {key!r}")
        if node.kind == "notify" and "next" not in raw:
            yield (base, True, f"notify node {node.id!r} needs 'next'")
        if node.kind == "notify" and "notify" not in raw:
            yield (base, True, f"notify node {node.id!r} needs 'notify' (who is copied)")
        return
    if node.kind == "fork":
        yield from _fork_shape(node, raw)
        return
    if "join" in raw:
        yield ((*base, "join"), True, "'join' is only allowed on a fork (with 'branches')")
    if not node.approvers:
        yield (base, True, f"approval node {node.id!r} needs 'approvers'")
    if "approve" not in node.routes:
        yield (base, True, f"approval node {node.id!r} needs 'on: {{approve: ...}}'")
    if node.mode == "threshold" and node.threshold is None:
        yield ((*base, "mode"), False, "mode 'threshold' needs 'threshold: N'")
    if node.threshold is not None and node.mode != "threshold":
        yield ((*base, "threshold"), True, "'threshold' is only allowed with mode 'threshold'")
    users = {r.value for r in node.approvers if r.kind == "user"}
    if node.threshold is not None and len(users) == len(node.approvers) \
            and node.threshold > len(users):
        yield ((*base, "threshold"), False,
               f"threshold {node.threshold} is more than the {len(users)} approvers listed")


def _fork_shape(node: Node, raw: Mapping[str, Any]) -> Iterator[Found]:
    base = ("nodes", node.id)
    for key in ("approvers", "mode", "threshold", "sla", "clock", "remind", "escalate",
                "policies", "reason"):
        if key in raw:
            yield ((*base, key), True, f"fork {node.id!r} cannot have {key!r}: its branches' "
                                       "steps have the approvers")
    if "return" in (raw.get("on") or {}):
        yield ((*base, "on", "return"), True, f"fork {node.id!r} cannot have 'return'")
    if "approve" not in node.routes:
        yield (base, True, f"fork {node.id!r} needs 'on: {{approve: ...}}' (where the "
                           "request goes once the branches are joined)")


def _forks(defn: ProcessDefinition) -> Iterator[Found]:
    """Branches: known first steps, no nested forks, no final node inside, every step
    comes back to the join, only the fork enters a branch, one branch per step."""
    members: dict[str, tuple[str, str]] = {}
    for fork in (n for n in defn.nodes.values() if n.kind == "fork"):
        for name, first in fork.branches.items():
            path = ("nodes", fork.id, "branches", name)
            if first not in defn.nodes:
                yield (path, False, f"unknown branch target node {first!r}")
                continue
            if first == fork.id:
                yield (path, False, f"branch {name!r} cannot start at its own fork")
                continue
            steps = _branch(defn, fork.id, first)
            for step in sorted(steps):
                kind = defn.nodes[step].kind
                if step in members and members[step] != (fork.id, name):
                    yield (path, False, f"step {step!r} is in branch {name!r} and in "
                           f"branch {members[step][1]!r} of fork {members[step][0]!r}; "
                           "a step belongs to one branch")
                    continue
                members[step] = (fork.id, name)
                if kind == "fork":
                    yield (path, False, f"branch {name!r} reaches fork {step!r}: forks "
                           "inside branches are not supported")
                elif kind == "final":
                    yield (path, False, f"branch {name!r} reaches final node {step!r}; a "
                           f"branch ends by routing back to its fork {fork.id!r} (the join)")
                elif fork.id not in _reachable(defn, step, stop=fork.id):
                    yield (path, False, f"step {step!r} of branch {name!r} never reaches "
                           f"the join (route it back to {fork.id!r})")
            rejects = any(r.target == fork.id for s in steps
                          for r in defn.nodes[s].routes.get("reject", ()))
            if rejects and "reject" not in fork.routes:
                yield (("nodes", fork.id), True, f"fork {fork.id!r} needs 'on: {{reject: "
                       f"...}}': a step of branch {name!r} can reject")
    if defn.start in members:
        yield (("start",), False, f"start node {defn.start!r} is inside a branch")
    for node in defn.nodes.values():
        for target in node.targets():
            inside = members.get(target)
            if inside is None or members.get(node.id) == inside or (
                    node.id == inside[0] and defn.nodes[node.id].branches.get(inside[1])
                    == target):
                continue
            yield (("nodes", node.id), True, f"{node.id!r} leads into branch {inside[1]!r} "
                   f"of fork {inside[0]!r}; only the fork starts its branches")
        if node.return_to in members:
            yield (("nodes", node.id, "on", "return"), False, f"return target "
                   f"{node.return_to!r} is inside a branch; return to the initiator or to "
                   "a step before the fork")


def _branch(defn: ProcessDefinition, fork: str, first: str) -> set[str]:
    """The steps of a branch: reached from its first step without passing the fork."""
    return _reachable(defn, first, stop=fork) - {fork}


def route_paths(node: Node, raw: Mapping[str, Any]) -> Iterator[tuple[tuple[str | int, ...],
                                                                         str | None, str]]:
    """(yaml path of the route, condition, target) for every route of the node."""
    for action, routes in node.routes.items():
        if action == "timeout":  # a service step's escalate: {to: node}
            yield ("nodes", node.id, "service", "escalate", "to"), None, routes[0].target
            continue
        base = ("nodes", node.id, "next") if action == "next" else ("nodes", node.id, "on", action)
        value = raw.get("next") if action == "next" else (raw.get("on") or {}).get(action)
        for i, route in enumerate(routes):
            yield ((*base, i) if isinstance(value, list) else base), route.condition, route.target


def _targets(defn: ProcessDefinition, node: Node, raw: Mapping[str, Any]) -> Iterator[Found]:
    for path, _cond, target in route_paths(node, raw):
        if target not in defn.nodes:
            yield ((*path, "to") if isinstance(path[-1], int) else path, False,
                   f"unknown target node {target!r}")
    for action, routes in node.routes.items():
        for i, route in enumerate(routes):
            if route.condition is not None and i == len(routes) - 1:
                yield (("nodes", node.id, *(("next",) if action == "next" else ("on", action)), i),
                       False, f"routes for {action!r} need a last entry without 'if'")
    if node.return_to and node.return_to != "initiator":
        path = ("nodes", node.id, "on", "return")
        if node.return_to not in defn.nodes:
            yield (path, False, f"unknown target node {node.return_to!r}")
        elif node.id not in _reachable(defn, node.return_to) or \
                defn.nodes[node.return_to].kind != "approval":
            yield (path, False, f"return target {node.return_to!r} is not an earlier approval node")


def _conditions(node: Node, raw: Mapping[str, Any], fields: Mapping[str, str]
                ) -> Iterator[Found]:
    for path, cond, _target in route_paths(node, raw):
        if cond is not None:
            for msg in conditions.check(cond, fields):
                yield ((*path, "if"), False, msg)


def _rules(node: Node, raw: Mapping[str, Any], fields: Mapping[str, Any],
           directory: OrgDirectory | None) -> Iterator[Found]:
    for key, found in (("approvers", node.approvers), ("notify", node.notify)):
        value = raw.get(key)
        for i, rule in enumerate(found):
            path: tuple[str | int, ...] = ("nodes", node.id, key)
            path = (*path, i, rule.kind) if isinstance(value, list) else (*path, rule.kind)
            if (msg := rules.problem(rule, fields, directory)) is not None:
                yield (path, False, msg)
    fallback = node.policies.fallback_approver
    if directory is not None and fallback is not None and fallback not in directory.users \
            and "fallback_approver" in (raw.get("policies") or {}):
        yield (("nodes", node.id, "policies", "fallback_approver"), False,
               f"unknown user {fallback!r}")


def _reachable(defn: ProcessDefinition, start: str, stop: str | None = None) -> set[str]:
    """Nodes reached from ``start`` by routes and branches (not going past ``stop``, which
    is included when reached)."""
    seen, todo = set(), [start]
    while todo:
        current = todo.pop()
        if current in seen or current not in defn.nodes:
            continue
        seen.add(current)
        if current == stop:
            continue
        node = defn.nodes[current]
        todo += [*node.branches.values(),
                 *(t for rs in node.routes.values() for t in (r.target for r in rs))]
    return seen


def _graph(defn: ProcessDefinition) -> Iterator[Found]:
    finals = {n.id for n in defn.nodes.values() if n.kind == "final"}
    if not finals:
        yield (("nodes",), True, "the process has no final node")
        return
    if defn.start not in defn.nodes:
        return
    yield from _notify_loops(defn)
    reached = _reachable(defn, defn.start)
    for node_id in defn.nodes:
        if node_id not in reached:
            yield (("nodes", node_id), True,
                   f"node {node_id!r} cannot be reached from start {defn.start!r}")
        elif not _reachable(defn, node_id) & finals:
            yield (("nodes", node_id), True, f"no final node can be reached from {node_id!r}")


def _notify_loops(defn: ProcessDefinition) -> Iterator[Found]:
    """Notify nodes never wait, so a loop made only of them would never stop."""
    notify = {n.id for n in defn.nodes.values() if n.kind == "notify"}
    for start in sorted(notify):
        todo = [r.target for r in defn.nodes[start].routes.get("next", ())]
        seen: set[str] = set()
        while todo:
            current = todo.pop()
            if current == start:
                yield (("nodes", start), True,
                       f"notify node {start!r} loops back to itself without an approval step")
                break
            if current in notify and current not in seen:
                seen.add(current)
                todo += [r.target for r in defn.nodes[current].routes.get("next", ())]


__all__ = ["Found", "route_paths", "semantic_errors"]
