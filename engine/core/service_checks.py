"""What a service step (``service:``) means, checked: a valid ``answer`` schema, an
``until`` condition over the form and answer fields, ``send`` fields the form has, and a
``system`` the server is configured to call. Errors come back as (yaml path, at-key?,
message), like ``checks``."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import Any

from engine.core import conditions
from engine.core.definition import Node, ProcessDefinition
from engine.core.forms import schema_errors

Found = tuple[tuple[str | int, ...], bool, str]


def answer_kinds(defn: ProcessDefinition) -> dict[str, str]:
    """The fields the callbacks of the service steps bring (merged into the request's
    data, so conditions may name them), with their kinds."""
    out: dict[str, str] = {}
    for node in defn.nodes.values():
        props = node.service.answer.get("properties") if node.service else None
        if isinstance(props, Mapping):
            out.update(conditions.field_kinds(props))
    return out


def service_errors(defn: ProcessDefinition, node: Node, kinds: Mapping[str, str],
                   systems: Collection[str] | None) -> Iterator[Found]:
    spec = node.service
    if spec is None:
        return
    base: tuple[str | int, ...] = ("nodes", node.id, "service")
    if systems is not None and spec.system not in systems:
        known = ", ".join(sorted(systems)) or "none configured"
        yield ((*base, "system"), False, f"unknown system {spec.system!r} (configured: "
                                         f"{known}; see SIGNOFF_SERVICES)")
    for pointer, msg in schema_errors(spec.answer) if spec.answer else ():
        parts = tuple(int(p) if p.isdigit() else p for p in pointer.split("/")[1:])
        yield ((*base, "answer", *parts), False, f"invalid answer schema: {msg}")
    if spec.answer and spec.answer.get("type", "object") != "object":
        yield ((*base, "answer"), False, "the answer schema must describe an object "
                                         "(type: object)")
    if spec.until is not None:
        for msg in conditions.check(spec.until, kinds):
            yield ((*base, "until"), False, msg.replace("the form does not have",
                                                        "neither the form nor the answer has"))
    props: Any = defn.form_schema.get("properties") or {}
    for i, name in enumerate(spec.send):
        if name not in props:
            yield ((*base, "send", i), False, f"send field {name!r} is not in the form")


__all__ = ["answer_kinds", "service_errors"]
