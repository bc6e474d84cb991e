"""At risk, as an event: what ``MarkAtRisk`` does. Pure, like every command.

The forecast (``engine.forecast``) finds a running request at risk of missing its
deadline (reason ``deadline``) or a pending task likely to be decided after its due time
(``sla``), before either has happened. The command then

- appends ``RequestAtRisk`` (actor ``system``) once per subject (the request for
  ``deadline``, the task for ``sla``): a second command for the same subject, from
  another worker or a later refresh, emits nothing;
- names who is told: the requester, the holders of the pending tasks concerned and the
  command's ``notify`` (the process owner, found by the store); the outbox message is
  written from the event in the same transaction (``engine.core.messages``);
- fires the current node's ``escalate`` rules with ``on: at_risk`` for each pending task
  concerned (every pending task for ``deadline``, the task for ``sla``), once per (task,
  rule): the rule's key is recorded in the task's ``fired`` like an overdue escalation.

Nothing happens once the request has stopped running or the limit has passed (then it
is overdue, not at risk).
"""

from __future__ import annotations

from engine.core import events as ev
from engine.core import timers
from engine.core.commands import MarkAtRisk
from engine.core.errors import TaskNotFound
from engine.core.flow import Flow


def mark(flow: Flow, cmd: MarkAtRisk) -> None:
    s = flow.state
    if s.status != "running" or s.node is None:
        return
    if cmd.limit is not None and cmd.limit <= flow.now:
        return
    task_id = cmd.task_id if cmd.reason == "sla" else None
    if task_id is not None:
        task = s.task(task_id)
        if task is None:
            raise TaskNotFound(task_id)
        if task.status != "pending":
            return
    concerned = [t for t in s.tasks if t.status == "pending"
                 and (task_id is None or t.task_id == task_id)]
    event = ev.RequestAtRisk(
        instance_id=s.id, at=flow.now, reason=cmd.reason, actor=timers.SYSTEM, node=s.node,
        task_id=task_id, expected=cmd.expected, limit=cmd.limit, chance=cmd.chance,
        recipients=tuple(u for u in dict.fromkeys(
            [s.initiator, *sorted({t.assignee for t in concerned}), *cmd.notify])
            if u and u != timers.SYSTEM))
    if event.subject in s.at_risk:
        return
    flow.emit(event)
    for t in concerned:
        node = flow.defn.nodes[t.node]  # at a fork, the step of the task's branch
        for i, esc in enumerate(node.escalate):
            if esc.on != "at_risk":
                continue
            current = flow.state.task(t.task_id)  # an earlier rule may have decided it
            key = f"escalate.{i}"
            if (current is None or current.status != "pending"
                    or key in current.fired):
                continue
            timers.escalate_now(flow, node, current, key, esc)


__all__ = ["mark"]
