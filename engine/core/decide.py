"""``decide``: a command plus the current state in, events out. Pure: no I/O, no clock.

Each handler checks who may act and in which state, then lets ``Flow`` emit the events.
A refused command raises an ``EngineError`` and produces nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from uuid import UUID, uuid4

from engine.core import attachments, orgsync, risk, services, timers
from engine.core import commands as cmds
from engine.core import events as ev
from engine.core.approvers import assignees
from engine.core.definition import ProcessDefinition
from engine.core.directory import OrgDirectory
from engine.core.errors import (
    DefinitionNotFound,
    FormInvalid,
    InstanceNotFound,
    NotPermitted,
    TaskNotFound,
    TransitionNotAllowed,
    UserNotFound,
)
from engine.core.flow import Flow
from engine.core.forms import form_errors, labels_zh
from engine.core.state import InstanceState, TaskState
from engine.core.worktime import WorkingHours


def decide(defn: ProcessDefinition, state: InstanceState | None, cmd: cmds.Command,
           now: datetime, directory: OrgDirectory,
           new_id: Callable[[], UUID] = uuid4, *,
           calendar: WorkingHours | None = None) -> list[ev.Event]:
    """The events ``cmd`` causes. For ``StartInstance`` ``state`` is None and the new
    instance's id is ``new_id()``; task ids come from ``new_id`` too. ``calendar`` is the
    org calendar that ``clock: working`` durations count on (wall time without one)."""
    return _run(defn, state, cmd, now, directory, new_id, calendar).events


def decide_and_fold(defn: ProcessDefinition, state: InstanceState | None, cmd: cmds.Command,
                    now: datetime, directory: OrgDirectory,
                    new_id: Callable[[], UUID] = uuid4, *,
                    calendar: WorkingHours | None = None
                    ) -> tuple[list[ev.Event], InstanceState]:
    """``decide`` plus the state after its events (the same as ``apply_all(state, events)``),
    which ``decide`` folds anyway: a caller need not fold the events again."""
    flow = _run(defn, state, cmd, now, directory, new_id, calendar)
    after = flow.result()
    assert after is not None, "a command on no instance either starts one or is refused"
    return flow.events, after


def _run(defn: ProcessDefinition, state: InstanceState | None, cmd: cmds.Command,
         now: datetime, directory: OrgDirectory, new_id: Callable[[], UUID],
         calendar: WorkingHours | None = None) -> Flow:
    flow = Flow(defn, state, now, directory, new_id, calendar)
    if isinstance(cmd, cmds.StartInstance):
        _start(flow, cmd)
        return flow
    if state is None:
        if isinstance(cmd, cmds.DecideTask | cmds.DelegateTask | cmds.AddSigner
                      | cmds.FireTimer | cmds.HandOverTask):
            raise TaskNotFound(cmd.task_id)
        raise InstanceNotFound(None)
    if (state.definition_key, state.definition_version) != (defn.key, defn.version):
        raise DefinitionNotFound(state.definition_key, state.definition_version)
    match cmd:
        case cmds.DecideTask():
            _decide_task(flow, cmd)
        case cmds.DelegateTask():
            _delegate(flow, cmd)
        case cmds.AddSigner():
            _add_signer(flow, cmd)
        case cmds.Withdraw():
            _end(flow, cmd.actor, "withdraw", cmd.comment)
        case cmds.CancelInstance():
            _end(flow, cmd.actor, "cancel", cmd.reason)
        case cmds.Resubmit():
            _resubmit(flow, cmd)
        case cmds.AddComment():
            _comment(flow, cmd)
        case cmds.FireTimer():
            timers.fire(flow, cmd)
        case cmds.MarkAtRisk():
            risk.mark(flow, cmd)
        case cmds.AddAttachments():
            attachments.attach(flow, cmd, may_comment(flow.initial, cmd.actor,
                                                      flow.directory))
        case cmds.HandOverTask():
            orgsync.hand_over(flow, cmd)
        case cmds.AnswerService():
            services.answer(flow, cmd)
    return flow


def _check_form(flow: Flow, data: dict[str, object], filed: datetime | None = None) -> None:
    """The form, with its date rules counted from the day the request was filed (now, or
    ``filed`` for a resubmission: "30 days ahead" stays 30 days from the filing) in the
    org calendar's time zone."""
    day = filed or flow.now
    now = day.astimezone(flow.calendar.tzinfo) if flow.calendar is not None else day
    if errors := form_errors(flow.defn.form_schema, data, cache_key=flow.defn.digest,
                             today=now.date()):
        raise FormInvalid(errors, labels_zh(flow.defn.form_schema))


def _start(flow: Flow, cmd: cmds.StartInstance) -> None:
    defn = flow.defn
    if flow.started:
        raise TransitionNotAllowed(None, "start", "the instance already exists")
    if cmd.definition_key != defn.key:
        raise DefinitionNotFound(cmd.definition_key)
    if cmd.initiator not in flow.directory.users:
        raise UserNotFound(cmd.initiator)
    _check_form(flow, cmd.data)
    for node in defn.nodes.values():  # fail now, not halfway, when a step has nobody
        if node.kind == "approval":
            assignees(node, cmd.initiator, cmd.data, flow.directory)
    flow.emit(ev.InstanceStarted(instance_id=flow.new_id(), at=flow.now, definition_key=defn.key,
                                 definition_version=defn.version, initiator=cmd.initiator,
                                 data=dict(cmd.data), title=defn.title_for(cmd.data)))
    flow.go(defn.start)


def _running(flow: Flow, action: str) -> None:
    if flow.state.status != "running":
        raise TransitionNotAllowed(flow.state.node, action, f"instance is {flow.state.status}")


def _task(flow: Flow, task_id: UUID, action: str, *, waiting_ok: bool = False) -> TaskState:
    task = flow.state.task(task_id)
    if task is None:
        raise TaskNotFound(task_id)
    _running(flow, action)
    if task.status != "pending" and not (waiting_ok and task.status == "waiting"):
        raise TransitionNotAllowed(task.node, action, f"the task is {task.status}")
    return task


def _decide_task(flow: Flow, cmd: cmds.DecideTask) -> None:
    task = _task(flow, cmd.task_id, cmd.action)
    if cmd.actor != task.assignee:
        raise NotPermitted(cmd.actor, cmd.action, f"the task is assigned to {task.assignee}")
    node = flow.defn.nodes[task.node]  # at a fork, the step of the task's branch
    if cmd.action not in node.actions:
        raise TransitionNotAllowed(node.id, cmd.action, "this step does not offer it")
    return_to = None
    if cmd.action == "return":
        return_to = cmd.return_to or node.return_to or "initiator"
        _check_return_target(flow, task.node, return_to)
    if cmd.action in ("reject", "return") and node.reason_required \
            and not (cmd.comment and cmd.comment.strip()):
        raise FormInvalid([("/comment", REASON_NEEDED[cmd.action])])
    target = flow.record(task, cmd.action, cmd.actor, cmd.comment, return_to)
    flow.go(target if target is not None else flow.settle())


REASON_NEEDED = {"reject": "a reason is required to reject: say why in the comment",
                 "return": "a reason is required to return: say what to change in the comment"}


def return_targets(defn: ProcessDefinition, node: str | None, path: Sequence[str]
                   ) -> list[str]:
    """Where a task at ``node`` may send the instance back: the initiator, then the earlier
    approval nodes on ``path`` (the nodes entered, in order; most recent first)."""
    current = defn.nodes.get(node) if node is not None else None
    if current is None or "return" not in current.actions:
        return []
    earlier = [n for n in reversed(path[:-1]) if n != node and n in defn.nodes
               and defn.nodes[n].kind == "approval" and n not in defn.branch_of]
    return ["initiator", *dict.fromkeys(earlier)]


def _check_return_target(flow: Flow, node: str, to: str) -> None:
    if to not in return_targets(flow.defn, node, flow.initial.path):
        raise TransitionNotAllowed(flow.state.node, "return",
                                   f"{to!r} is not the initiator or an earlier step")


def _user(flow: Flow, username: str) -> None:
    if username not in flow.directory.users:
        raise UserNotFound(username)


def _is_admin(flow: Flow, username: str) -> bool:
    user = flow.directory.get(username)
    return bool(user and user.is_admin)


def _delegate(flow: Flow, cmd: cmds.DelegateTask) -> None:
    task = _task(flow, cmd.task_id, "delegate", waiting_ok=True)
    if cmd.actor != task.assignee and not _is_admin(flow, cmd.actor):
        raise NotPermitted(cmd.actor, "delegate", f"the task is assigned to {task.assignee}")
    _user(flow, cmd.to_user)
    if any(t.open and t.assignee == cmd.to_user for t in flow.visit_tasks(task.node)):
        raise TransitionNotAllowed(task.node, "delegate", f"{cmd.to_user} already has this step")
    flow.emit(ev.TaskDelegated(instance_id=flow.state.id, at=flow.now, task_id=task.task_id,
                               node=task.node, actor=cmd.actor, from_user=task.assignee,
                               to_user=cmd.to_user, comment=cmd.comment))


def _add_signer(flow: Flow, cmd: cmds.AddSigner) -> None:
    task = _task(flow, cmd.task_id, "add_signer")
    if cmd.actor != task.assignee:
        raise NotPermitted(cmd.actor, "add_signer", f"the task is assigned to {task.assignee}")
    _user(flow, cmd.user)
    if any(t.open and t.assignee == cmd.user for t in flow.visit_tasks(task.node)):
        raise TransitionNotAllowed(task.node, "add_signer", f"{cmd.user} already has this step")
    s, node, new = flow.state, flow.defn.nodes[task.node], flow.new_id()
    before = cmd.position == "before"
    flow.emit(ev.TaskCreated(instance_id=s.id, at=flow.now, task_id=new, node=node.id,
                             visit=task.visit, assignee=cmd.user, rule=f"added_by:{cmd.actor}",
                             due_at=flow.due(node) if before else None, active=before,
                             added_by=cmd.actor, waits_for=None if before else task.task_id))
    if before:
        flow.emit(ev.TaskDeferred(instance_id=s.id, at=flow.now, task_id=task.task_id,
                                  node=node.id, waits_for=new))
    if cmd.comment:
        flow.emit(ev.CommentAdded(instance_id=s.id, at=flow.now, actor=cmd.actor,
                                  text=cmd.comment, node=node.id))


def _end(flow: Flow, actor: str, how: str, text: str | None) -> None:
    s = flow.state
    if s.finished:
        raise TransitionNotAllowed(s.node, how, f"instance is already {s.status}")
    if how == "withdraw" and actor != s.initiator:
        raise NotPermitted(actor, how, "only the initiator can withdraw")
    if how == "cancel" and not _is_admin(flow, actor):
        raise NotPermitted(actor, how, "only an administrator can cancel")
    outcome: ev.VisitOutcome = "withdrawn" if how == "withdraw" else "cancelled"
    flow.cancel_open(outcome)
    flow.close_branches(outcome, actor)
    if s.node is not None:
        flow.emit(ev.NodeLeft(instance_id=s.id, at=flow.now, node=s.node, visit=s.visit,
                              outcome=outcome, decided_by=actor))
    if how == "withdraw":
        flow.emit(ev.InstanceWithdrawn(instance_id=s.id, at=flow.now, actor=actor, comment=text))
    else:
        flow.emit(ev.InstanceCancelled(instance_id=s.id, at=flow.now, actor=actor, reason=text))
    flow.emit(ev.InstanceFinished(instance_id=s.id, at=flow.now, outcome=outcome, node=None))


def _resubmit(flow: Flow, cmd: cmds.Resubmit) -> None:
    s = flow.state
    if s.status != "returned" or s.resume_at is None:
        raise TransitionNotAllowed(s.node, "resubmit", f"instance is {s.status}, not returned")
    if cmd.actor != s.initiator:
        raise NotPermitted(cmd.actor, "resubmit", "only the initiator can resubmit")
    _check_form(flow, cmd.data, s.started_at)
    flow.emit(ev.InstanceResubmitted(instance_id=s.id, at=flow.now, actor=cmd.actor,
                                     data=dict(cmd.data)))
    flow.go(s.resume_at)


def may_view(state: InstanceState, user: str, directory: OrgDirectory) -> bool:
    """Who may see a request: the initiator, anyone who holds or held a task, anyone
    copied, admins and process owners."""
    u = directory.get(user)
    return (user == state.initiator or user in state.cc
            or any(t.assignee == user for t in state.tasks)
            or bool(u and (u.is_admin or u.is_process_owner)))


def may_comment(state: InstanceState, user: str, directory: OrgDirectory) -> bool:
    """Who may comment on a request: today, everyone who may view it."""
    return may_view(state, user, directory)


def _comment(flow: Flow, cmd: cmds.AddComment) -> None:
    if not cmd.text.strip():
        raise FormInvalid([("/text", "a comment cannot be empty")])
    if not may_comment(flow.initial, cmd.actor, flow.directory):
        raise NotPermitted(cmd.actor, "comment", "not involved in this request")
    flow.emit(ev.CommentAdded(instance_id=flow.state.id, at=flow.now, actor=cmd.actor,
                              text=cmd.text.strip(), node=flow.state.node))


__all__ = ["decide", "decide_and_fold", "may_comment", "may_view", "return_targets"]
