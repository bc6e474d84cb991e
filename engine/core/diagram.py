"""A process as a Mermaid flowchart; the current node highlighted."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import timedelta
from types import MappingProxyType

from engine.core.definition import ApproverRule, Node, ProcessDefinition
from engine.core.directory import OrgDirectory

# The words of a label, per language: approvers see steps, people and time in words, never
# rule syntax such as ``manager_of:initiator · any · SLA 2d``.
_WORDS: dict[str, dict[str, str]] = {
    "en": {"manager": "the requester's manager",
           "manager_n": "the requester's manager, {n} levels up",
           "initiator": "the requester", "field": "the person in “{field}”", "role": "{role}",
           "any": "any one of them", "all": "all of them", "sequential": "one after another",
           "threshold": "{n} of them", "within": "within {span}", "cc": "copy to {who}",
           "approve": "approve", "reject": "reject", "return": "return", "if": "if {cond}",
           "start": "start", "sep": ", ", "d": "{n} days", "h": "{n} hours", "m": "{n} minutes",
           "1d": "1 day", "1h": "1 hour", "1m": "1 minute",
           "fork": "in parallel", "join": "join", "join_all": "when every branch approved",
           "join_any": "when one branch approved",
           "in_field": "{who} of the unit in “{field}”", "in_mine": "{who} of the requester's unit",
           "in_unit": "{who} of {unit}", "members": "the members",
           "service": "waits for {system}", "timeout": "no answer in {span}"},
    "zh": {"manager": "申请人的上级", "manager_n": "申请人的上 {n} 级", "initiator": "申请人",
           "field": "「{field}」所填的人", "role": "{role}", "any": "任一人同意",
           "all": "全部同意", "sequential": "依次审批", "threshold": "{n} 人同意",
           "within": "{span}内", "cc": "抄送 {who}", "approve": "同意", "reject": "驳回",
           "return": "退回", "if": "若 {cond}", "start": "开始", "sep": "、", "d": "{n} 天",
           "h": "{n} 小时", "m": "{n} 分钟", "1d": "1 天", "1h": "1 小时", "1m": "1 分钟",
           "fork": "并行分支", "join": "汇合", "join_all": "全部分支同意后",
           "join_any": "任一分支同意后",
           "in_field": "「{field}」所选单位的{who}", "in_mine": "申请人所在单位的{who}",
           "in_unit": "{unit}的{who}", "members": "成员",
           "service": "等待 {system} 回复", "timeout": "{span}内无回复"},
}


def _text(value: str) -> str:
    """Mermaid label text: quotes and markup-sensitive characters as entity codes."""
    return (value.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;")
            .replace(">", "#gt;").replace("|", "#124;"))


_RESERVED = {"end", "graph", "flowchart", "subgraph", "style", "class", "classdef", "click",
             "linkstyle", "direction", "default"}


def _id(node_id: str) -> str:
    """Node ids are lower_snake_case; a few are Mermaid keywords and get a suffix."""
    return f"{node_id}_" if node_id in _RESERVED else node_id


def _span(sla: timedelta, w: Mapping[str, str]) -> str:
    secs = int(sla.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if secs % size == 0 and secs >= size:
            n = secs // size
            return w[f"1{unit}"] if n == 1 else w[unit].format(n=n)
    return w["m"].format(n=secs // 60)


def _titles(defn: ProcessDefinition, zh: bool) -> dict[str, str]:
    props = defn.form_schema.get("properties") or {}
    out = {}
    for name, spec in props.items():
        if isinstance(spec, Mapping):
            title = (zh and spec.get("title_zh")) or spec.get("title")
            out[str(name)] = str(title) if title else str(name).replace("_", " ")
    return out


def _who(rule: ApproverRule, w: Mapping[str, str], fields: Mapping[str, str],
         names: Mapping[str, str]) -> str:
    if rule.kind == "manager_of":
        return w["manager"] if rule.levels == 1 else w["manager_n"].format(n=rule.levels)
    if rule.kind == "initiator":
        return w["initiator"]
    if rule.kind == "field":
        return w["field"].format(field=fields.get(rule.value, rule.value))
    if rule.kind == "user":
        return names.get(rule.value, rule.value)
    if rule.kind == "in_unit":  # a role within an org unit: not everyone holding the role
        who = rule.value.replace("_", " ") if rule.value else w["members"]
        how, what = rule.unit or ("?", "")
        if how == "field":
            return w["in_field"].format(who=who, field=fields.get(what, what))
        if how == "unit":
            return w["in_unit"].format(who=who, unit=names.get(f"unit:{what}", what))
        return w["in_mine"].format(who=who)
    if rule.kind == "role":
        return w["role"].format(role=names.get(f"role:{rule.value}",
                                                rule.value.replace("_", " ")))
    return str(rule)


def _label(node: Node, w: Mapping[str, str], fields: Mapping[str, str],
           names: Mapping[str, str], zh: bool) -> str:
    lines = [_text((zh and node.title_zh) or node.title)]
    if node.kind == "approval":
        who = w["sep"].join(_text(_who(r, w, fields, names)) for r in node.approvers)
        mode = w[node.mode].format(n=node.threshold or 1)
        parts = [who, mode if len(node.approvers) > 1 or node.mode != "any" else ""]
        if node.sla:
            parts.append(w["within"].format(span=_span(node.sla, w)))
        lines.append("<small>" + " · ".join(p for p in parts if p) + "</small>")
    elif node.kind == "notify":
        who = w["sep"].join(_text(_who(r, w, fields, names)) for r in node.notify)
        lines.append("<small>" + w["cc"].format(who=who) + "</small>")
    elif node.kind == "fork":
        lines.append(f"<small>{w['fork']}</small>")
    elif node.service is not None:
        parts = [w["service"].format(system=_text(node.service.system))]
        if node.service.timeout:
            parts.append(w["within"].format(span=_span(node.service.timeout, w)))
        lines.append("<small>" + " · ".join(parts) + "</small>")
    return "<br/>".join(lines)


def step_words(defn: ProcessDefinition, node: Node, lang: str = "en",
               names: Mapping[str, str] | None = None) -> tuple[str, str]:
    """Who decides a step and how, in words in ``lang`` (the diagram's wording, plain
    text): ``("the requester's manager", "")``, ``("Finance, Chen Jing", "all of them")``.
    The mode is empty where the diagram leaves it out (one approver rule deciding alone)."""
    zh = lang.lower().startswith("zh")
    w, names = _WORDS["zh" if zh else "en"], names or {}
    fields = _titles(defn, zh)
    rules = node.approvers or node.notify
    who = w["sep"].join(_who(r, w, fields, names) for r in rules)
    if node.kind != "approval":
        return who, ""
    mode = w[node.mode].format(n=node.threshold or 1)
    return who, mode if len(node.approvers) > 1 or node.mode != "any" else ""


def sla_words(node: Node, lang: str = "en") -> str:
    """A step's time limit in words (``2 days``, ``1 hour``); empty without one."""
    return _span(node.sla, _WORDS["zh" if lang.lower().startswith("zh") else "en"]) \
        if node.sla else ""


def condition_words(defn: ProcessDefinition, text: str, lang: str = "en") -> str:
    """A route's condition as the diagram writes it: the form's field titles in ``lang``
    for its field names (``monthly_rent > 80000`` -> ``Monthly rent > 80000``)."""
    return _condition(text, _titles(defn, lang.lower().startswith("zh")))


def _condition(text: str, fields: Mapping[str, str]) -> str:
    """A route's condition with the form's field titles for its names."""
    return re.sub(r"\b[a-z_][a-z0-9_]*\b", lambda m: fields.get(m.group(0), m.group(0)), text)


def _join_id(fork: str) -> str:
    """The join of a fork is drawn as a node of its own; upper case: never a node id."""
    return f"JOIN_{fork}"


def _shape(node: Node, label: str, w: Mapping[str, str]) -> str:
    if node.kind == "fork":
        return (f'{_id(node.id)}{{{{"{label}"}}}}\n    {_join_id(node.id)}{{{{"{w["join"]}'
                f'<br/><small>{w["join_" + node.join]}</small>"}}}}')
    if node.kind == "final":
        return f'{_id(node.id)}(["{label}"])'
    if node.kind == "notify":
        return f'{_id(node.id)}[/"{label}"/]'
    if node.kind == "service":  # a subroutine box: the work happens in another system
        return f'{_id(node.id)}[["{label}"]]'
    return f'{_id(node.id)}["{label}"]'


# The names of the last few directories, by identity: the instance view asks for them on
# every request (each approve answer), and the directory object lives until the org
# changes. The entry holds the directory itself, so its id cannot be reused meanwhile.
_NAMES: dict[tuple[int, bool], tuple[OrgDirectory, Mapping[str, str]]] = {}
_NAMES_KEPT = 8


def people_names(directory: OrgDirectory, lang: str = "en") -> Mapping[str, str]:
    """``names`` for ``mermaid``: each person's name, and each role as the names of the
    (up to three) people who hold it, else its declared description."""
    zh = lang.lower().startswith("zh")
    key = (id(directory), zh)
    if (hit := _NAMES.get(key)) is not None and hit[0] is directory:
        return hit[1]
    sep = _WORDS["zh" if zh else "en"]["sep"]
    out = {u.username: (zh and u.name_zh) or u.name or u.username
           for u in directory.users.values()}
    for unit in directory.units.values():
        out[f"unit:{unit.id}"] = (zh and unit.name_zh) or unit.name or unit.id
    holders: dict[str, list[str]] = {}
    for user in sorted(directory.users.values(), key=lambda u: u.username):
        for role in set(user.roles):
            holders.setdefault(role, []).append(user.username)
    for role in directory.roles:
        held = holders.get(role, ())
        if held and len(held) <= 3:
            out[f"role:{role}"] = sep.join(out[u] for u in held)
        elif role in directory.role_names:
            out[f"role:{role}"] = ((zh and directory.role_names_zh.get(role))
                                   or directory.role_names[role])
    if len(_NAMES) >= _NAMES_KEPT:
        _NAMES.pop(next(iter(_NAMES)))
    _NAMES[key] = (directory, MappingProxyType(out))
    return _NAMES[key][1]


def mermaid(defn: ProcessDefinition, current: str | None = None, lang: str = "en",
            names: Mapping[str, str] | None = None, branches: Iterable[str] = ()) -> str:
    """``flowchart TD`` text: approval nodes as boxes, CC nodes as parallelograms, final
    nodes as stadiums, a fork and its join as hexagons, service steps (waiting on an
    outside system) as subroutine boxes; edges labelled with the action
    and its condition. A fork's edges go to its branches' first steps, unlabelled (a
    branch name is a YAML key, the step's box names it); its branches' steps go back to
    its join, and its own routes leave from the join.
    ``branches``: the steps a fork's running branches are at, highlighted with
    ``current``. Labels are in
    words in ``lang`` (``en``, or ``zh*`` for Chinese): who decides, how, within what
    time; ``names`` gives people's names (username -> name, ``role:X`` -> the role's)."""
    zh = lang.lower().startswith("zh")
    w, names = _WORDS["zh" if zh else "en"], names or {}
    fields = _titles(defn, zh)
    out = ["flowchart TD", f"    START(({w['start']}))"]  # upper case: never a node id
    out += [f"    {_shape(n, _label(n, w, fields, names, zh), w)}" for n in defn.nodes.values()]
    out.append(f"    START --> {_id(defn.start)}")
    for node in defn.nodes.values():
        for first in node.branches.values():  # unlabelled: the branch's first box names it
            out.append(f"    {_id(node.id)} --> {_id(first)}")
        source = _join_id(node.id) if node.kind == "fork" else _id(node.id)
        inside = defn.branch_of.get(node.id)
        for action, routes in node.routes.items():
            for route in routes:
                label = w.get(action, action) if action != "next" else ""
                if action == "timeout" and node.service and node.service.timeout:
                    label = w["timeout"].format(span=_span(node.service.timeout, w))
                if route.condition:
                    cond = w["if"].format(cond=_condition(route.condition, fields))
                    label = f"{label} {cond}".strip()
                if not label:
                    edge = "-->"
                else:
                    edge = ("-.->" if action == "reject" else "-->") + f'|"{_text(label)}"|'
                target = _join_id(route.target) if inside is not None \
                    and route.target == inside[0] else _id(route.target)
                out.append(f"    {source} {edge} {target}")
        if node.return_to and node.return_to != "initiator":
            out.append(f'    {_id(node.id)} -.->|"{w["return"]}"| {_id(node.return_to)}')
    out += ["    classDef final fill:#eef,stroke:#557",
            "    classDef notify fill:#f6f6f6,stroke:#999,stroke-dasharray:3 3",
            "    classDef current fill:#ffd54f,stroke:#e65100,stroke-width:3px"]
    out.append("    classDef fork fill:#e8f5e9,stroke:#2e7d32")
    out.append("    classDef service fill:#e3f2fd,stroke:#1565c0")
    forks = [n.id for n in defn.nodes.values() if n.kind == "fork"]
    if forks:
        out.append("    class " + ",".join(x for f in forks for x in (_id(f), _join_id(f)))
                   + " fork")
    for kind in ("final", "notify", "service"):
        ids = [n.id for n in defn.nodes.values() if n.kind == kind]
        if ids:
            out.append(f"    class {','.join(_id(i) for i in ids)} {kind}")
    shown = [n for n in (current, *branches) if n is not None and n in defn.nodes]
    if shown:  # at a fork, the steps its running branches are at as well
        out.append(f"    class {','.join(_id(n) for n in dict.fromkeys(shown))} current")
    return "\n".join(out) + "\n"


__all__ = ["condition_words", "mermaid", "people_names", "sla_words", "step_words"]
