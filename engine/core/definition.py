"""The parsed, immutable model of a process definition (see ``docs/definitions.md``).

``loader.py`` turns YAML into these objects after validating it; nothing here does I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal, NamedTuple

from engine.core.deadline import DeadlineRule
from engine.core.rules._base import ApproverRule

NodeKind = Literal["approval", "notify", "final", "fork", "service"]
WAITING_KINDS = ("approval", "service")  # node kinds a request waits in (Node.waits)
Join = Literal["all", "any"]
Mode = Literal["any", "all", "sequential", "threshold"]
InitiatorPolicy = Literal["auto_approve", "skip_to_manager", "require"]
RuleKind = str  # a key of engine.core.rules.RULES
Clock = Literal["wall", "working"]
ReminderKind = Literal["before", "at", "every"]
EscalationAction = Literal["notify", "reassign", "auto"]

_SLA = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")


def parse_sla(text: str) -> timedelta | None:
    """``"2d"``, ``"4h"``, ``"1d12h"``, ``"30m"``, ``"1w"`` -> timedelta; None if malformed."""
    match = _SLA.match(text.strip())
    if not match or not any(match.groups()):
        return None
    w, d, h, m = (int(g or 0) for g in match.groups())
    return timedelta(weeks=w, days=d, hours=h, minutes=m)


def format_sla(sla: timedelta) -> str:
    days, rest = divmod(int(sla.total_seconds()), 86400)
    hours, rest = divmod(rest, 3600)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "",
             f"{rest // 60}m" if rest // 60 else ""]
    return "".join(parts) or "0m"


@dataclass(frozen=True, slots=True)
class DailyReport:
    """``report: {daily: ...}``: who gets the daily report (user names, or ``role:NAME``),
    at what local time (``HH:MM``) in which time zone, on working days only or every
    day, in which language (None: each recipient's own)."""

    to: tuple[str, ...]
    at: str = "08:30"
    time_zone: str = "Asia/Shanghai"
    working_days_only: bool = True
    language: str | None = None


class Route(NamedTuple):
    """One way out for an action: taken when ``condition`` (None: always) holds."""

    condition: str | None
    target: str


@dataclass(frozen=True, slots=True)
class Reminder:
    """Remind a task's holder: ``before`` the due time by ``span``, ``at`` the due time,
    or ``every`` ``span`` after the due time, at most ``max`` times."""

    kind: ReminderKind
    span: timedelta = timedelta(0)
    max: int = 1

    def offsets(self) -> list[tuple[str, timedelta]]:
        """(suffix of the timer key, offset from the due time) of each firing."""
        if self.kind == "before":
            return [("", -self.span)]
        if self.kind == "at":
            return [("", timedelta(0))]
        return [(f".{n}", n * self.span) for n in range(1, self.max + 1)]


@dataclass(frozen=True, slots=True)
class Escalation:
    """``after`` the due time (``on: overdue``, the default), or when the task's request
    is found at risk (``on: at_risk``, ``engine.core.risk``; ``after`` is zero):
    ``notify`` someone, ``reassign`` the task, or decide it (``auto`` = approve | reject)
    as the system, recording ``reason``. ``target`` is ``manager_of:holder``, ``role:X``
    or ``user:X`` for notify and reassign."""

    after: timedelta
    action: EscalationAction
    target: ApproverRule | None = None
    decision: Literal["approve", "reject"] | None = None
    reason: str = ""
    on: Literal["overdue", "at_risk"] = "overdue"
    reason_zh: str = ""  # the reason in Chinese, for readers of Chinese (timeline, mail)

    @property
    def ends_task(self) -> bool:
        return self.action == "auto"


@dataclass(frozen=True, slots=True)
class ServiceCall:
    """A service step (``service:``): call the outside ``system`` (declared with its URL
    and secret in the configuration, never here) with the request's data (the ``send``
    fields; empty: all of it) and wait for its callbacks. Each callback's data is checked
    against ``answer`` (a JSON Schema) and merged into the request's data; the step is
    done at the first callback, or at the first after which ``until`` holds, and then
    takes its ``next`` routes. With ``timeout``, a wait that long without being done
    ``escalate``s: ``notify`` someone (and keep waiting) or go ``to`` another node."""

    system: str
    send: tuple[str, ...] = ()
    answer: Mapping[str, Any] = field(default_factory=dict)
    until: str | None = None
    timeout: timedelta | None = None
    notify: ApproverRule | None = None
    to: str | None = None


@dataclass(frozen=True, slots=True)
class Policies:
    """``auto_approve_same_approver``: someone who approved the previous approval step is
    auto-approved on the next one. ``initiator_is_approver``: what happens when the
    initiator resolves as an approver. ``fallback_approver``: who gets a task nobody
    resolves to; None means starting such an instance fails with NoApproverFound."""

    auto_approve_same_approver: bool = True
    initiator_is_approver: InitiatorPolicy = "auto_approve"
    fallback_approver: str | None = None


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    title: str
    kind: NodeKind
    title_zh: str = ""
    description: str = ""
    description_zh: str = ""
    approvers: tuple[ApproverRule, ...] = ()
    mode: Mode = "any"
    threshold: int | None = None
    sla: timedelta | None = None
    clock: Clock = "wall"  # how sla, remind and escalate durations count (worktime.py)
    remind: tuple[Reminder, ...] = ()
    escalate: tuple[Escalation, ...] = ()
    routes: Mapping[str, tuple[Route, ...]] = field(default_factory=dict)
    return_to: str | None = None  # default target of ``return``: "initiator" or a node
    outcome: str | None = None
    notify: tuple[ApproverRule, ...] = ()
    policies: Policies = field(default_factory=Policies)
    reason_required: bool = True  # reject and return need a reason (``reason: optional``)
    # a fork: branch name -> the branch's first step; the branches run side by side and
    # meet again at this node (their steps route back to it), ``join`` says when it is done
    branches: Mapping[str, str] = field(default_factory=dict)
    join: Join = "all"
    service: ServiceCall | None = None  # a service step: what to call and wait for

    @property
    def waits(self) -> bool:
        """A step a request waits in (for people, or for an outside system): it takes time."""
        return self.kind in WAITING_KINDS

    @property
    def actions(self) -> tuple[str, ...]:
        """Actions an approver may take here (``approve``, ``reject``, ``return``)."""
        if self.kind != "approval":
            return ()
        return (*self.routes, *(("return",) if self.return_to else ()))

    def targets(self) -> list[str]:
        """Every node this node may lead to (not counting returns to the initiator)."""
        out = [*self.branches.values(),
               *(r.target for routes in self.routes.values() for r in routes)]
        if self.return_to and self.return_to != "initiator":
            out.append(self.return_to)
        return out


@dataclass(frozen=True, slots=True)
class ProcessDefinition:
    key: str
    title: str
    start: str
    nodes: Mapping[str, Node]
    form_schema: Mapping[str, Any] = field(default_factory=dict)
    ui_schema: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    title_zh: str = ""
    description_zh: str = ""
    instance_title: str = ""
    instance_title_zh: str = ""
    number_prefix: str = ""  # of request numbers (PREFIX-2026-00123); "" derives it
    policies: Policies = field(default_factory=Policies)
    deadline: DeadlineRule | None = None  # when a request must be finished (deadline.py)
    report: DailyReport | None = None  # the daily report sent by itself (report: daily:)
    version: int = 1
    digest: str = ""
    source: str = ""
    # step of a branch -> (its fork, the branch name); see ``branch_members``
    branch_of: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def transition_table(self) -> list[dict[str, Any]]:
        """``transitions``-style rows (trigger, source, dest, condition) in route order."""
        rows = []
        for node in self.nodes.values():
            for action, routes in node.routes.items():
                for route in routes:
                    rows.append({"trigger": action, "source": node.id, "dest": route.target,
                                 "condition": route.condition})
        return rows

    def reason_zh(self, reason: str) -> str:
        """The Chinese an owner wrote for an escalation ``reason`` (``reason_zh``), or ""."""
        for node in self.nodes.values():
            for esc in node.escalate:
                if esc.reason == reason and esc.reason_zh:
                    return esc.reason_zh
        return ""

    def title_for(self, data: Mapping[str, Any], zh: bool = False) -> str:
        """The instance title: ``instance_title`` (``instance_title_zh`` in Chinese) with
        ``{field}`` filled from the form; a choice by its title (``oneOf: [{const,
        title}]``)."""
        template = (zh and self.instance_title_zh) or self.instance_title
        if not template:
            return (zh and self.title_zh) or self.title
        props = self.form_schema.get("properties") or {}

        def fill(m: re.Match[str]) -> str:
            value = data.get(m.group(1))
            spec = props.get(m.group(1))
            choices = spec.get("oneOf") if isinstance(spec, Mapping) else None
            for c in choices if isinstance(choices, list) else ():
                if isinstance(c, Mapping) and c.get("const") == value and c.get("title"):
                    return str((zh and c.get("title_zh")) or c["title"])
            if isinstance(value, int | float) and not isinstance(value, bool):
                return amount_text(value)
            return "" if value is None else str(value)

        return re.sub(r"\{(\w+)\}", fill, template)

    def prefix(self) -> str:
        """The prefix of this process's request numbers: ``number_prefix`` when declared,
        else the initials of the key's words (``store_opening`` -> ``SO``)."""
        return self.number_prefix or derived_prefix(self.key)


def amount_text(value: int | float) -> str:
    """A number as people read it in a title: thousands separated, cents only when there
    are any (``15821.25`` -> ``15,821.25``, ``120000`` -> ``120,000``)."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def branch_members(nodes: Mapping[str, Node]) -> dict[str, tuple[str, str]]:
    """Every step inside a branch of a fork -> (fork, branch): the nodes reached from the
    branch's first step by its routes before they come back to the fork (the join). A node
    reached from two branches counts in the first; ``checks`` reports it."""
    out: dict[str, tuple[str, str]] = {}
    for fork in nodes.values():
        for name, first in fork.branches.items():
            todo = [first]
            while todo:
                current = todo.pop()
                if current == fork.id or current in out or current not in nodes:
                    continue
                out[current] = (fork.id, name)
                todo += [r.target for rs in nodes[current].routes.values() for r in rs]
    return out


def derived_prefix(key: str) -> str:
    """``sample_order`` -> ``SO``; a one-word key gives its first three letters."""
    words = [w for w in re.split(r"[^A-Za-z0-9]+", key) if w]
    if len(words) == 1:
        return words[0][:3].upper()
    return "".join(w[0] for w in words).upper()[:10] or "REQ"


__all__ = [
    "WAITING_KINDS",
    "ApproverRule",
    "Clock",
    "DeadlineRule",
    "Escalation",
    "EscalationAction",
    "InitiatorPolicy",
    "Join",
    "Mode",
    "Node",
    "NodeKind",
    "Policies",
    "ProcessDefinition",
    "Reminder",
    "ReminderKind",
    "Route",
    "RuleKind",
    "ServiceCall",
    "amount_text",
    "branch_members",
    "derived_prefix",
    "format_sla",
    "parse_sla",
]
