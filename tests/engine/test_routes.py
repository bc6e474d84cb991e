"""Remembered routes: ``next_node`` answers exactly as firing the machine does, for every
route of the example processes and data that flips their conditions back and forth."""

from __future__ import annotations

from typing import Any

import pytest

from engine.core.errors import TransitionNotAllowed
from engine.core.machine import _fire, next_node
from tests.engine.helpers import DATA, EXAMPLES, definition


def _answer(fn: Any, *args: Any) -> str:
    try:
        return str(fn(*args))
    except TransitionNotAllowed as exc:
        return f"refused: {exc}"


def _variants(base: dict[str, Any]) -> list[dict[str, Any]]:
    out = [dict(base)]
    for name, value in base.items():
        for other in (0, 1, 1.0, True, None, 10**9, "x", [1, 2], {"a": 1}):
            if other != value or type(other) is not type(value):
                out.append({**base, name: other})
    return out


@pytest.mark.parametrize("key", EXAMPLES)
def test_remembered_routes_match_the_machine(key: str) -> None:
    defn = definition(key)
    pairs = {(r["source"], r["trigger"]) for r in defn.transition_table()}
    pairs |= {(n, "approve") for n in defn.nodes}  # and some the machine refuses
    variants = _variants(DATA[key])
    for _ in range(2):  # the second round answers from memory
        for data in variants:
            for node, action in sorted(pairs):
                assert _answer(next_node, defn, node, action, data) == \
                    _answer(_fire, defn, node, action, data), (node, action, data)
