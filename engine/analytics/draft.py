"""Drafts from advice, and advice from drafts.

``remove_step`` turns a candidate into a draft definition: the YAML without the step,
every route that led to it now leading where its approval led (comments and layout
kept: the text is edited where the references stand). The owner reviews the diff
(``unified_diff``) and publishes it through the normal path (``POST /definitions``).

``edits_of`` reads a draft against the published YAML for the what-if: an approval step
the draft no longer has is *removed*; a step the draft jumps over when a condition holds
(a route ``{if: C, to: T}`` from the step before it, where T is where the step's
approval led) is *skipped if C*. The history is then replayed through those routes.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from engine.core.errors import AnalysisInvalid


class DraftInvalid(AnalysisInvalid):
    """A draft that cannot be made or read (unknown step, not a definition)."""


def _yaml() -> YAML:
    y = YAML()  # round trip: comments, order and flow style survive
    y.preserve_quotes = True
    y.width = 4096
    return y


def _load(text: str, what: str) -> Any:
    try:
        doc = _yaml().load(text)
    except YAMLError as exc:
        raise DraftInvalid(f"{what} is not YAML: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("nodes"), dict):
        raise DraftInvalid(f"{what} is not a process definition (no nodes)")
    return doc


def _approve_target(node: Any) -> str | None:
    """Where a node's approval (or a notify node's ``next``) leads by default."""
    on = node.get("on") or {}
    target = on.get("approve", node.get("next"))
    if isinstance(target, str):
        return target
    if isinstance(target, list) and target:
        last = target[-1]
        return str(last.get("to")) if isinstance(last, dict) else None
    return None


def remove_step(text: str, step: str) -> str:
    """The definition ``text`` without approval step ``step``, rewired: routes that led
    to it lead where its approval led; returns to it go where it returned to. The text
    is edited in place (the step's lines cut, each reference replaced where it stands),
    so the diff shows only the change."""
    doc = _load(text, "the definition")
    nodes = doc["nodes"]
    node = nodes.get(step)
    if not isinstance(node, dict) or "approvers" not in node:
        raise DraftInvalid(f"{step!r} is not an approval step of {doc.get('key')!r}")
    approve = (node.get("on") or {}).get("approve")
    if isinstance(approve, list) and len(approve) > 1:
        raise DraftInvalid(f"{step!r} routes its approvals by conditions: removing it "
                           "means choosing a route; edit the definition by hand")
    succ = _approve_target(node)
    if succ is None or succ == step:
        raise DraftInvalid(f"{step!r} has no approval route to lead past it")
    back = str((node.get("on") or {}).get("return", "initiator"))
    edits: list[tuple[int, int, str]] = []  # (line, column, new text) of a reference

    def ref(container: Any, key: Any, new: str) -> None:
        line, col = container.lc.value(key)
        edits.append((line, col, new))

    if doc.get("start") == step:
        ref(doc, "start", succ)
    for nid, other in nodes.items():
        if nid == step or not isinstance(other, dict):
            continue
        if other.get("next") == step:
            ref(other, "next", succ)
        on = other.get("on")
        if not isinstance(on, dict):
            continue
        for action, target in on.items():
            if action == "return":
                if target == step:
                    ref(on, action, back if back != nid else "initiator")
            elif target == step:
                ref(on, action, succ if succ != nid else back)
            elif isinstance(target, list):
                for route in target:
                    if isinstance(route, dict) and route.get("to") == step:
                        ref(route, "to", succ)
    lines = text.splitlines(keepends=True)
    for line, col, new in sorted(edits, reverse=True):
        old = lines[line]
        if not old[col:].startswith(step):
            raise DraftInvalid(f"line {line + 1}: cannot rewrite the reference to {step!r}")
        lines[line] = old[:col] + new + old[col + len(step):]
    keys = list(nodes)
    first = nodes.lc.key(step)[0]
    after = keys.index(step) + 1
    last = nodes.lc.key(keys[after])[0] if after < len(keys) else len(lines)
    del lines[first:last]
    return "".join(lines)


def unified_diff(before: str, after: str, name: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(keepends=True),
                                        after.splitlines(keepends=True),
                                        f"{name} (published)", f"{name} (draft)"))


def _routes(node: Any) -> Iterator[tuple[str | None, str]]:
    target = (node.get("on") or {}).get("approve", node.get("next"))
    if isinstance(target, str):
        yield None, target
    elif isinstance(target, list):
        for r in target:
            if isinstance(r, dict) and isinstance(r.get("to"), str):
                yield (str(r["if"]) if r.get("if") else None), r["to"]


def edits_of(published: str, draft: str) -> tuple[list[str], list[tuple[str, str]]]:
    """(removed steps, [(skipped step, condition)]) of a draft against the published
    definition; DraftInvalid when the draft is another process."""
    old, new = _load(published, "the published definition"), _load(draft, "the draft")
    if old.get("key") != new.get("key"):
        raise DraftInvalid(f"the draft is process {new.get('key')!r}, not {old.get('key')!r}")
    approval = {k for k, n in old["nodes"].items() if isinstance(n, dict) and "approvers" in n}
    removed = sorted(approval - set(new["nodes"]))
    skips: list[tuple[str, str]] = []
    for nid, node in new["nodes"].items():
        if not isinstance(node, dict) or nid not in old["nodes"]:
            continue
        was = dict(_routes(old["nodes"][nid]))
        before = {t for c, t in _routes(old["nodes"][nid])}
        for cond, target in _routes(node):
            if cond is None or (cond, target) in was.items():
                continue
            # a new conditional route from nid that jumps over a step nid used to lead to
            for step in sorted(before & approval - set(removed)):
                if _approve_target(old["nodes"][step]) == target:
                    skips.append((step, cond))
    return removed, skips
