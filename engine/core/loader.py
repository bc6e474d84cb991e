"""YAML -> ProcessDefinition: parse with ruamel.yaml (positions), check the format's JSON
Schema (``definition.schema.json``), build the model, then check its meaning
(``checks.py``). Every problem is reported at once as ``DefinitionInvalid``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from datetime import timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from engine.core import rules
from engine.core.checks import semantic_errors
from engine.core.deadline import DeadlineRule
from engine.core.definition import (
    ApproverRule,
    DailyReport,
    Escalation,
    Node,
    NodeKind,
    Policies,
    ProcessDefinition,
    Reminder,
    Route,
    ServiceCall,
    branch_members,
    parse_sla,
)
from engine.core.directory import OrgDirectory
from engine.core.errors import DefinitionError, DefinitionInvalid
from engine.core.explain import root_causes
from engine.core.yamlpos import plain, position, read_yaml


@cache
def definition_schema() -> dict[str, Any]:
    """The JSON Schema of the YAML format (shipped as ``definition.schema.json``)."""
    text = resources.files("engine.core").joinpath("definition.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    schema["$defs"]["rule"] = rules.rule_schema()  # the registry is the source of truth
    return schema


def load_definition_file(path: str | Path, directory: OrgDirectory | None = None, *,
                         systems: Collection[str] | None = None) -> ProcessDefinition:
    p = Path(path)
    return load_definition(p.read_text(encoding="utf-8"), str(p), directory, systems=systems)


def load_definition(text: str, source: str = "<string>",
                    directory: OrgDirectory | None = None, *,
                    systems: Collection[str] | None = None) -> ProcessDefinition:
    """Parse and validate; raise DefinitionInvalid with every error found. ``systems``:
    the outside systems service steps may call (None: their names are not checked)."""
    doc = read_yaml(text, source)
    if not isinstance(doc, Mapping):
        raise DefinitionInvalid([DefinitionError(source, 1, 1, "expected a mapping at the top")])
    data = plain(doc)
    errors = [DefinitionError(source, *pos, msg) for pos, msg in _schema_errors(doc, data)]
    try:
        defn = build(data, text)
    except (KeyError, TypeError, AttributeError, ValueError):
        if errors:  # the structure is broken; the schema errors say how
            raise _invalid(errors, data) from None
        raise
    errors += [DefinitionError(source, *position(doc, path, key=key), msg)
               for path, key, msg in semantic_errors(defn, data, directory, systems)]
    if errors:
        raise _invalid(errors, data)
    return defn


def _invalid(errors: list[DefinitionError], data: Any) -> DefinitionInvalid:
    """Every root error, in order; the follow-on ones only counted (``explain``)."""
    kept, hidden = root_causes(_sorted(errors), data)
    return DefinitionInvalid(kept, hidden)


def _sorted(errors: list[DefinitionError]) -> list[DefinitionError]:
    unique = dict.fromkeys(errors)
    return sorted(unique, key=lambda e: (e.line, e.column, e.message))


def _schema_errors(doc: Any, data: dict[str, Any]) -> list[tuple[tuple[int, int], str]]:
    validator = Draft202012Validator(definition_schema())
    out: list[tuple[tuple[int, int], str]] = []
    for error in validator.iter_errors(data):
        for path, key, msg in _explain(error):
            out.append((position(doc, path, key=key), msg))
    return out


_PATTERNS = {
    "^[a-z][a-z0-9_]*$": "be lower_snake_case (a-z, 0-9 and _, starting with a letter)",
    "^(\\d+w)?(\\d+d)?(\\d+h)?(\\d+m)?$": "be a duration such as 2d, 4h, 1d12h or 30m",
}


def _explain(error: ValidationError) -> list[tuple[tuple[str | int, ...], bool, str]]:
    """Readable messages: unknown keys at the key, ``oneOf`` through its best branch."""
    path = tuple(error.absolute_path)
    where = ".".join(str(p) for p in path) or "the definition"
    if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        allowed = sorted(error.schema.get("properties", {}))
        known = set(allowed)
        if not known:  # nodes: any name allowed; the value is what failed
            return []
        return [((*path, k), True, f"unknown key {k!r} in {where} (allowed: {', '.join(allowed)})")
                for k in error.instance if k not in known]
    if error.validator == "oneOf" and error.context:
        deeper = [e for e in error.context if e.relative_path or e.validator != "type"]
        if deeper:
            return [item for e in deeper for item in _explain(e)]
        return [(path, False, f"{where}: {error.instance!r} has the wrong shape")]
    if error.validator == "required":
        return [(path, False, f"{where}: {error.message}")]
    if error.validator == "pattern":
        hint = _PATTERNS.get(str(error.validator_value), f"match {error.validator_value}")
        return [(path, False, f"{where}: {error.instance!r} must {hint}")]
    return [(path, False, f"{where}: {error.message}")]


def _routes(raw: Any) -> tuple[Route, ...]:
    if isinstance(raw, str):
        return (Route(None, raw),)
    return tuple(Route(r.get("if"), str(r["to"])) for r in raw)


def _policies(raw: Mapping[str, Any] | None, base: Policies) -> Policies:
    raw = raw or {}
    return Policies(
        auto_approve_same_approver=bool(raw.get("auto_approve_same_approver",
                                                base.auto_approve_same_approver)),
        initiator_is_approver=raw.get("initiator_is_approver", base.initiator_is_approver),
        fallback_approver=raw.get("fallback_approver", base.fallback_approver))


def _span(text: Any) -> timedelta:
    return parse_sla(str(text)) or timedelta(0)


def _target(raw: Any) -> ApproverRule | None:
    if raw is None:
        return None
    if raw == "manager":
        return ApproverRule("manager_of", "holder")
    if "role" in raw:
        return ApproverRule("role", str(raw["role"]))
    return ApproverRule("user", str(raw["user"]))


def reminder(raw: Mapping[str, Any]) -> Reminder:
    if "before" in raw:
        return Reminder("before", _span(raw["before"]))
    if "every" in raw:
        return Reminder("every", _span(raw["every"]), int(raw.get("max", 1)))
    return Reminder("at")


def escalation(raw: Mapping[str, Any]) -> Escalation:
    on: Literal["overdue", "at_risk"] = "at_risk" if raw.get("on") == "at_risk" else "overdue"
    after = _span(raw.get("after")) if on == "overdue" else timedelta(0)
    reason = str(raw.get("reason", ""))
    reason_zh = str(raw.get("reason_zh", ""))
    if "auto" in raw:
        return Escalation(after, "auto", decision=raw["auto"], reason=reason, on=on,
                          reason_zh=reason_zh)
    if "reassign" in raw:
        return Escalation(after, "reassign", _target(raw["reassign"]), reason=reason, on=on,
                          reason_zh=reason_zh)
    return Escalation(after, "notify", _target(raw.get("notify")), reason=reason, on=on,
                      reason_zh=reason_zh)


def timer_source(raw: Mapping[str, Any], defaults: Mapping[str, Any], key: str) -> Any:
    """A node's own ``key`` (sla, clock, remind, escalate) or else the process default;
    only approval nodes take defaults."""
    if key in raw:
        return raw[key]
    return defaults.get(key) if kind_of(raw) == "approval" else None


def kind_of(raw: Mapping[str, Any]) -> NodeKind:
    if "final" in raw:
        return "final"
    if "service" in raw:
        return "service"
    if "notify" in raw or "next" in raw:
        return "notify"
    if "branches" in raw:
        return "fork"
    return "approval"


def _node(node_id: str, raw: Mapping[str, Any], base: Policies,
          defaults: Mapping[str, Any]) -> Node:
    kind = kind_of(raw)
    on = raw.get("on") or {}
    routes = {a: _routes(on[a]) for a in ("approve", "reject") if a in on}
    if kind in ("notify", "service"):
        routes = {"next": _routes(raw["next"])} if "next" in raw else {}
    service = _service(raw["service"]) if kind == "service" else None
    if service is not None and service.to:
        routes["timeout"] = (Route(None, service.to),)
    sla_text = timer_source(raw, defaults, "sla")
    sla = parse_sla(str(sla_text)) if sla_text is not None else None
    default_title = str(raw.get("final", node_id)).replace("_", " ").capitalize()
    return Node(
        id=node_id, kind=kind, title=str(raw.get("title") or default_title),
        title_zh=str(raw.get("title_zh", "")), description=str(raw.get("description", "")),
        description_zh=str(raw.get("description_zh", "")),
        approvers=rules.parse(raw.get("approvers")), mode=raw.get("mode", "any"),
        threshold=raw.get("threshold"), sla=sla,
        clock=timer_source(raw, defaults, "clock") or "wall",
        remind=tuple(reminder(r) for r in timer_source(raw, defaults, "remind") or ()),
        escalate=tuple(escalation(e) for e in timer_source(raw, defaults, "escalate") or ()),
        routes=routes, return_to=on.get("return"),
        outcome=raw.get("final"), notify=rules.parse(raw.get("notify")),
        policies=_policies(raw.get("policies"), base),
        reason_required=raw.get("reason", "required") != "optional",
        branches={str(k): str(v) for k, v in (raw.get("branches") or {}).items()}
        if kind == "fork" else {}, join=raw.get("join", "all"), service=service)


def _service(raw: Mapping[str, Any]) -> ServiceCall:
    escalate = raw.get("escalate") or {}
    timeout = parse_sla(str(raw["timeout"])) if "timeout" in raw else None
    return ServiceCall(system=str(raw["system"]), send=tuple(str(f) for f in raw.get("send") or ()),
                       answer=raw.get("answer") or {}, until=raw.get("until"), timeout=timeout,
                       notify=_target(escalate.get("notify")),
                       to=str(escalate["to"]) if "to" in escalate else None)


def _deadline(raw: Mapping[str, Any] | None) -> DeadlineRule | None:
    if not raw:
        return None
    before = parse_sla(str(raw["before"])) if "before" in raw else None
    within = parse_sla(str(raw["within"])) if "within" in raw else None
    field = str(raw["field"]) if "field" in raw else None
    return DeadlineRule(field=field, before=before, within=within,
                        working=bool(raw.get("working", False)))


def _report(raw: Mapping[str, Any] | None) -> DailyReport | None:
    daily = (raw or {}).get("daily")
    if not daily:
        return None
    return DailyReport(to=tuple(str(t) for t in daily.get("to") or ()),
                       at=str(daily.get("at", "08:30")),
                       time_zone=str(daily.get("time_zone", "Asia/Shanghai")),
                       working_days_only=bool(daily.get("working_days_only", True)),
                       language=daily.get("language"))


def build(data: Mapping[str, Any], text: str) -> ProcessDefinition:
    """The model from plain (already schema-checked) data; no semantic checks."""
    policies = _policies(data.get("policies"), Policies())
    defaults = data.get("defaults") or {}
    nodes = {str(k): _node(str(k), v, policies, defaults) for k, v in data["nodes"].items()}
    return ProcessDefinition(
        key=str(data["key"]), title=str(data["title"]), start=str(data["start"]), nodes=nodes,
        form_schema=data.get("form") or {"type": "object", "properties": {}},
        ui_schema=data.get("ui_schema") or {}, description=str(data.get("description", "")),
        title_zh=str(data.get("title_zh", "")),
        description_zh=str(data.get("description_zh", "")),
        instance_title=str(data.get("instance_title", "")),
        instance_title_zh=str(data.get("instance_title_zh", "")),
        number_prefix=str(data.get("number_prefix", "")),
        policies=policies, deadline=_deadline(data.get("deadline")),
        report=_report(data.get("report")), branch_of=branch_members(nodes),
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(), source=text)


__all__ = ["build", "definition_schema", "escalation", "kind_of", "load_definition",
           "load_definition_file", "reminder", "timer_source"]
