"""Route conditions: small expressions over the form data, e.g. ``monthly_rent > 50000``.

Parsed and evaluated by simpleeval (never Python ``eval``). Names are form fields;
``True``/``False``/``None`` and simpleeval's default functions (``int``, ``float``,
``str``) are available. A condition that cannot be evaluated on some data (an optional
field left empty compared with a number) counts as false.
"""

from __future__ import annotations

import ast
import threading
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from simpleeval import DEFAULT_FUNCTIONS, EvalWithCompoundTypes, InvalidExpression

_CONSTANTS = {"True": True, "False": False, "None": None, "true": True, "false": False,
              "null": None}
_FUNCTIONS = {k: v for k, v in DEFAULT_FUNCTIONS.items() if k in ("int", "float", "str")}
_FUNCTIONS["len"] = len


class ConditionError(ValueError):
    """The expression does not parse or uses something not allowed."""


@lru_cache(maxsize=1024)
def _parse(expr: str) -> ast.Expression:
    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except SyntaxError as exc:
        raise ConditionError(f"condition {expr!r} does not parse: {exc.msg}") from None
    return tree


def names_in(expr: str) -> set[str]:
    """Field names a condition reads; raises ConditionError when it does not parse or
    calls an unknown function."""
    tree = _parse(expr)
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS:
                raise ConditionError(f"condition {expr!r} calls an unknown function")
        elif isinstance(node, ast.Name) and node.id not in _CONSTANTS and node.id not in _FUNCTIONS:
            names.add(node.id)
    return names


def check(expr: str, fields: Iterable[str]) -> list[str]:
    """Problems with ``expr`` for a form with these fields (empty list: fine)."""
    try:
        used = names_in(expr)
    except ConditionError as exc:
        return [str(exc)]
    known = set(fields)
    return [f"condition {expr!r} names {name!r}, which the form does not have"
            for name in sorted(used - known)]


@lru_cache(maxsize=1024)
def _compiled(expr: str) -> tuple[ast.expr, tuple[str, ...]]:
    """The parsed body of ``expr`` and the field names it reads, once per expression."""
    return _parse(expr).body, tuple(sorted(names_in(expr)))


_local = threading.local()  # one evaluator per thread: its ``names`` are set per call


def _evaluator() -> EvalWithCompoundTypes:
    # Building a simpleeval evaluator costs more than evaluating a condition, so each
    # thread keeps one and swaps in the names of the data it checks.
    evaluator: EvalWithCompoundTypes | None = getattr(_local, "evaluator", None)
    if evaluator is None:
        evaluator = EvalWithCompoundTypes(names={}, functions=_FUNCTIONS)
        _local.evaluator = evaluator
    return evaluator


def evaluate(expr: str, data: Mapping[str, Any]) -> bool:
    """True when ``expr`` holds on ``data``; evaluation errors count as false."""
    body, fields = _compiled(expr)
    names: dict[str, Any] = dict(_CONSTANTS)
    for name in fields:
        names[name] = data.get(name)
    evaluator = _evaluator()
    evaluator.names = names
    try:
        return bool(evaluator.eval(expr, previously_parsed=body))
    except (InvalidExpression, TypeError, ValueError, ZeroDivisionError, AttributeError,
            KeyError, IndexError):
        return False


__all__ = ["ConditionError", "check", "evaluate", "names_in"]
