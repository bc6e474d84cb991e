"""Service steps: call an outside system and wait for its callbacks. Pure, like the rest
of the core: what entering the step, a callback and a timeout emit.

Entering a service step emits ``ServiceCalled`` (the call's id comes from ``new_id``;
the store writes the call to the outbox in the same transaction, and the worker sends it
signed, with retries). ``AnswerService`` is a callback: refused unless the step is
waiting on that call of that system (``NotPermitted`` for another system,
``TransitionNotAllowed`` for a step no longer waiting, ``FormInvalid`` naming the field
of a bad payload); a callback already applied (same ``callback_id``) emits nothing. Its
data is merged into the request's data; when the step is done (first callback, or
``until`` holds) the step is left on its ``next`` routes, which may read that data.

The timeout is a timer like a task's (``engine.core.timers``): keyed by the call's id and
``timeout``, due at ``ServiceCalled.due_at``; firing it notifies (the step keeps
waiting) or leaves the step for ``to``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.core import conditions
from engine.core import events as ev
from engine.core.commands import AnswerService
from engine.core.definition import Node
from engine.core.errors import FormInvalid, NotPermitted, TransitionNotAllowed
from engine.core.flow import Flow
from engine.core.forms import form_errors
from engine.core.state import WaitState

TIMEOUT = "timeout"  # the timer key of a service step's wait


def request_data(node: Node, data: Mapping[str, Any]) -> dict[str, Any]:
    """What a call sends: the ``send`` fields of the request's data (all of it by
    default)."""
    assert node.service is not None
    keys = node.service.send or tuple(data)
    return {k: data[k] for k in keys if k in data}


def call(flow: Flow, node: Node, visit: int) -> None:
    """Emit the call of service step ``node`` (just entered)."""
    spec = node.service
    assert spec is not None
    s = flow.state
    due = flow.now + spec.timeout if spec.timeout else None
    flow.emit(ev.ServiceCalled(instance_id=s.id, at=flow.now, node=node.id, visit=visit,
                               call_id=flow.new_id(), system=spec.system,
                               request=request_data(node, s.data), due_at=due))


def answer(flow: Flow, cmd: AnswerService) -> None:
    """Apply a callback (see the module's docstring)."""
    s = flow.state
    wait = s.wait(cmd.call_id)
    if wait is None or wait.node != cmd.node:
        raise TransitionNotAllowed(cmd.node, "answer", f"no call {cmd.call_id} at step "
                                   f"{cmd.node!r} of this request")
    if wait.system != cmd.system:
        raise NotPermitted(cmd.system, "answer", f"this call was made to {wait.system!r}")
    if cmd.callback_id in wait.answers:
        return  # a repeat of a callback already applied
    if not wait.open or s.status != "running":
        raise TransitionNotAllowed(cmd.node, "answer", "the step is no longer waiting "
                                   "for this call")
    node = flow.defn.nodes[wait.node]
    spec = node.service
    assert spec is not None
    if spec.answer and (errors := form_errors(spec.answer, cmd.data)):
        raise FormInvalid([(f"/data{ptr}", msg) for ptr, msg in errors])
    merged = {**s.data, **cmd.data}
    done = spec.until is None or conditions.evaluate(spec.until, merged)
    flow.emit(ev.ServiceAnswered(instance_id=s.id, at=flow.now, node=node.id,
                                 call_id=wait.call_id, system=wait.system,
                                 callback_id=cmd.callback_id, data=dict(cmd.data), done=done))
    if done:
        flow.go(flow.leave_step(node, "next", "answered"))


def time_out(flow: Flow, wait: WaitState, scheduled: Any) -> None:
    """Fire the timeout of ``wait`` (due and not fired yet)."""
    from engine.core.timers import resolve_target

    node = flow.defn.nodes[wait.node]
    spec = node.service
    assert spec is not None
    s = flow.state
    who = resolve_target(spec.notify, s.initiator, flow.directory)  # () without notify
    flow.emit(ev.ServiceTimedOut(instance_id=s.id, at=flow.now, task_id=wait.call_id,
                                 node=node.id, timer=TIMEOUT, scheduled_at=scheduled,
                                 system=wait.system, action="route" if spec.to else "notify",
                                 recipients=who, to=spec.to))
    if spec.to:
        flow.go(flow.leave_step(node, TIMEOUT, "timed_out"))


__all__ = ["TIMEOUT", "answer", "call", "request_data", "time_out"]
