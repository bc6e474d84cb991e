"""Who gets a task: approver rules (``engine.core.rules``) resolved against the org
directory and the form, then the node's policies (initiator as approver, fallback
approver)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.core.definition import Node
from engine.core.directory import OrgDirectory
from engine.core.errors import NoApproverFound
from engine.core.rules import resolve


def assignees(node: Node, initiator: str, data: Mapping[str, Any],
              directory: OrgDirectory) -> list[tuple[str, str]]:
    """(username, rule) for every task of a visit of ``node``, in rule order, without
    duplicates. Raises NoApproverFound when nobody resolves and there is no fallback."""
    policy = node.policies.initiator_is_approver
    out: dict[str, str] = {}
    for rule in node.approvers:
        label = str(rule)
        for user in resolve(rule, initiator, data, directory):
            how = label
            if user == initiator and policy == "skip_to_manager":
                manager = directory.manager_of(initiator)
                if manager is None:
                    continue
                user, how = manager, f"{label}>manager_of:initiator"
            out.setdefault(user, how)
    fallback = node.policies.fallback_approver
    if not out and fallback is not None and fallback in directory.users:
        out[fallback] = f"fallback:{fallback}"
    if not out:
        raise NoApproverFound(node.id, _rules(node))
    if node.mode == "threshold" and node.threshold is not None and len(out) < node.threshold:
        raise NoApproverFound(node.id, f"{_rules(node)}: {node.threshold} approvers needed, "
                                       f"{len(out)} found")
    return list(out.items())


def _rules(node: Node) -> str:
    return ", ".join(str(r) for r in node.approvers)


def recipients(node: Node, initiator: str, data: Mapping[str, Any],
               directory: OrgDirectory) -> tuple[str, ...]:
    """Users a notify node copies (may be empty: a notify node never blocks)."""
    found = (u for r in node.notify for u in resolve(r, initiator, data, directory))
    return tuple(dict.fromkeys(found))


__all__ = ["assignees", "recipients", "resolve"]
