"""Out-of-office rerouting, pure: which tasks a command just assigned to someone who is
away, and to whom they go instead.

After a command, every open task it assigned (created, delegated, or reassigned by an
escalation) to someone who is away at that moment is delegated, by that person,
automatically, to their delegate, following chains of absences (at most ``MAX_CHAIN``
hops). The handover is an ordinary
``DelegateTask`` decided in the same command, so it shows in the timeline like any
delegation. ``engine.service`` runs it for every caller (API, CLI, worker).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from engine.core import events as ev
from engine.core.commands import DelegateTask
from engine.core.decide import decide_and_fold
from engine.core.definition import ProcessDefinition
from engine.core.directory import OrgDirectory
from engine.core.errors import EngineError
from engine.core.state import InstanceState
from engine.core.worktime import WorkingHours

MAX_CHAIN = 5


@dataclass(frozen=True, slots=True)
class Absence:
    """``username`` is away until ``ends_at``; new work goes to ``delegate_to``."""

    username: str
    delegate_to: str
    ends_at: datetime


def assigned(events: Iterable[ev.Event]) -> set[UUID]:
    """The tasks ``events`` gave to someone: created, delegated or reassigned."""
    return {e.task_id for e in events
            if isinstance(e, ev.TaskCreated | ev.TaskDelegated | ev.TaskReassigned)}


def reroutes(state: InstanceState, tasks: set[UUID], away: Mapping[str, Absence]
             ) -> list[DelegateTask]:
    """The delegations that take the open ``tasks`` of ``state`` away from absent holders
    (``away``: who is away now, by username)."""
    out = []
    for task in state.tasks:
        if task.task_id not in tasks or not task.open or task.assignee not in away:
            continue
        target, hops = task.assignee, 0
        while target in away and hops < MAX_CHAIN:
            target, hops = away[target].delegate_to, hops + 1
        if target == task.assignee:
            continue
        comment = (f"Out of office until {away[task.assignee].ends_at:%Y-%m-%d %H:%M} "
                   f"UTC: handed to {target}")
        out.append(DelegateTask(task_id=task.task_id, actor=task.assignee, to_user=target,
                                comment=comment))
    return out


def handovers(defn: ProcessDefinition, state: InstanceState, new: list[ev.Event],
              away: Mapping[str, Absence], now: datetime, directory: OrgDirectory,
              calendar: WorkingHours | None = None) -> list[ev.Event]:
    """The events of the delegations that take the tasks ``new`` assigned (``state`` is
    the state after ``new``) away from people in ``away``, each decided like any
    ``DelegateTask``; one the engine refuses (the delegate left the directory) is
    skipped and the task stays put."""
    out: list[ev.Event] = []
    for cmd in reroutes(state, assigned(new), away) if away else ():
        try:
            events, state = decide_and_fold(defn, state, cmd, now, directory,
                                            calendar=calendar)
        except EngineError:
            continue
        out += events
    return out


__all__ = ["MAX_CHAIN", "Absence", "assigned", "handovers", "reroutes"]
