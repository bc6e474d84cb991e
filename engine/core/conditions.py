"""Route conditions: small expressions over the form data, e.g. ``monthly_rent > 50000``.

Parsed, bounded and evaluated by ``engine.core.expressions`` (simpleeval, never Python
``eval``). Names are form fields; ``True``/``False``/``None`` and the functions ``int``,
``float``, ``str`` and ``len`` are available. Validation refuses a condition that does
not parse, is too long or too deep, names a field the form does not have, or is not a
true/false condition (``amount >= 50,000`` is a tuple, ``'yes'`` is a text).

At run time a condition that meets a missing value (an optional field left empty
compared with a number: a ``TypeError``) counts as false. Any other failure (division
by zero, ``int('x')``, a value beyond the budget) raises ``ExpressionFailed`` naming the
condition: the command is refused and nothing is written.
"""

from __future__ import annotations

import ast
import threading
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from simpleeval import DEFAULT_FUNCTIONS, EvalWithCompoundTypes, InvalidExpression

from engine.core import expressions as ex
from engine.core.errors import ExpressionFailed

_CONSTANTS = ex.CONSTANTS
_FUNCTIONS = {k: v for k, v in DEFAULT_FUNCTIONS.items() if k in ("int", "float", "str")}
_FUNCTIONS["len"] = len


class ConditionError(ValueError):
    """The expression does not parse or uses something not allowed."""


@lru_cache(maxsize=1024)
def _parse(expr: str) -> ast.Expression:
    try:
        return ex.parse(expr, _FUNCTIONS)
    except ex.ExpressionInvalid as exc:
        raise ConditionError(f"condition {ex.shown(expr)} {exc}") from None


def names_in(expr: str) -> set[str]:
    """Field names a condition reads; raises ConditionError when it does not parse or
    uses something not allowed."""
    return ex.names_in(_parse(expr), _FUNCTIONS)


_SCHEMA_KINDS = {"boolean": "bool", "number": "number", "integer": "number", "string": "text"}


def field_kinds(properties: Mapping[str, Any]) -> dict[str, str]:
    """What each form field holds, from its JSON Schema ``type`` (``any`` when unsure)."""
    out: dict[str, str] = {}
    for name, schema in properties.items():
        kind = schema.get("type") if isinstance(schema, Mapping) else None
        out[str(name)] = _SCHEMA_KINDS.get(kind, "any") if isinstance(kind, str) else "any"
    return out


def check(expr: str, fields: Iterable[str] | Mapping[str, str]) -> list[str]:
    """Problems with ``expr`` for a form with these fields (empty list: fine). With a
    mapping of field kinds (``field_kinds``) a condition that cannot be true/false is
    refused too."""
    try:
        tree = _parse(expr)
    except ConditionError as exc:
        return [str(exc)]
    kinds = fields if isinstance(fields, Mapping) else dict.fromkeys(fields, "any")
    used = ex.names_in(tree, _FUNCTIONS)
    problems = [f"condition {expr!r} names {name!r}, which the form does not have"
                for name in sorted(used - set(kinds))]
    if (why := ex.not_boolean(tree, kinds)) is not None:
        problems.append(f"condition {expr!r} {why}")
    elif not used:  # reads no field: its value is known now, so is any failure
        try:
            evaluate(expr, {})
        except ExpressionFailed as exc:
            problems.append(str(exc))
    return problems


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
        evaluator = ex.evaluator(_FUNCTIONS)
        _local.evaluator = evaluator
    return evaluator


def evaluate(expr: str, data: Mapping[str, Any]) -> bool:
    """True when ``expr`` holds on ``data``. A missing or mismatched value (TypeError)
    counts as false; any other failure raises ExpressionFailed."""
    try:
        body, fields = _compiled(expr)
    except ConditionError as exc:
        raise ExpressionFailed(expr, str(exc)) from None
    names: dict[str, Any] = dict(_CONSTANTS)
    for name in fields:
        names[name] = data.get(name)
    evaluator = _evaluator()
    evaluator.names = names
    try:
        return bool(evaluator.eval(expr, previously_parsed=body))
    except (TypeError, AttributeError, KeyError, IndexError):
        return False
    except (InvalidExpression, ArithmeticError, ValueError, RecursionError,
            MemoryError) as exc:
        raise ExpressionFailed(expr, _reason(exc)) from None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ex.BudgetExceeded):
        return f"it would compute {exc}"
    if isinstance(exc, ZeroDivisionError):
        return "it divides by zero"
    return f"{type(exc).__name__}: {exc}"


__all__ = ["ConditionError", "check", "evaluate", "field_kinds", "names_in"]
