"""A request's path through its steps, read from its events, and the step *passages*
the predictor learns from.

A ``Trace`` is what prediction and the backtest need of one request: its form data as it
changed, each node entry (with who held the task at that moment and who decided the
visit), each task's due time and when it closed, and how it ended. It is a pure function
of the event list (``trace_of``), so a running request and a finished one are read the
same way, and nothing in it comes from after the moment a question is asked about it
unless the caller looks past that moment (``data_at``, ``entries_until``).

A *passage* of a step is the working time from the request's first entry into that step
to its first entry into a step it had not visited before. Passages split a request's
life into consecutive pieces that add up to its cycle time; a return (to the initiator or
to an earlier step) and the rework after it count in the passage of the step that
returned it, which is where the risk of a return is taken.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from engine.core import events as ev
from engine.core.definition import ProcessDefinition

INF = float("inf")


class Entry(NamedTuple):
    node: str
    visit: int
    at: float  # POSIX seconds
    holder: str | None  # the only approver holding the task at entry (None: several/none)
    by: str | None  # who decided the visit (known only once it was decided)
    left: float | None = None  # when the visit ended (None while it lasts)


class TaskSpan(NamedTuple):
    due: float | None
    closed: float  # INF while open


class Trace(NamedTuple):
    case_id: str
    key: str
    version: int
    started_at: float
    data: tuple[tuple[float, Mapping[str, Any]], ...]  # (since, form data), in order
    entries: tuple[Entry, ...]
    tasks: tuple[TaskSpan, ...]
    finished_at: float | None
    outcome: str | None

    def data_at(self, t: float) -> Mapping[str, Any]:
        """The form data as it stood at ``t``."""
        found = self.data[0][1]
        for since, data in self.data:
            if since > t:
                break
            found = data
        return found

    def entries_until(self, t: float) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.at <= t)

    def overdue_at(self) -> float | None:
        """When a task of this request was first overdue (today's overdue flag)."""
        late = [s.due for s in self.tasks if s.due is not None and s.closed > s.due]
        return min(late) if late else None


def trace_of(events: Sequence[ev.Event]) -> Trace:
    """The trace of one request's full event list (it begins with ``instance_started``)."""
    first = events[0]
    assert isinstance(first, ev.InstanceStarted), "a history begins with instance_started"
    data: list[tuple[float, Mapping[str, Any]]] = [(first.at.timestamp(), first.data)]
    entries: list[list[Any]] = []
    at_entry: dict[tuple[str, int], list[str]] = {}
    decided: dict[tuple[str, int], tuple[str | None, float]] = {}
    due: dict[Any, float | None] = {}
    closed: dict[Any, float] = {}
    finished_at: float | None = None
    outcome: str | None = None
    for e in events:
        t = e.at.timestamp()
        if isinstance(e, ev.NodeEntered):
            entries.append([e.node, e.visit, t])
        elif isinstance(e, ev.TaskCreated):
            due[e.task_id] = e.due_at.timestamp() if e.due_at else None
            if e.added_by is None and entries and entries[-1][2] == t:
                at_entry.setdefault((e.node, e.visit), []).append(e.assignee)
        elif isinstance(e, ev.TaskActivated):
            due[e.task_id] = e.due_at.timestamp() if e.due_at else None
        elif isinstance(e, ev.TaskDecided | ev.TaskCancelled):
            closed[e.task_id] = t
        elif isinstance(e, ev.NodeLeft):
            decided[(e.node, e.visit)] = (e.decided_by, t)
        elif isinstance(e, ev.InstanceResubmitted):
            data.append((t, e.data))
        elif isinstance(e, ev.InstanceFinished):
            finished_at, outcome = t, e.outcome
    out = []
    for node, visit, t in entries:
        holders = at_entry.get((node, visit), [])
        by, left = decided.get((node, visit), (None, None))
        out.append(Entry(node, visit, t, holders[0] if len(holders) == 1 else None, by, left))
    end = finished_at if finished_at is not None else INF
    spans = tuple(TaskSpan(d, closed.get(k, end)) for k, d in due.items())
    return Trace(str(first.instance_id), first.definition_key, first.definition_version,
                 first.at.timestamp(), tuple(data), tuple(out), spans, finished_at, outcome)


class Passage(NamedTuple):
    node: str
    start: float  # POSIX time of the first entry
    end: float  # POSIX time of the first entry into a new step (or the finish)
    ends: bool  # the request ended here without going on (rejected)
    holder: str | None  # who held the step at its first entry
    first_left: float  # when its first visit ended (a return, or the passage's end)


def passages(defn: ProcessDefinition, trace: Trace) -> list[Passage]:
    """The passages of the approval steps (and service steps, which wait on an outside
    system) of a finished request. A request withdrawn or
    cancelled loses its last passage (cut short by the requester, not by the step)."""
    if trace.finished_at is None:
        return []
    firsts: list[Entry] = []
    seen: set[str] = set()
    for e in trace.entries:
        if e.node not in seen:
            seen.add(e.node)
            firsts.append(e)
    out: list[Passage] = []
    for i, e in enumerate(firsts):
        node = defn.nodes.get(e.node)
        if node is None or not node.waits:
            continue
        after = firsts[i + 1] if i + 1 < len(firsts) else None
        if after is None:  # withdrawn or cancelled while here
            continue
        nxt = defn.nodes.get(after.node)
        ends = nxt is not None and nxt.kind == "final" and nxt.outcome != _approved_end(defn)
        left = e.left if e.left is not None and e.left <= after.at else after.at
        out.append(Passage(e.node, e.at, after.at, ends, e.holder, left))
    return out


def _approved_end(defn: ProcessDefinition) -> str:
    """The outcome of a request approved all the way (``approved`` unless the process
    names its happy ending otherwise: the final node most approve routes lead to)."""
    finals = [n.outcome for n in defn.nodes.values() if n.kind == "final" and n.outcome]
    return "approved" if "approved" in finals or not finals else finals[0]


__all__ = ["INF", "Entry", "Passage", "TaskSpan", "Trace", "passages", "trace_of"]
