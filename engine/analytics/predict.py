"""When will a running request finish? A median and an 80th percentile, and whether it is
at risk of missing its deadline (docs/prediction.md explains the method and its limits).

- The path: from the current step, the routes the engine would take on approval with
  the current form data (``engine.core.machine.next_node``, the same routing and
  conditions as ``decide``), through notify steps, to a final step.
- Each step's time: the empirical distribution of its *passages* (``traces.passages``)
  in working seconds of the ``WorkingCalendar``, learned from finished requests: the
  holder's own passages at the current step when there are ``MIN_APPROVER`` of them,
  else the step's when there are ``MIN_STEP``, else the step's SLA. A passage carries
  whether the request ended there (rejected), so rejections shorten a draw as they did.
- The current step has already lasted a while: its draws are the passages longer than
  that, minus what has elapsed (the remaining life, conditioned on the wait so far).
- Monte Carlo: ``DRAWS`` paths, each step's time drawn from its distribution with a
  fixed seed, so the answer is a deterministic function of the history and the moment.

Everything here is pure: the history, the moment and the calendar are passed in.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from engine.analytics.calendar import WorkingCalendar
from engine.analytics.traces import Passage, Trace, passages
from engine.core.definition import ProcessDefinition
from engine.core.errors import EngineError
from engine.core.machine import next_node

MIN_STEP = 5  # passages of a step before its history replaces its SLA
MIN_APPROVER = 20  # passages of one holder at a step before they are used alone
DRAWS = 1000
SEED = 20260601
LEVELS = (0.5, 0.65, 0.8, 0.9)  # finish quantiles the backtest scores as warning rules
_NO_SLA_DAYS = 1.0  # a step with neither history nor SLA: one working day
_MIN_LONGER = 10  # passages longer than the wait so far, to condition on it
# At risk (deadline part): the chance of missing the deadline, the share of the simulated
# futures finishing after it, reaches this. 0.2 would be "the p80 finish passes the
# deadline"; the backtest showed that rule warns about five requests for one miss
# (docs/prediction.md). WARN_CHANCE is the rule until a process has enough finished
# misses for ``choose_warn_chance`` to pick its own threshold from them.
WARN_CHANCE = 0.6
TARGET_RECALL = 0.8  # the share of past misses the chosen threshold must still catch
MIN_MISSES = 5  # past misses needed before a process's threshold is chosen from them
CHANCE_GRID = tuple(x / 20 for x in range(4, 20))  # 0.2 .. 0.95

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
_Sample = tuple[float, float, bool]  # (passage, its first visit, ended there)


class Samples(NamedTuple):
    """Passages of a step in working seconds: whole, first visit alone, ended there."""

    secs: Floats
    first: Floats
    ends: Bools


@dataclass
class Learned:
    """Passages of one process, by step and by (step, holder), in working seconds.
    Grows as requests finish (``add``); arrays are built when first asked for."""

    calendar: WorkingCalendar
    _steps: dict[str, list[_Sample]] = field(default_factory=dict)
    _holders: dict[tuple[str, str], list[_Sample]] = field(default_factory=dict)
    _arrays: dict[Any, Samples] = field(default_factory=dict)
    cases: int = 0
    warn_chance: float = WARN_CHANCE  # the at-risk threshold on the chance of missing

    def add(self, defn: ProcessDefinition, trace: Trace) -> None:
        self.add_passages(passages(defn, trace))
        self.cases += 1

    def add_passages(self, found: Iterable[Passage]) -> None:
        for p in found:
            work = self.calendar.business_seconds
            sample = (work(p.start, p.end), work(p.start, p.first_left), p.ends)
            self._steps.setdefault(p.node, []).append(sample)
            self._arrays.pop(p.node, None)
            if p.holder is not None:
                self._holders.setdefault((p.node, p.holder), []).append(sample)
                self._arrays.pop((p.node, p.holder), None)

    def samples(self, node: str, holder: str | None = None) -> tuple[Samples, str] | None:
        """The holder's passages at the step when there are enough (basis "approver"),
        else the step's ("step"); None when the step has too little history."""
        if holder is not None and len(self._holders.get((node, holder), ())) >= MIN_APPROVER:
            return self._array((node, holder), self._holders[(node, holder)]), "approver"
        found = self._steps.get(node, [])
        return (self._array(node, found), "step") if len(found) >= MIN_STEP else None

    def _array(self, key: Any, rows: list[_Sample]) -> Samples:
        cached = self._arrays.get(key)
        if cached is None:
            n = len(rows)
            cached = self._arrays[key] = Samples(
                np.fromiter((r[0] for r in rows), np.float64, n),
                np.fromiter((r[1] for r in rows), np.float64, n),
                np.fromiter((r[2] for r in rows), np.bool_, n))
        return cached


def learn(defn: ProcessDefinition, traces: Iterable[Trace],
          calendar: WorkingCalendar) -> Learned:
    learned = Learned(calendar)
    for trace in traces:
        learned.add(defn, trace)
    return learned


@dataclass(frozen=True, slots=True)
class Fork:
    """A fork on the remaining path: each branch's approval steps (from its first step, or
    from the step a running branch is at now), met again by the fork's ``join``."""

    node: str
    join: str
    branches: tuple[tuple[Item, ...], ...]


Item = str | Fork  # an approval step, or a fork and its branches


def plan(defn: ProcessDefinition, node: str, data: Mapping[str, Any], *,
         stop: str | None = None) -> list[Item]:
    """The rest of the request from ``node`` (included) the way the engine would route it
    on approval with ``data``: approval steps and forks, to a final step (or to ``stop``,
    a branch's own fork). Arriving at a fork from one of its own branches is its join:
    the path goes on after it."""
    out: list[Item] = []
    seen: set[str] = set()
    current: str | None = node
    came_from: str | None = None
    for _ in range(2 * len(defn.nodes) + 1):  # a path visits a step once
        step = defn.nodes.get(current or "")
        if step is None or step.kind == "final" or step.id == stop or step.id in seen:
            break
        seen.add(step.id)
        action = "next"
        joined = came_from is not None and defn.branch_of.get(came_from, ("",))[0] == step.id
        if step.kind == "approval":
            out.append(step.id)
            action = "approve"
        elif step.kind == "service":  # waits on an outside system: it takes time too
            out.append(step.id)
        elif step.kind == "fork":
            if not joined:
                out.append(Fork(step.id, step.join, tuple(
                    tuple(plan(defn, first, data, stop=step.id))
                    for first in step.branches.values())))
            action = "approve"
        came_from = step.id
        try:
            current = next_node(defn, step.id, action, data)
        except EngineError:
            break
    return out


def flat(items: Iterable[Item]) -> list[str]:
    """The approval steps of a plan, branches in their order."""
    out: list[str] = []
    for item in items:
        if isinstance(item, Fork):
            for branch in item.branches:
                out.extend(flat(branch))
        else:
            out.append(item)
    return out


def remaining_path(defn: ProcessDefinition, node: str, data: Mapping[str, Any]
                   ) -> list[str]:
    """The approval steps from ``node`` (included) to the end, the way the engine would
    route the request on approval with ``data`` (a fork's branches one after another)."""
    return flat(plan(defn, node, data))


@dataclass(frozen=True, slots=True)
class At:
    """A step a request is at now: when it was first entered, who holds it, whether the
    request is still in that first visit, the earliest due time of its pending tasks."""

    node: str
    since: float
    holders: tuple[str, ...] = ()
    first_visit: bool = True
    due: float | None = None


@dataclass(frozen=True, slots=True)
class Prediction:
    median: datetime
    p80: datetime
    step_median: datetime  # the current step's likely decision
    deadline_risk: bool  # the chance of missing the deadline reaches the threshold
    sla_risk: bool  # the current step's likely decision passes its tasks' due time
    path: tuple[str, ...]
    basis: tuple[str, ...]  # per step: "approver", "step" or "sla"
    levels: tuple[tuple[float, float], ...] = ()  # (quantile, POSIX finish) of LEVELS
    miss_chance: float | None = None  # share of the futures finishing past the deadline

    @property
    def at_risk(self) -> bool:
        return self.deadline_risk or self.sla_risk


def _to_dt(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


def _fixed(seconds: float) -> Samples:
    return Samples(np.array([seconds]), np.array([seconds]), np.array([False]))


def _sla_seconds(defn: ProcessDefinition, node: str, cal: WorkingCalendar) -> float:
    sla = defn.nodes[node].sla
    if sla is None:
        return _NO_SLA_DAYS * cal.day_seconds
    return sla.days * cal.day_seconds + min(sla.seconds, cal.day_seconds)


def _current(found: Samples, elapsed: float, first_visit: bool) -> tuple[Floats, Bools]:
    """The remaining life of the current step after ``elapsed`` working seconds: among
    the passages whose first visit (``first_visit``), or whole passage, lasted longer."""
    secs, ends = found.secs, found.ends
    clock = found.first if first_visit else secs  # what has been running all this time
    longer = clock > elapsed
    if longer.sum() >= _MIN_LONGER:
        return secs[longer] - elapsed, ends[longer]
    # waited longer than (nearly) all history: what the slowest tenth had left past
    # their own 90th percentile (of the same clock), rework after it included
    q = float(np.quantile(clock, 0.9))
    tail = clock >= q
    return np.maximum(secs[tail] - q, 60.0), ends[tail]


def predict(defn: ProcessDefinition, learned: Learned, *, node: str, since: float,
            now: float, data: Mapping[str, Any], holders: Iterable[str] = (),
            first_visit: bool = True, deadline: float | None = None,
            due: float | None = None, draws: int = DRAWS,
            warn_chance: float | None = None, branches: Sequence[At] = ()) -> Prediction:
    """Predict the finish of a request at ``node`` (first entered at ``since``; still in
    that first visit, never returned from it: ``first_visit``) at ``now`` (POSIX
    seconds). ``due``: the earliest due time of its pending tasks. ``warn_chance``: the
    at-risk threshold on the chance of missing the deadline (default: the learned
    process's). At a fork, ``branches`` are the steps its running branches are at (each
    with its own holders and due time); the fork is done when its ``join`` is."""
    cal = learned.calendar
    fork = defn.nodes.get(node)
    if fork is not None and fork.kind == "fork" and branches:
        here = list(branches)
        items: list[Item] = [Fork(node, fork.join, tuple(
            tuple(plan(defn, b.node, data, stop=node)) or (b.node,) for b in here))]
        with contextlib.suppress(EngineError):  # no route on: the fork's end is the end
            items += plan(defn, next_node(defn, node, "approve", data), data)
    else:
        here = [At(node, since, tuple(holders), first_visit, due)]
        items = plan(defn, node, data) or [node]
    current = {b.node: b for b in here}
    rng = np.random.default_rng(SEED)
    basis: list[str] = []
    step_times: dict[str, Floats] = {}

    def draw(step: str) -> tuple[Floats, Bools]:
        b = current.get(step)
        who = list(dict.fromkeys(b.holders)) if b is not None else []
        found = learned.samples(step, who[0] if len(who) == 1 else None)
        samples, how = found if found is not None else (
            _fixed(_sla_seconds(defn, step, cal)), "sla")
        basis.append(how)
        secs, ends = samples.secs, samples.ends
        if b is not None:  # a step the request is at: what is left of it
            elapsed = cal.business_seconds(b.since, now)
            if found is None:
                secs = np.maximum(secs - elapsed, 0.0)
            else:
                secs, ends = _current(samples, elapsed, b.first_visit)
        pick = rng.integers(0, len(secs), draws)
        took = secs[pick]
        if b is not None:
            step_times[step] = took
        return took, ~ends[pick]

    total, _ = _simulate(items, draw, draws)
    qs = np.quantile(total, LEVELS)
    levels = tuple((q, cal.add_business_seconds(now, float(x))) for q, x in zip(LEVELS, qs,
                                                                               strict=True))
    at_level = dict(levels)
    median, late = at_level[0.5], at_level[0.8]
    medians = {s: cal.add_business_seconds(now, float(np.median(t))) for s, t in step_times.items()}
    # the current step's likely decision; at a fork, when its join is likely done (a
    # returned request about to enter a fork again is at no step yet: its finish)
    step_median = (min if fork is not None and fork.join == "any" else max)(
        medians.values(), default=median)
    chance = None
    if deadline is not None:
        left = cal.business_seconds(now, deadline) if deadline > now else 0.0
        chance = float(np.mean(total > left))
    warn = learned.warn_chance if warn_chance is None else warn_chance
    sla_risk = any(b.due is not None and now < b.due < medians[b.node] for b in here)
    return Prediction(_to_dt(median), _to_dt(late), _to_dt(step_median),
                      chance is not None and now < (deadline or 0.0) and chance >= warn,
                      sla_risk, tuple(flat(items)), tuple(basis), levels, chance)


def _simulate(items: Sequence[Item], draw: Callable[[str], tuple[Floats, Bools]],
              draws: int) -> tuple[Floats, Bools]:
    """``draws`` futures of a plan: each one's time, and whether it went on to the end (no
    rejection ended it on the way). A fork's branches run side by side: ``join: all`` is
    done when the last branch approves or the first rejects; ``any`` when the first
    branch is done, its outcome the fork's."""
    total = np.zeros(draws)
    going = np.ones(draws, dtype=np.bool_)
    for item in items:
        if isinstance(item, Fork):
            parts = [_simulate(branch, draw, draws) for branch in item.branches if branch]
            if not parts:
                continue
            times = np.stack([t for t, _ in parts])
            oks = np.stack([ok for _, ok in parts])
            if item.join == "any":
                first = times.argmin(axis=0)
                took = times.min(axis=0)
                ok = np.take_along_axis(oks, first[None, :], axis=0)[0]
            else:
                ok = oks.all(axis=0)
                took = np.where(ok, times.max(axis=0), np.where(oks, np.inf, times).min(axis=0))
        else:
            took, ok = draw(item)
        total += np.where(going, took, 0.0)
        going &= ok
    return total, going


def choose_warn_chance(past: Iterable[tuple[float, bool]]) -> float:
    """The at-risk threshold chosen from finished requests: ``past`` holds, per request
    with a deadline, the highest chance of missing it predicted before it, and whether it
    missed. The highest threshold that would still have warned about ``TARGET_RECALL`` of
    the misses (fewer warnings, so fewer false alarms, for the recall asked), or
    ``WARN_CHANCE`` while there are fewer than ``MIN_MISSES`` misses to choose from."""
    highest = sorted(c for c, missed in past if missed)
    if len(highest) < MIN_MISSES:
        return WARN_CHANCE
    chosen = CHANCE_GRID[0]
    for g in CHANCE_GRID:
        if sum(1 for c in highest if c >= g) >= TARGET_RECALL * len(highest):
            chosen = g
    return chosen


def predict_trace(defn: ProcessDefinition, learned: Learned, trace: Trace, now: float,
                  deadline: float | None, *, draws: int = DRAWS) -> Prediction | None:
    """Predict a request from its trace as it stood at ``now`` (entries, holder and form
    data up to ``now``; nothing later is read); None when it is not at an approval step."""
    seen = trace.entries_until(now)
    if not seen:
        return None
    last = seen[-1]
    step = defn.nodes.get(last.node)
    if step is None or not step.waits:
        return None
    first = next(e for e in seen if e.node == last.node)
    holders = [last.holder] if last.holder else []
    first_visit = first is last and (last.left is None or last.left > now)
    return predict(defn, learned, node=last.node, since=first.at, now=now,
                   data=trace.data_at(now), holders=holders, first_visit=first_visit,
                   deadline=deadline, draws=draws)


__all__ = ["DRAWS", "LEVELS", "MIN_APPROVER", "MIN_STEP", "SEED", "TARGET_RECALL",
           "WARN_CHANCE", "At", "Fork", "Item", "Learned", "Prediction", "Samples",
           "choose_warn_chance", "flat", "learn", "plan", "predict", "predict_trace",
           "remaining_path"]
