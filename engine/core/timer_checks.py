"""What a definition's timers mean, checked: ``remind`` and ``escalate`` of each approval
node (its own or the process ``defaults``). Errors come back as (yaml path, at-key?,
message), like ``checks.py``.

- a reminder is exactly one of ``before``, ``at`` or ``every``; ``after`` and ``max``
  only go with ``every``; a reminder needs an ``sla`` (the due time it counts from), and
  ``before`` must be shorter than the sla (else it would fire before the task exists);
- an escalation ``on: at_risk`` fires when the request is found at risk and takes no
  ``after``; the others (``on: overdue``, the default) need ``after``;
- an escalation is exactly one of ``notify``, ``reassign`` or ``auto``; it needs an
  ``sla`` and comes after it (``after`` > 0); its target must exist;
- nothing may fire after an escalation that ends the task (``auto``): it never would.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

from engine.core.definition import Node, format_sla, parse_sla
from engine.core.directory import OrgDirectory

Found = tuple[tuple[str | int, ...], bool, str]
_ONE_OF_REMIND = ("before", "at", "every")
_ONE_OF_ESCALATE = ("notify", "reassign", "auto")


def _base(node: Node, raw: Mapping[str, Any], key: str) -> tuple[str | int, ...]:
    return ("nodes", node.id, key) if key in raw else ("defaults", key)


def _items(data: Mapping[str, Any], node: Node, raw: Mapping[str, Any],
           key: str) -> list[tuple[tuple[str | int, ...], Mapping[str, Any]]]:
    base = _base(node, raw, key)
    source = raw.get(key) if key in raw else (data.get("defaults") or {}).get(key)
    return [((*base, i), item) for i, item in enumerate(source or [])]


def timer_errors(node: Node, raw: Mapping[str, Any], data: Mapping[str, Any],
                 directory: OrgDirectory | None) -> Iterator[Found]:
    if node.kind != "approval":
        return
    reminders = _items(data, node, raw, "remind")
    escalations = _items(data, node, raw, "escalate")
    for path, item in reminders:
        yield from _reminder(node, path, item)
    for path, item in escalations:
        yield from _escalation(node, path, item, directory)
    overdue = [(p, item) for p, item in escalations
               if not (isinstance(item, Mapping) and item.get("on") == "at_risk")]
    yield from _after_end(node, reminders, overdue)


def _reminder(node: Node, path: tuple[str | int, ...], item: Mapping[str, Any]
              ) -> Iterator[Found]:
    kinds = [k for k in _ONE_OF_REMIND if k in item]
    if len(kinds) != 1:
        yield (path, False, "a reminder needs exactly one of before, at or every"
               + (f" (found {', '.join(kinds)})" if kinds else ""))
        return
    for key in ("after", "max"):
        if key in item and kinds[0] != "every":
            yield ((*path, key), True, f"{key!r} only goes with 'every'")
    if node.sla is None:
        yield (path, False, f"a reminder counts from the due time: node {node.id!r} "
                            "needs an 'sla'")
        return
    if kinds[0] == "before" and _span(item["before"]) >= node.sla:
        yield ((*path, "before"), False,
               f"reminder {item['before']} before the due time is not after the task is "
               f"assigned (sla {format_sla(node.sla)})")
    if kinds[0] == "every" and _span(item["every"]) <= timedelta(0):
        yield ((*path, "every"), False, "'every' must be longer than 0m")


def _span(text: Any) -> timedelta:
    return parse_sla(str(text)) or timedelta(0)


def _escalation(node: Node, path: tuple[str | int, ...], item: Mapping[str, Any],
                directory: OrgDirectory | None) -> Iterator[Found]:
    kinds = [k for k in _ONE_OF_ESCALATE if k in item]
    if len(kinds) != 1:
        yield (path, False, "an escalation needs exactly one of notify, reassign or auto"
               + (f" (found {', '.join(kinds)})" if kinds else ""))
    if item.get("on") == "at_risk":
        if "after" in item:
            yield ((*path, "after"), True, "an escalation 'on: at_risk' fires when the "
                                           "request is found at risk; it takes no 'after'")
    elif "after" not in item:
        yield (path, False, "an escalation needs 'after' (how long overdue), or 'on: "
                            "at_risk'")
    elif node.sla is None:
        yield ((*path, "after"), False, f"an escalation counts from the due time: node "
                                        f"{node.id!r} needs an 'sla'")
    elif _span(item.get("after")) <= timedelta(0):
        yield ((*path, "after"), False, "an escalation must come after the sla "
                                        "('after' is how long overdue, more than 0m)")
    for key in ("notify", "reassign"):
        target = item.get(key)
        if isinstance(target, Mapping) and directory is not None:
            if "user" in target and target["user"] not in directory.users:
                yield ((*path, key, "user"), False, f"unknown user {target['user']!r}")
            if "role" in target and target["role"] not in directory.roles:
                yield ((*path, key, "role"), False, f"unknown role {target['role']!r}")


def _after_end(node: Node, reminders: list[tuple[tuple[str | int, ...], Mapping[str, Any]]],
               escalations: list[tuple[tuple[str | int, ...], Mapping[str, Any]]]
               ) -> Iterator[Found]:
    """Anything scheduled after the first ``auto`` escalation never fires."""
    ends = [(_span(item.get("after")), path) for path, item in escalations if "auto" in item]
    if not ends or node.sla is None:
        return
    end, end_path = min(ends, key=lambda e: e[0])
    where = ".".join(str(p) for p in end_path)
    for path, item in reminders:
        last = _last_reminder(item)
        if last is not None and last >= end:
            yield (path, False, f"this reminder fires after the escalation at {where} has "
                                "decided the task, so it would never be sent")
    for path, item in escalations:
        if path != end_path and _span(item.get("after")) >= end:
            yield ((*path, "after"), False, f"this escalation comes after the one at {where} "
                                            "has decided the task, so it would never fire")


def _last_reminder(item: Mapping[str, Any]) -> timedelta | None:
    """Offset from the due time of a reminder's last firing."""
    if "every" in item:
        return int(item.get("max", 1)) * _span(item["every"])
    if "at" in item:
        return timedelta(0)
    return None


__all__ = ["timer_errors"]
