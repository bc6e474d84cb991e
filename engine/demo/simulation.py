"""A discrete-event simulation of the company using Signoff, in simulated time.

One clock, one agenda (a heap of timed happenings: a request arrives, an approver acts
on a task, a requester resubmits or withdraws). Every happening becomes a command that
the real ``engine.core.decide`` turns into events, with ``now`` the simulated moment,
so the histories are exactly what the engine would have recorded. Approvers act in
office hours (``WorkingCalendar``); requesters sometimes file in the evening. Whatever
is still on the agenda at ``end`` stays in flight: pending tasks, some overdue.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID

from engine.core import commands as cmds
from engine.core.calendar import WorkingCalendar
from engine.core.decide import decide
from engine.core.definition import ProcessDefinition
from engine.core.directory import OrgDirectory
from engine.core.errors import EngineError
from engine.core.events import Action, Event
from engine.core.state import InstanceState, TaskState, apply, pending_tasks
from engine.demo import personas as P
from engine.demo.arrivals import arrival_times, pick_processes
from engine.demo.comments import remark
from engine.demo.forms import FORMS, revised
from engine.demo.logistics import tracking_number

Progress = Callable[[int, int], None]


# the simulated logistics system's answers, working minutes after the previous one
# (median): the warehouse ships and the carrier delivers to stores in working hours
SERVICE_ANSWERS = (("shipped", 120), ("in_transit", 240), ("arrived", 420))


def _uuid(rng: random.Random) -> UUID:
    return UUID(int=rng.getrandbits(128), version=4)


@dataclass
class _Case:
    """One simulated request: its definition, its own random stream and its history."""

    idx: int
    defn: ProcessDefinition
    rng: random.Random
    events: list[Event] = field(default_factory=list)
    state: InstanceState | None = None
    scheduled: dict[UUID, str] = field(default_factory=dict)  # task -> assignee it waits on

    @property
    def st(self) -> InstanceState:
        assert self.state is not None, "instance not started"
        return self.state


class Simulation:
    def __init__(self, definitions: Iterable[ProcessDefinition], directory: OrgDirectory,
                 start: datetime, end: datetime, seed: int,
                 calendar: WorkingCalendar | None = None) -> None:
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("start and end must be timezone-aware")
        if end <= start:
            raise ValueError(f"empty simulation window: start {start} is not before end {end}")
        self.defs = {d.key: d for d in definitions if d.key in FORMS}
        if not self.defs:
            raise ValueError(f"no definition the demo knows how to fill ({', '.join(FORMS)})")
        self.directory, self.start, self.end, self.seed = directory, start, end, seed
        self.cal = calendar or WorkingCalendar()
        self.agenda: list[tuple[datetime, int, str, int, UUID | None]] = []
        self.cases: dict[int, _Case] = {}
        self.piles: dict[tuple[str, datetime], int] = {}  # (approver, sweep) -> tasks so far
        self._seq = 0

    # -- the agenda -------------------------------------------------------------------
    def push(self, at: datetime, what: str, idx: int, task: UUID | None = None) -> None:
        self._seq += 1
        heapq.heappush(self.agenda, (at, self._seq, what, idx, task))

    def run(self, n_instances: int, progress: Progress | None = None
            ) -> Iterator[tuple[list[Event], InstanceState]]:
        """Each history with its final state: finished ones as they finish, then those
        still in flight at ``end``."""
        if n_instances < 0:
            raise ValueError(f"n_instances must be 0 or more, not {n_instances}")
        master = random.Random(f"signoff-demo/{self.seed}")
        times = arrival_times(self.cal, self.start, self.end, n_instances, master)
        keys = pick_processes(sorted(self.defs), P.PROCESS_MIX, len(times), master)
        for idx, (at, key) in enumerate(zip(times, keys, strict=True)):
            self.cases[idx] = _Case(idx, self.defs[key], random.Random(f"{self.seed}/{idx}"))
            self.push(at, "start", idx)
        done = 0
        while self.agenda and self.agenda[0][0] < self.end:
            at, _, what, idx, task = heapq.heappop(self.agenda)
            case = self.cases.get(idx)
            if case is None:
                continue  # finished already; a stale happening
            self.happen(case, what, at, task)
            if case.state is not None and case.state.finished:
                del self.cases[idx]
                done += 1
                if progress:
                    progress(done, n_instances)
                yield case.events, case.state
        for idx in sorted(self.cases):
            case = self.cases[idx]
            if case.state is not None:
                done += 1
                if progress:
                    progress(done, n_instances)
                yield case.events, case.state

    # -- what happens -----------------------------------------------------------------
    def happen(self, case: _Case, what: str, at: datetime, task_id: UUID | None) -> None:
        if what == "start":
            self.start_case(case, at)
        elif what == "task" and task_id is not None:
            self.act_on_task(case, at, task_id)
        elif what == "resubmit" and case.st.status == "returned":
            data = revised(case.defn.key, dict(case.st.data), case.rng)
            self.command(case, cmds.Resubmit(actor=case.st.initiator, data=data), at)
        elif what.startswith("service:") and task_id is not None:
            self.answer(case, at, task_id, what.removeprefix("service:"))
        elif what == "withdraw" and not case.st.finished:
            text = remark("withdraw", case.defn.key, "", case.rng)
            self.command(case, cmds.Withdraw(actor=case.st.initiator, comment=text), at)

    def start_case(self, case: _Case, at: datetime) -> None:
        rng, key = case.rng, case.defn.key
        initiator = self.pick_initiator(key, rng)
        data = FORMS[key](rng, initiator, at.astimezone(self.cal.tzinfo).date(), self.directory)
        self.command(case, cmds.StartInstance(definition_key=key, initiator=initiator,
                                              data=data), at)
        if rng.random() < P.WITHDRAW_RUNNING:
            self.push(self.later(at, 600, 1.0, rng), "withdraw", case.idx)

    def act_on_task(self, case: _Case, at: datetime, task_id: UUID) -> None:
        state, rng = case.st, case.rng
        task = state.task(task_id)
        if (state.status != "running" or task is None or task.status != "pending"
                or case.scheduled.get(task_id) != task.assignee):
            return  # resolved by someone else, withdrawn, or handed on meanwhile
        key, actor = case.defn.key, task.assignee
        b = P.behaviour(key, task.node, actor)
        if rng.random() < b.delegate and (to := self.colleague(state, task, rng)):
            text = remark("delegate", key, task.node, rng)
            self.command(case, cmds.DelegateTask(task_id=task_id, actor=actor, to_user=to,
                                                 comment=text), at)
            return
        if rng.random() < b.add_signer and (extra := self.second_opinion(state, task)):
            case.scheduled.pop(task_id)  # the approver still decides, a little later
            self.command(case, cmds.AddSigner(task_id=task_id, actor=actor, user=extra,
                                              position="after",
                                              comment=remark("add_signer", key, task.node, rng)),
                         at)
            return
        action = self.choose(b, state, case.defn.nodes[task.node].actions, rng)
        comment = None
        if action != "approve" or rng.random() < b.comment_on_approve:
            comment = remark(action, key, task.node, rng)
        self.command(case, cmds.DecideTask(task_id=task_id, actor=actor, action=action,
                                           comment=comment), at)

    @staticmethod
    def choose(b: P.Behaviour, state: InstanceState, actions: tuple[str, ...],
               rng: random.Random) -> Action:
        if b.approve_below is not None:
            name, limit = b.approve_below
            value = state.data.get(name)
            if isinstance(value, int | float) and value < limit:
                return "approve"
        r = rng.random()
        if r < b.reject and "reject" in actions:
            return "reject"
        if r < b.reject + b.ret and "return" in actions:
            return "return"
        return "approve"

    def command(self, case: _Case, cmd: cmds.Command, at: datetime) -> None:
        """Ask the real engine; record its events; put what follows on the agenda."""
        before = case.state.status if case.state else None
        try:
            new = decide(case.defn, case.state, cmd, at.astimezone(UTC), self.directory,
                         new_id=lambda: _uuid(case.rng))
        except EngineError as exc:
            raise RuntimeError(f"demo request #{case.idx} ({case.defn.key}) at {at}: the "
                               f"engine refused {cmd!r}: {exc}") from exc
        state = case.state
        for e in new:
            state = apply(state, e)
        case.events.extend(new)
        case.state = state
        if state is None or state.finished:
            return
        if state.status == "returned" and before != "returned":
            what = "withdraw" if case.rng.random() < P.WITHDRAW_RETURNED else "resubmit"
            self.push(self.later(at, P.RESUBMIT_MEDIAN_MINUTES, 1.0, case.rng), what, case.idx)
        for task in pending_tasks(state):
            if case.scheduled.get(task.task_id) != task.assignee:
                self.schedule(case, task, at)
        for wait in state.waits:  # a service step: the outside system answers later
            if wait.open and wait.call_id not in case.scheduled:
                case.scheduled[wait.call_id] = wait.system
                self.plan_answers(case, wait.call_id, at)

    def plan_answers(self, case: _Case, call_id: UUID, at: datetime) -> None:
        """The logistics system's answers to a call: shipped, in transit, arrived, each
        some hours after the one before (a random stream of their own, so the people's
        decisions draw the same numbers as without them)."""
        rng = random.Random(f"{self.seed}/{case.idx}/{call_id}")
        for status, minutes in SERVICE_ANSWERS:
            at = self.cal.add_working(at, 60 * minutes * rng.uniform(0.5, 1.5))
            self.push(at, f"service:{status}", case.idx, call_id)

    def answer(self, case: _Case, at: datetime, call_id: UUID, status: str) -> None:
        wait = case.st.wait(call_id)
        if wait is None or not wait.open or case.st.status != "running":
            return  # withdrawn meanwhile
        data = {"status": status, "tracking_number": tracking_number(call_id)}
        self.command(case, cmds.AnswerService(call_id=call_id, system=wait.system,
                                              node=wait.node, callback_id=f"sim-{status}",
                                              data=data), at)

    def schedule(self, case: _Case, task: TaskState, at: datetime) -> None:
        case.scheduled[task.task_id] = task.assignee
        hold = P.HOLD_BACK_HOURS.get(task.assignee)
        if hold and self.end - at < timedelta(days=30) and \
                self.cal.working_seconds_between(at, self.end) < hold * 3600:
            return  # left in the demo approver's inbox
        b = P.behaviour(case.defn.key, task.node, task.assignee)
        when = self.later(at, b.median_minutes, b.sigma, case.rng)
        if b.sweeps:
            when = self.sweep(task.assignee, when, b.sweeps, case.rng)
        self.push(when, "task", case.idx, task.task_id)

    def sweep(self, user: str, ready: datetime, weekdays: tuple[int, ...],
              rng: random.Random) -> datetime:
        """The next time ``user`` signs the pile, a few seconds after the previous one."""
        local = ready.astimezone(self.cal.tzinfo)
        day = local.date()
        while True:
            moment = datetime.combine(day, P.SWEEP_AT, self.cal.tzinfo)
            if day.weekday() in weekdays and self.cal.is_working_day(day) and moment >= local:
                break
            day += timedelta(days=1)
        slot = (user, moment)
        self.piles[slot] = self.piles.get(slot, 0) + 1
        return moment + timedelta(seconds=self.piles[slot] * rng.uniform(4, 15))

    def later(self, at: datetime, median_minutes: float, sigma: float,
              rng: random.Random) -> datetime:
        """An office-time delay after ``at``, log-normal around ``median_minutes``."""
        minutes = rng.lognormvariate(math.log(median_minutes), sigma)
        return self.cal.add_working(at, minutes * 60)

    # -- people -----------------------------------------------------------------------
    def pick_initiator(self, key: str, rng: random.Random) -> str:
        weights = {u: w for u, w in P.INITIATORS.get(key, {}).items()
                   if u in self.directory.users}
        if not weights:
            weights = {u.username: 2.0 if {"store_manager", "sales_associate"} & set(u.roles)
                       else 1.0 for u in self.directory.users.values()
                       if u.manager and not u.is_admin}
        names = sorted(weights)
        return rng.choices(names, [weights[n] for n in names])[0]

    def _busy(self, state: InstanceState, task: TaskState) -> set[str]:
        return {t.assignee for t in state.tasks if t.node == task.node and t.visit == task.visit
                } | {state.initiator}

    def colleague(self, state: InstanceState, task: TaskState,
                  rng: random.Random) -> str | None:
        """Someone sharing a role with the assignee, not already on this step."""
        user = self.directory.get(task.assignee)
        if user is None:
            return None
        busy = self._busy(state, task)
        peers = sorted({p for r in user.roles for p in self.directory.users_with_role(r)} - busy)
        return rng.choice(peers) if peers else None

    def second_opinion(self, state: InstanceState, task: TaskState) -> str | None:
        """The assignee's manager, once per visit, when not already involved."""
        if any(t.added_by == task.assignee and t.visit == task.visit for t in state.tasks):
            return None
        manager = self.directory.manager_of(task.assignee)
        return manager if manager and manager not in self._busy(state, task) else None


def simulate(definitions: Iterable[ProcessDefinition], directory: OrgDirectory, *,
             start: datetime, end: datetime, n_instances: int, seed: int,
             progress: Progress | None = None) -> Iterator[list[Event]]:
    """Histories of ``n_instances`` requests arriving between ``start`` and ``end``.

    Deterministic for a given seed (ids included). Finished requests come first, in the
    order they finished; requests still in flight at ``end`` follow.
    """
    if n_instances < 0:
        raise ValueError(f"n_instances must be 0 or more, not {n_instances}")
    sim = Simulation(definitions, directory, start, end, seed)
    return (events for events, _ in sim.run(n_instances, progress))


__all__ = ["Simulation", "simulate"]
