"""Moving an instance through its nodes inside one ``decide`` call.

``Flow`` collects the events of one command and folds each into one mutable working state
(``state.WorkingState``) as it is emitted, so later steps see earlier ones; the frozen
state is built at most once, at the end (``result``). It is local to one call: ``decide`` stays a
pure function of its arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from engine.core import events as ev
from engine.core import worktime
from engine.core.approvers import assignees, recipients
from engine.core.definition import Node, ProcessDefinition
from engine.core.directory import OrgDirectory
from engine.core.errors import TransitionNotAllowed
from engine.core.machine import next_node
from engine.core.state import InstanceState, TaskState, WorkingState, apply

MAX_HOPS = 200  # nodes entered by one command before we call it a loop


class Flow:
    def __init__(self, defn: ProcessDefinition, state: InstanceState | None, now: datetime,
                 directory: OrgDirectory, new_id: Callable[[], UUID],
                 calendar: worktime.WorkingHours | None = None) -> None:
        self.defn, self.now, self.directory, self.new_id = defn, now, directory, new_id
        self.calendar = calendar  # the org calendar, for sla and timers on working time
        self._initial = state
        self._work = WorkingState(state) if state is not None else None
        self.events: list[ev.Event] = []

    @property
    def started(self) -> bool:
        return self._work is not None

    @property
    def initial(self) -> InstanceState:
        """The state the command was decided on (before any event of this call)."""
        assert self._initial is not None, "no instance yet"
        return self._initial

    @property
    def state(self) -> WorkingState:
        """The state after the events emitted so far (mutable: read it, never keep it)."""
        assert self._work is not None, "no instance yet"
        return self._work

    def emit(self, event: ev.Event) -> None:
        self.events.append(event)
        if self._work is None or isinstance(event, ev.InstanceStarted):
            self._work = WorkingState(apply(None, event))
        else:
            self._work.step(event)

    def result(self) -> InstanceState | None:
        """The frozen state after every event emitted (the input state if none were)."""
        if not self.events or self._work is None:
            return self._initial
        return self._work.freeze()

    # -- helpers ---------------------------------------------------------------------------
    def node(self) -> Node:
        if self.state.node is None:
            raise TransitionNotAllowed(None, "act", f"instance is {self.state.status}")
        return self.defn.nodes[self.state.node]

    def visit_tasks(self, node: str | None = None) -> list[TaskState]:
        """Tasks of the current visit of ``node`` (default: the current node; a step of a
        branch is a node of its own, with its own visits)."""
        s = self.state
        node = node if node is not None else s.node
        visit = s.visits.get(node, 0) if node is not None else 0
        return [t for t in s.tasks if t.node == node and t.visit == visit]

    def due(self, node: Node) -> datetime | None:
        return worktime.add(self.calendar, node.clock, self.now, node.sla) if node.sla else None

    def cancel_open(self, reason: str, only: Callable[[TaskState], bool] = lambda t: True) -> None:
        for t in tuple(self.state.tasks):  # emitting changes the working list
            if t.open and only(t):
                self.emit(ev.TaskCancelled(instance_id=self.state.id, at=self.now,
                                           task_id=t.task_id, node=t.node, reason=reason))

    # -- moving ----------------------------------------------------------------------------
    def go(self, target: str | None) -> None:
        """Enter ``target`` and keep going through notify nodes and auto-decisions until
        the instance waits for a person or finishes. A fork enters all its branches before
        any automatic decision is taken in one."""
        hops = 0
        todo = [target] if target is not None else []
        while todo:
            hops += 1
            current = todo.pop(0)
            if hops > MAX_HOPS:
                raise TransitionNotAllowed(current, "enter", "too many steps in one go (a loop?)")
            if not self._live(current):
                continue  # a step of a branch whose fork was left meanwhile
            todo += self._enter(current)
            if not todo and (after := self.settle()) is not None:
                todo.append(after)

    def _live(self, node_id: str) -> bool:
        """May ``node_id`` be entered now? A step of a branch only while its fork is the
        current node."""
        inside = self.defn.branch_of.get(node_id)
        return inside is None or self.state.node == inside[0]

    def _enter(self, node_id: str) -> list[str]:
        s, node = self.state, self.defn.nodes[node_id]
        visit = s.visits.get(node_id, 0) + 1
        inside = self.defn.branch_of.get(node_id)
        branch = inside[1] if inside is not None else None
        self.emit(ev.NodeEntered(instance_id=s.id, at=self.now, node=node_id, visit=visit,
                                 branch=branch))
        if node.kind == "fork":
            return list(node.branches.values())
        if node.kind == "final":
            self.emit(ev.InstanceFinished(instance_id=s.id, at=self.now,
                                          outcome=node.outcome or node_id, node=node_id))
            return []
        if node.kind == "notify":
            who = recipients(node, s.initiator, s.data, self.directory)
            self.emit(ev.Notified(instance_id=s.id, at=self.now, node=node_id, recipients=who))
            target = next_node(self.defn, node_id, "next", s.data)
            self.emit(ev.NodeLeft(instance_id=s.id, at=self.now, node=node_id, visit=visit,
                                  outcome="notified", next_node=target, branch=branch))
            if inside is not None and target == inside[0]:
                joined = self._join(inside[1], "approve", None)
                return [joined] if joined is not None else []
            return [target]
        if node.kind == "service":
            from engine.core.services import call
            call(self, node, visit)
            return []
        previous: UUID | None = None
        for user, rule in assignees(node, s.initiator, s.data, self.directory):
            task_id = self.new_id()
            waits = previous if node.mode == "sequential" else None
            self.emit(ev.TaskCreated(instance_id=s.id, at=self.now, task_id=task_id,
                                     node=node_id, visit=visit, assignee=user, rule=rule,
                                     due_at=self.due(node) if waits is None else None,
                                     active=waits is None, waits_for=waits))
            previous = task_id
        return []

    def settle(self) -> str | None:
        """Apply automatic decisions (policies) to pending tasks of the current approval
        node (at a fork: of its branches' steps); return the next node if that resolved
        it."""
        while self.state.status == "running" and self.state.node is not None:
            found = next(((node, t) for node in map(self.defn.nodes.__getitem__,
                                                    self.current())
                          if node.kind == "approval" for t in self.visit_tasks(node.id)
                          if t.status == "pending" and self._auto(node, t)), None)
            if found is None:
                return None
            node, task = found
            reason = self._auto(node, task)
            target = self.record(task, "approve", task.assignee, None, None, auto=reason)
            if target is not None or self.state.node is None:
                return target
        return None

    def current(self) -> list[str]:
        """The nodes the instance is at: the current node, or the steps of a fork's
        running branches."""
        s = self.state
        if s.branches:
            return list(s.branches.values())
        return [s.node] if s.node is not None else []

    def close_branches(self, outcome: ev.VisitOutcome, actor: str | None) -> None:
        """Leave the steps of every running branch (their open tasks already cancelled)."""
        s = self.state
        for branch, node in list(s.branches.items()):
            self.emit(ev.NodeLeft(instance_id=s.id, at=self.now, node=node,
                                  visit=s.visits.get(node, 0), outcome=outcome,
                                  decided_by=actor, branch=branch))

    def _join(self, branch: str, action: str, actor: str | None) -> str | None:
        """``branch`` came back to its fork (the current node) on ``action``: a rejection
        ends the join (the other branches are cancelled, the fork rejects); an approval
        ends it once every branch has (``join: all``) or at once (``join: any``)."""
        s = self.state
        assert s.node is not None
        fork = self.defn.nodes[s.node]
        if action == "approve" and fork.join == "all" and \
                set(s.joined) < set(fork.branches):
            return None
        outcome: ev.VisitOutcome = "approved" if action == "approve" else "rejected"
        self.cancel_open(f"join_{outcome}", lambda t: t.node in s.branches.values())
        self.close_branches("cancelled", actor)
        target = next_node(self.defn, fork.id, action, s.data)
        self.emit(ev.NodeLeft(instance_id=s.id, at=self.now, node=fork.id, visit=s.visit,
                              outcome=outcome, decided_by=actor, next_node=target))
        return target

    def _auto(self, node: Node, task: TaskState) -> str | None:
        if task.added_by is not None:
            return None  # someone asked for this signer explicitly
        if task.assignee == self.state.initiator and \
                node.policies.initiator_is_approver == "auto_approve":
            return "initiator_is_approver"
        if node.policies.auto_approve_same_approver and \
                task.assignee in self.state.previous_approvers:
            return "same_approver"
        return None

    # -- decisions -------------------------------------------------------------------------
    def record(self, task: TaskState, action: ev.Action, actor: str, comment: str | None,
               return_to: str | None, auto: str | None = None) -> str | None:
        """Emit a decision and whatever it resolves; return the node to enter next."""
        s, node = self.state, self.defn.nodes[task.node]
        self.emit(ev.TaskDecided(instance_id=s.id, at=self.now, task_id=task.task_id,
                                 node=node.id, actor=actor, action=action, comment=comment,
                                 auto=auto, return_to=return_to))
        if action == "return":
            return self._return(node, actor, comment, return_to or "initiator")
        if action == "reject":
            if node.mode == "threshold":
                self._cancel_chain(node.id, task.task_id, "chain_rejected")
                if self._votes(node.id) + self._chains(node.id) >= (node.threshold or 1):
                    return None
            return self._leave(node, "reject", "rejected", actor)
        for waiter in [t for t in self.visit_tasks(node.id)
                       if t.status == "waiting" and t.waits_for == task.task_id]:
            self.emit(ev.TaskActivated(instance_id=s.id, at=self.now, task_id=waiter.task_id,
                                       node=node.id, due_at=self.due(node)))
        if not self._approved(node, task):
            return None
        return self._leave(node, "approve", "approved", actor)

    def _approved(self, node: Node, task: TaskState) -> bool:
        open_left = [t for t in self.visit_tasks(node.id) if t.open]
        if node.mode == "any":
            return not any(t.waits_for == task.task_id for t in open_left)
        if node.mode == "threshold":
            return self._votes(node.id) >= (node.threshold or 1)
        return not open_left

    def _votes(self, node: str) -> int:
        tasks = self.visit_tasks(node)
        followed = {t.waits_for for t in tasks if t.status != "cancelled"}
        return sum(1 for t in tasks if t.action == "approve" and t.task_id not in followed)

    def _chains(self, node: str) -> int:
        return sum(1 for t in self.visit_tasks(node) if t.status == "pending")

    def _cancel_chain(self, node: str, task_id: UUID, reason: str) -> None:
        dead = {task_id}
        for t in self.visit_tasks(node):  # tasks are in creation order; chains point backwards
            if t.open and t.waits_for in dead:
                dead.add(t.task_id)
        self.cancel_open(reason, lambda t: t.task_id in dead and t.task_id != task_id)

    def _leave(self, node: Node, action: str, outcome: ev.VisitOutcome, actor: str
               ) -> str | None:
        s = self.state
        self.cancel_open(f"node_{outcome}", lambda t: t.node == node.id)
        target = next_node(self.defn, node.id, action, s.data)
        inside = self.defn.branch_of.get(node.id)
        self.emit(ev.NodeLeft(instance_id=s.id, at=self.now, node=node.id,
                              visit=s.visits.get(node.id, 0), outcome=outcome,
                              decided_by=actor, next_node=target,
                              branch=inside[1] if inside is not None else None))
        if inside is not None and target == inside[0]:  # back at the fork: the join
            return self._join(inside[1], "reject" if action == "reject" else "approve", actor)
        return target

    def leave_step(self, node: Node, action: str, outcome: ev.VisitOutcome) -> str | None:
        """Leave ``node`` (a service step; decided by ``system``) on the routes of
        ``action``; the node to enter next (None: a branch waits at its join)."""
        return self._leave(node, action, outcome, "system")

    def _return(self, node: Node, actor: str, comment: str | None, to: str) -> str | None:
        """Send the instance back; from a step of a branch, the whole fork goes back (its
        other branches are cancelled) and a resubmission starts every branch again."""
        s = self.state
        self.cancel_open("node_returned")
        inside = self.defn.branch_of.get(node.id)
        if inside is not None:
            branch = inside[1]
            self.emit(ev.NodeLeft(instance_id=s.id, at=self.now, node=node.id,
                                  visit=s.visits.get(node.id, 0), outcome="returned",
                                  decided_by=actor, branch=branch))
            self.close_branches("cancelled", actor)
            node = self.defn.nodes[inside[0]]
        self.emit(ev.NodeLeft(instance_id=s.id, at=self.now, node=node.id, visit=s.visit,
                              outcome="returned", decided_by=actor,
                              next_node=None if to == "initiator" else to))
        if to != "initiator":
            return to
        self.emit(ev.InstanceReturned(instance_id=s.id, at=self.now, actor=actor,
                                      resume_at=node.id, comment=comment))
        return None


__all__ = ["MAX_HOPS", "Flow"]
