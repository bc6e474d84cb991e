"""The only module that touches ``transitions``.

One ``Machine`` per definition version, built once and cached; instances are never
registered with it. A throwaway cursor (``state`` and ``data``) is triggered instead, and
conditional routes are checked by ``conditions.evaluate`` (simpleeval) on the form data.

A route depends only on the node, the action and the values of the fields its conditions
name, so the machine's answer is remembered per definition version under exactly that
key: the machine is fired once per distinct (node, action, condition inputs), not once
per step.
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
_MachineKey = tuple[str, int, str]
_RouteKey = tuple[str, str, tuple[tuple[type, Any], ...]]
_inputs: dict[_MachineKey, dict[tuple[str, str], tuple[str, ...] | None]] = {}
_routes: dict[_MachineKey, dict[_RouteKey, str]] = {}
_MAX_ROUTES = 4096  # remembered answers per definition version (then cleared)


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


def _condition_inputs(defn: ProcessDefinition) -> dict[tuple[str, str], tuple[str, ...] | None]:
    """(node, action) -> the fields the conditions of its routes read (None: a condition
    does not parse, so the machine is fired every time and reports it as before)."""
    found: dict[tuple[str, str], set[str] | None] = {}
    for row in defn.transition_table():
        key = (row["source"], row["trigger"])
        names = found.setdefault(key, set())
        if row["condition"] and names is not None:
            try:
                names |= conditions.names_in(row["condition"])
            except conditions.ConditionError:
                found[key] = None
    return {k: None if v is None else tuple(sorted(v)) for k, v in found.items()}


def _route_key(defn: ProcessDefinition, current: str, action: str,
               data: Mapping[str, Any]) -> tuple[_MachineKey, _RouteKey] | None:
    """What the route from ``current`` on ``action`` depends on; None when a value cannot
    be a key (a list or an object): then the machine is simply fired."""
    mkey = (defn.key, defn.version, defn.digest)
    inputs = _inputs.get(mkey)
    if inputs is None:
        inputs = _inputs[mkey] = _condition_inputs(defn)
    names = inputs.get((current, action), ())
    if names is None:
        return None
    # the type too: 1, 1.0 and True are equal keys but str() tells them apart
    values = tuple((type(v), v) for v in (data.get(n) for n in names))
    try:
        hash(values)
    except TypeError:
        return None
    return mkey, (current, action, values)


def next_node(defn: ProcessDefinition, current: str, action: str,
              data: Mapping[str, Any]) -> str:
    """Where ``action`` (approve, reject, next) leads from ``current`` given the form data;
    the first route whose condition holds wins."""
    key = _route_key(defn, current, action, data)
    if key is None:
        return _fire(defn, current, action, data)
    known = _routes.setdefault(key[0], {})
    target = known.get(key[1])
    if target is None:
        target = _fire(defn, current, action, data)  # a refusal raises and is not kept
        if len(known) >= _MAX_ROUTES:
            known.clear()
        known[key[1]] = target
    return target


def _fire(defn: ProcessDefinition, current: str, action: str, data: Mapping[str, Any]) -> str:
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
