"""Projections: the rows of ``instance``, ``task``, ``node_visit`` and ``cc`` that an event
history implies. One pure function (``project``) computes them; the command path, the
bulk seeder, ``check`` and ``rebuild`` all use it, so they can never disagree.

A node visit's times are the event times the engine emitted: ``entered_at`` from
``NodeEntered``, ``decided_at`` from the visit's last ``TaskDecided``, ``left_at``,
``outcome`` and ``decided_by`` from ``NodeLeft``. ``kind`` is read from the events too:
``notify`` when the visit ended ``notified``, ``final`` when the instance finished in it,
``service`` for a service step's visit, else ``approval``. ``comment_count`` counts
decisions with a comment and comments added on that node during the visit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from engine.core import events as ev
from engine.core.state import InstanceState, apply_all, replay

Row = dict[str, Any]
VisitKey = tuple[str, int]


@dataclass
class Projection:
    state: InstanceState
    instance: Row
    tasks: dict[UUID, Row] = field(default_factory=dict)
    visits: dict[VisitKey, Row] = field(default_factory=dict)
    cc: list[Row] = field(default_factory=list)


def search_text(title: str, data: Any) -> str:
    """What list search looks in besides the number: the title and every value of the
    form (not its field names), lower-cased, one space apart."""
    parts = [title]

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif value is not None and not isinstance(value, bool):
            parts.append(str(value))

    walk(data)
    return " ".join(p for p in parts if p).lower()


def instance_row(state: InstanceState) -> Row:
    return {"id": state.id, "definition_key": state.definition_key,
            "definition_version": state.definition_version, "title": state.title[:300],
            "initiator": state.initiator, "status": state.status, "outcome": state.outcome,
            "node": state.node, "node_since": state.entered_at, "data": dict(state.data),
            "started_at": state.started_at, "finished_at": state.finished_at,
            "updated_at": state.updated_at or state.started_at, "seq": state.seq,
            "search": search_text(state.title, state.data)}


def task_rows(state: InstanceState) -> dict[UUID, Row]:
    return {t.task_id: {"id": t.task_id, "instance_id": state.id,
                        "definition_key": state.definition_key, "node": t.node,
                        "visit": t.visit, "assignee": t.assignee, "rule": t.rule[:200],
                        "status": t.status, "created_at": t.created_at, "due_at": t.due_at,
                        "decided_at": t.decided_at, "action": t.action,
                        "added_by": t.added_by}
            for t in state.tasks}


class _Visits:
    """Folds events into node visits."""

    def __init__(self, state: InstanceState) -> None:
        self.base = {"instance_id": state.id, "definition_key": state.definition_key,
                     "definition_version": state.definition_version}
        self.rows: dict[VisitKey, Row] = {}
        # node -> its open visit: one, or at a fork the fork's and its branches' steps'
        self.open: dict[str, VisitKey] = {}
        self.task_visit: dict[UUID, VisitKey] = {}
        self.main: VisitKey | None = None  # the open visit of the main path

    def _of_node(self, node: str | None) -> Row | None:
        key = self.open.get(node) if node is not None else None
        return self.rows[key] if key is not None else None

    def apply(self, seq: int, e: ev.Event) -> None:
        match e:
            case ev.NodeEntered():
                if e.branch is None:
                    self.open.clear()
                elif self.main is not None and self.main in self.rows:
                    self.rows[self.main]["kind"] = "fork"  # spans its branches' visits
                entry = self.open[e.node] = (e.node, e.visit)
                if e.branch is None:
                    self.main = entry
                self.rows[entry] = {**self.base, "node": e.node, "visit": e.visit,
                                  "kind": "approval", "entered_seq": seq, "entered_at": e.at,
                                  "decided_at": None, "left_at": None, "outcome": None,
                                  "decided_by": None, "comment_count": 0}
            case ev.TaskCreated():
                self.task_visit[e.task_id] = (e.node, e.visit)
            case ev.TaskDecided():
                key = self.task_visit.get(e.task_id)
                row = self.rows.get(key) if key else self._of_node(e.node)
                if row is not None:
                    row["decided_at"] = e.at
                    row["comment_count"] += 1 if e.comment else 0
            case ev.ServiceCalled():  # a service step: waits on an outside system
                row = self.rows.get((e.node, e.visit))
                if row is not None:
                    row["kind"] = "service"
            case ev.CommentAdded():
                row = self._of_node(e.node)
                if row is not None:
                    row["comment_count"] += 1
            case ev.NodeLeft():
                row = self.rows.get((e.node, e.visit))
                if row is not None:
                    row.update(left_at=e.at, outcome=e.outcome, decided_by=e.decided_by,
                               kind="notify" if e.outcome == "notified" else row["kind"])
                if self.open.get(e.node) == (e.node, e.visit):
                    del self.open[e.node]
            case ev.InstanceFinished():
                row = self._of_node(e.node)
                if row is not None and row["left_at"] is None:
                    row["kind"] = "final"
            case _:
                pass


def project(events: Sequence[ev.Event], known: Projection | None = None) -> Projection:
    """Every projection row of one instance's full history. ``known``, the projection
    of a prefix of ``events``, saves replaying that prefix again."""
    if known is None:
        state = replay(events)
    else:
        state = apply_all(known.state, events[known.state.seq:]) or known.state
    visits = _Visits(state)
    cc: list[Row] = []
    for seq, e in enumerate(events, start=1):
        visits.apply(seq, e)
        if isinstance(e, ev.Notified | ev.ServiceTimedOut) or (isinstance(e, ev.TaskEscalated)
                                          and e.action == "notify"):
            cc += [{"instance_id": e.instance_id, "username": u, "node": e.node, "at": e.at}
                   for u in dict.fromkeys(e.recipients)]
    return Projection(state, instance_row(state), task_rows(state), visits.rows, cc)


def changed(old: Row | None, new: Row) -> Row:
    """The columns of ``new`` that differ from ``old`` (all of them when ``old`` is None)."""
    if old is None:
        return new
    return {k: v for k, v in new.items() if old.get(k) != v}


def cc_key(row: Row) -> tuple[Any, ...]:
    return (row["instance_id"], row["username"], row["node"], row["at"])


def flatten(projections: Iterable[Projection]) -> tuple[list[Row], list[Row], list[Row],
                                                        list[Row]]:
    """Rows of many projections, per table (instance, task, node_visit, cc)."""
    instances: list[Row] = []
    tasks: list[Row] = []
    visits: list[Row] = []
    cc: list[Row] = []
    for p in projections:
        instances.append(p.instance)
        tasks += p.tasks.values()
        visits += p.visits.values()
        cc += p.cc
    return instances, tasks, visits, cc


__all__ = ["Projection", "cc_key", "changed", "flatten", "instance_row", "project", "task_rows"]
