"""The only module that touches ``transitions``.

One ``Machine`` per definition version, built once and cached; instances are never
registered with it. A throwaway cursor (``state`` and ``data``) is triggered instead, and
conditional routes are checked by ``conditions.evaluate`` (simpleeval) on the form data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import Any

from transitions import EventData, Machine, MachineError

from engine.core import conditions
from engine.core.definition import ProcessDefinition
from engine.core.errors import TransitionNotAllowed

_machines: dict[tuple[str, int, str], Machine] = {}


def _condition(expr: str) -> Callable[[EventData], bool]:
    def check(event: EventData) -> bool:
        data: Mapping[str, Any] = getattr(event.model, "data", {})
        return conditions.evaluate(expr, data)

    return check


def _machine_for(defn: ProcessDefinition) -> Machine:
    key = (defn.key, defn.version, defn.digest)
    machine = _machines.get(key)
    if machine is None:
        rows = []
        for row in defn.transition_table():
            cond = row.pop("condition")
            rows.append({**row, "conditions": [_condition(cond)] if cond else []})
        machine = Machine(model=None, states=list(defn.nodes), transitions=rows,
                          initial=defn.start, auto_transitions=False, send_event=True)
        _machines[key] = machine
    return machine


def next_node(defn: ProcessDefinition, current: str, action: str,
              data: Mapping[str, Any]) -> str:
    """Where ``action`` (approve, reject, next) leads from ``current`` given the form data;
    the first route whose condition holds wins."""
    cursor = SimpleNamespace(state=current, data=data)  # never registered with the machine
    event = _machine_for(defn).events.get(action)
    if event is None:
        raise TransitionNotAllowed(current, action, "no such transition in this process")
    try:
        moved = event.trigger(cursor)
    except MachineError:
        raise TransitionNotAllowed(current, action, "not allowed from this node") from None
    if not moved:
        raise TransitionNotAllowed(current, action, "no route condition holds")
    return str(cursor.state)


__all__ = ["next_node"]
