"""Org sync: preview and apply an incoming org directory (the whole org, from an HR
export or an HR system's push).

``preview(session, incoming)`` says what would change (``engine.core.orgsync.plan``: new,
moved, changed and leaving users, unit changes) and which open tasks must move: those held
by people who leave (or who left before and still hold some), each to their manager (the
first one up the reporting line who stays). ``apply(session, incoming, now)`` writes the
directory (leavers are marked ``left_at``, never deleted) and commits, then hands each
task over by a ``HandOverTask`` command (a ``TaskReassigned`` by ``system`` in the
request's log), one transaction per request. A task nobody can take (no manager up the
line, or each already holds that step) stays and is reported. Applying again is safe: it
finds only what is still to do.

Once a sync was applied the directory belongs to HR: ``api.prepare`` no longer saves the
org file at start (``synced``), which would bring back stale managers and roles.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from engine import service
from engine.core import commands as cmds
from engine.core.directory import OrgDirectory
from engine.core.errors import ConcurrentUpdate, EngineError, TransitionNotAllowed
from engine.core.orgsync import OrgPlan, merged, plan, successor
from engine.store import audit
from engine.store import org_sync as store
from engine.store.org import load_directory

MAX_TRIES = 5  # managers up the line tried when the next one already holds the step


@dataclass(frozen=True, slots=True)
class Handover:
    """An open task of someone leaving: who takes it (None: nobody found), and after
    ``apply`` whether it moved (``done``) or why not (``note``)."""

    task: store.OpenTask
    to: str | None
    done: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class SyncResult:
    plan: OrgPlan
    handovers: tuple[Handover, ...]
    applied: bool


def _prepare(session: Session, incoming: OrgDirectory
             ) -> tuple[OrgPlan, OrgDirectory, OrgDirectory, set[str]]:
    current = load_directory(session)
    org_plan = plan(current, incoming)
    after = merged(current, incoming, org_plan)
    full = store.full_directory(session)
    outgoing = set(full.users) - set(after.users)
    return org_plan, after, full, outgoing


def _target(holder: str, full: OrgDirectory, outgoing: set[str], after: OrgDirectory
            ) -> str | None:
    to = successor(holder, full, outgoing)
    return to if to in after.users else None


def preview(session: Session, incoming: OrgDirectory) -> SyncResult:
    """What applying ``incoming`` would change; nothing is written. Each task's taker is
    found as ``apply`` will: up the reporting line, past anyone who already holds a task
    of that request (or takes one over in this sync)."""
    org_plan, after, full, outgoing = _prepare(session, incoming)
    tasks = store.open_tasks_of(session, outgoing)
    busy = store.open_holders(session, (t.instance_id for t in tasks))
    out = []
    for task in tasks:
        skip, to = set(outgoing), None
        for _ in range(MAX_TRIES):
            to = _target(task.holder, full, skip, after)
            if to is None or to not in busy[task.instance_id]:
                break
            skip.add(to)
            to = None
        if to is not None:
            busy[task.instance_id].add(to)
        out.append(Handover(task, to))
    return SyncResult(org_plan, tuple(out), applied=False)


def apply(session: Session, incoming: OrgDirectory, now: datetime, *, actor: str,
          source: str = "") -> SyncResult:
    """Write ``incoming`` and hand the open tasks of leavers over (see the module). The
    audit entry ``org.synced`` (by ``actor``, subject ``source``) is written with the
    directory; from then on the org file is no longer read at start (``synced``)."""
    org_plan, after, full, outgoing = _prepare(session, incoming)
    store.write_synced(session, after, org_plan.left, now)
    audit.record(session, now, "org.synced", source, actor=actor, detail={
        "new": list(org_plan.new), "moved": [m.username for m in org_plan.moved],
        "changed": [u for u, _ in org_plan.changed], "left": list(org_plan.left),
        "units_new": list(org_plan.units_new), "units_removed": list(org_plan.units_removed)})
    session.commit()
    done = [_hand_over(session, task, full, outgoing, after, now)
            for task in store.open_tasks_of(session, outgoing)]
    session.rollback()  # end the read transaction the last lookup opened
    return SyncResult(org_plan, tuple(done), applied=True)


def _hand_over(session: Session, task: store.OpenTask, full: OrgDirectory, outgoing: set[str],
               after: OrgDirectory, now: datetime) -> Handover:
    skip = set(outgoing)
    for _ in range(MAX_TRIES):
        to = _target(task.holder, full, skip, after)
        if to is None:
            return Handover(task, None, note="nobody up the reporting line can take it")
        cmd = cmds.HandOverTask(task_id=task.task_id, to_user=to,
                                reason=f"{task.holder} left the organisation: handed over "
                                       f"to {to}")
        for _attempt in range(2):
            try:
                service.execute(session, service.DbCatalog(session), after, task.instance_id,
                                cmd, now)
                return Handover(task, to, done=True)
            except ConcurrentUpdate:
                continue  # the request moved meanwhile: decide again on the new state
            except TransitionNotAllowed as exc:
                if "already has this step" not in str(exc):
                    return Handover(task, to, note=str(exc))
                break
            except EngineError as exc:
                return Handover(task, to, note=str(exc))
        skip.add(to)  # holds this step already (or kept changing): the next one up
    return Handover(task, None, note="everyone up the reporting line already holds the step")


def synced(session: Session) -> bool:
    """Whether an org sync was ever applied."""
    return store.synced(session)


__all__ = ["Handover", "SyncResult", "apply", "preview", "synced"]
