"""A process as a Mermaid flowchart; the current node highlighted."""

from __future__ import annotations

from engine.core.definition import Node, ProcessDefinition, format_sla


def _text(value: str) -> str:
    """Mermaid label text: quotes and markup-sensitive characters as entity codes."""
    return (value.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;")
            .replace(">", "#gt;").replace("|", "#124;"))


_RESERVED = {"end", "graph", "flowchart", "subgraph", "style", "class", "classdef", "click",
             "linkstyle", "direction", "default"}


def _id(node_id: str) -> str:
    """Node ids are lower_snake_case; a few are Mermaid keywords and get a suffix."""
    return f"{node_id}_" if node_id in _RESERVED else node_id


def _label(node: Node) -> str:
    lines = [_text(node.title)]
    if node.kind == "approval":
        who = ", ".join(_text(str(r)) for r in node.approvers)
        mode = f"{node.threshold} of N" if node.mode == "threshold" else node.mode
        lines.append(f"<small>{who} · {mode}"
                     + (f" · SLA {format_sla(node.sla)}" if node.sla else "") + "</small>")
    elif node.kind == "notify":
        lines.append("<small>CC " + ", ".join(_text(str(r)) for r in node.notify) + "</small>")
    return "<br/>".join(lines)


def _shape(node: Node) -> str:
    label = _label(node)
    if node.kind == "final":
        return f'{_id(node.id)}(["{label}"])'
    if node.kind == "notify":
        return f'{_id(node.id)}[/"{label}"/]'
    return f'{_id(node.id)}["{label}"]'


def mermaid(defn: ProcessDefinition, current: str | None = None) -> str:
    """``flowchart TD`` text: approval nodes as boxes, CC nodes as parallelograms, final
    nodes as stadiums; edges labelled with the action and its condition."""
    out = ["flowchart TD", "    START((start))"]  # upper case: never a node id
    out += [f"    {_shape(n)}" for n in defn.nodes.values()]
    out.append(f"    START --> {_id(defn.start)}")
    for node in defn.nodes.values():
        for action, routes in node.routes.items():
            for route in routes:
                label = action if action != "next" else ""
                if route.condition:
                    label = f"{label} if {route.condition}".strip()
                if not label:
                    edge = "-->"
                else:
                    edge = ("-.->" if action == "reject" else "-->") + f'|"{_text(label)}"|'
                out.append(f"    {_id(node.id)} {edge} {_id(route.target)}")
        if node.return_to and node.return_to != "initiator":
            out.append(f'    {_id(node.id)} -.->|"return"| {_id(node.return_to)}')
    out += ["    classDef final fill:#eef,stroke:#557",
            "    classDef notify fill:#f6f6f6,stroke:#999,stroke-dasharray:3 3",
            "    classDef current fill:#ffd54f,stroke:#e65100,stroke-width:3px"]
    for kind in ("final", "notify"):
        ids = [n.id for n in defn.nodes.values() if n.kind == kind]
        if ids:
            out.append(f"    class {','.join(_id(i) for i in ids)} {kind}")
    if current is not None and current in defn.nodes:
        out.append(f"    class {_id(current)} current")
    return "\n".join(out) + "\n"


__all__ = ["mermaid"]
