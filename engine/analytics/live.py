"""Predictions for running requests, cheap enough for every request view.

The learned passages of a process (``predict.Learned``) are read from the ``node_visit``,
``task`` and ``instance`` projections (three queries, no event replay; the ``RECENT``
newest finished requests) and kept per
database and process for ``TTL`` seconds, then read again: a view costs one trace of
the request's own events and one Monte Carlo run (``predict.predict``). A process's
distributions move slowly (a few hundred finished requests make them), so a copy a few
minutes old predicts as well as a fresh one; the cache is per process, like the parsed
definitions.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from engine.analytics.calendar import WorkingCalendar
from engine.analytics.predict import DRAWS, WARN_CHANCE, At, Learned, Prediction, predict
from engine.analytics.traces import Entry, Trace, trace_of
from engine.core import events as ev
from engine.core.deadline import deadline_of
from engine.core.definition import ProcessDefinition
from engine.core.state import InstanceState, TaskState
from engine.store.board_tables import RiskThreshold
from engine.store.tables import Instance, NodeVisit, Task

TTL = 300.0  # seconds a process's learned passages are reused before being read again
RECENT = 2000  # the newest finished requests of a process the live predictions learn from
_inst = Instance.__table__  # type: ignore[attr-defined]
_visit = NodeVisit.__table__  # type: ignore[attr-defined]
_task = Task.__table__  # type: ignore[attr-defined]
_risk = RiskThreshold.__table__  # type: ignore[attr-defined]


def finished_traces(conn: sa.Connection, key: str, limit: int = RECENT) -> list[Trace]:
    """Traces of the ``limit`` most recently finished requests of ``key`` from the
    projections: node entries (holder: the one task created at entry, if only one), visit
    ends, finish. Recent history only: it is what predicts tomorrow, and it bounds the
    cost of a refresh however long the process has run."""
    rows = conn.execute(sa.select(_inst.c.id, _inst.c.definition_version, _inst.c.started_at,
                                  _inst.c.finished_at, _inst.c.outcome, _inst.c.status)
                        .where(_inst.c.definition_key == key,
                               _inst.c.finished_at.is_not(None))
                        .order_by(_inst.c.finished_at.desc(), _inst.c.id).limit(limit)).all()
    done = {r.id: r for r in rows}
    ids = list(done)
    holders: dict[tuple[object, str, int], list[tuple[datetime, str]]] = {}
    tq = (sa.select(_task.c.instance_id, _task.c.node, _task.c.visit, _task.c.created_at,
                    _task.c.assignee)
          .where(_task.c.instance_id.in_(ids), _task.c.added_by.is_(None)))
    for iid, node, visit, created, assignee in conn.execute(tq):
        holders.setdefault((iid, node, visit), []).append((created, assignee))
    entries: dict[object, list[Entry]] = {}
    vq = (sa.select(_visit.c.instance_id, _visit.c.node, _visit.c.visit, _visit.c.entered_at,
                    _visit.c.decided_by, _visit.c.left_at, _visit.c.entered_seq)
          .where(_visit.c.instance_id.in_(ids))
          .order_by(_visit.c.instance_id, _visit.c.entered_seq))
    for iid, node, visit, entered, by, left, _seq in conn.execute(vq):
        at_entry = [a for t, a in holders.get((iid, node, visit), []) if t == entered]
        entries.setdefault(iid, []).append(Entry(
            node, visit, entered.timestamp(), at_entry[0] if len(at_entry) == 1 else None,
            by, left.timestamp() if left else None))
    return [Trace(str(iid), key, r.definition_version, r.started_at.timestamp(), (),
                  tuple(entries.get(iid, ())), (), r.finished_at.timestamp(),
                  r.outcome or r.status) for iid, r in done.items()]


def stored_warn_chance(conn: sa.Connection, key: str) -> float:
    """The at-risk threshold the worker chose for ``key`` from its finished requests
    (``engine.forecast.warn_chances``, the backtest's rule), else ``WARN_CHANCE``."""
    found = conn.execute(sa.select(_risk.c.warn_chance)
                         .where(_risk.c.definition_key == key)).scalar()
    return float(found) if found is not None else WARN_CHANCE


class LearnedCache:
    """Learned passages per (database, process), read again after ``ttl`` seconds."""

    def __init__(self, ttl: float = TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.clock = ttl, clock
        # per engine (weakly: a disposed database's entries go with it), then per process
        self._found: weakref.WeakKeyDictionary[sa.Engine, dict[str, tuple[float, Learned]]] \
            = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def get(self, engine: sa.Engine, defn: ProcessDefinition,
            calendar: WorkingCalendar, conn: sa.Connection | None = None) -> Learned:
        """``conn``: read through this connection (a caller inside a write transaction
        on SQLite, where a second connection could not begin) instead of a new one."""
        with self._lock:
            found = self._found.get(engine, {}).get(defn.key)
        if found is not None and self.clock() - found[0] < self.ttl:
            return found[1]
        if conn is not None:
            traces = finished_traces(conn, defn.key)
            warn = stored_warn_chance(conn, defn.key)
        else:
            with engine.connect() as own:
                traces = finished_traces(own, defn.key)
                warn = stored_warn_chance(own, defn.key)
        learned = Learned(calendar, warn_chance=warn)
        for trace in traces:
            learned.add(defn, trace)
        with self._lock:
            self._found.setdefault(engine, {})[defn.key] = (self.clock(), learned)
        return learned

    def clear(self) -> None:
        with self._lock:
            self._found.clear()


CACHE = LearnedCache()


@dataclass(frozen=True, slots=True)
class Forecast:
    deadline: datetime | None
    prediction: Prediction | None  # None when the request is finished or not at a step

    @property
    def at_risk(self) -> bool:
        return self.prediction is not None and self.prediction.at_risk


def forecast(defn: ProcessDefinition, learned: Learned, state: InstanceState,
             events: Sequence[ev.Event], now: datetime, *, draws: int = DRAWS) -> Forecast:
    """The deadline of a request and, while it runs, its predicted finish at ``now``: from
    the approval step it is at, or at a fork from the steps of its running branches."""
    cal = learned.calendar
    found_deadline = deadline_of(defn.deadline, state.data, state.started_at, cal)
    deadline = found_deadline.astimezone(UTC) if found_deadline is not None else None
    node = state.node or state.resume_at
    step = defn.nodes.get(node or "")
    at_fork = step is not None and step.kind == "fork" and bool(state.branches)
    if state.finished or node is None or not events or step is None \
            or not (step.waits or step.kind == "fork"):
        return Forecast(deadline, None)
    trace = trace_of(events)
    running = state.status == "running"
    pending = [p for p in state.tasks if p.status == "pending"]
    if at_fork:
        here = [_at(trace, s, [p for p in pending if p.node == s], running, None)
                for s in state.branches.values()]
    else:
        here = [_at(trace, node, pending, running, trace.entries[-1] if trace.entries else None)]
    first = here[0]
    found = predict(defn, learned, node=node, since=first.since, now=now.timestamp(),
                    data=state.data, holders=first.holders, first_visit=first.first_visit,
                    deadline=deadline.timestamp() if deadline else None, due=first.due,
                    draws=draws, branches=here if at_fork else ())
    return Forecast(deadline, found)


def _at(trace: Trace, node: str, pending: Sequence[TaskState], running: bool,
        latest: Entry | None) -> At:
    """The step ``node`` as the request is at it now: first entered when, held by whom
    (``pending``: its pending tasks), whether still in that first visit (entered once, the
    request not returned; ``latest``: the entry that must be that one, else any), the
    earliest due time of its tasks."""
    mine = [e for e in trace.entries if e.node == node]
    dues = [p.due_at.timestamp() for p in pending if p.due_at is not None]
    first_visit = running and len(mine) == 1 and (latest is None or mine[0] is latest)
    return At(node, mine[0].at if mine else trace.started_at, tuple(p.assignee for p in pending),
              first_visit, min(dues) if dues else None)


__all__ = ["CACHE", "RECENT", "TTL", "Forecast", "LearnedCache", "finished_traces", "forecast",
           "stored_warn_chance"]
