"""Small safe expressions with a budget: route conditions and what-if conditions.

``parse`` accepts only a short expression (``Limits.max_expression_length``) whose
syntax tree is small and shallow and uses only comparisons, ``and``/``or``/``not``,
arithmetic, literals (numbers, text, lists), names and the functions ``int``, ``float``,
``str`` and ``len``: no attributes, subscripts, comprehensions or lambdas, so nothing
loops. ``evaluator`` runs it with simpleeval (never Python ``eval``) with operators that
refuse to build an integer wider than ``max_int_bits``, a power above ``max_power`` or a
text or list longer than ``max_sequence``. Together these bound the time and memory of
one evaluation (a tree of at most ``max_expression_nodes`` bounded steps), without
reading a clock: a condition must route the same way on every replay, whatever the load.

``kind_of`` infers what an expression yields (``bool``, ``number``, ``text``, ``list``,
``none`` or ``any``), so validation can refuse a condition that is not true/false, such
as the tuple ``amount >= 50,000``.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from typing import Any

from simpleeval import EvalWithCompoundTypes

from engine.core.limits import DEFAULT, Limits

CONSTANTS: dict[str, Any] = {"True": True, "False": False, "None": None, "true": True,
                             "false": False, "null": None}


class ExpressionInvalid(ValueError):
    """The expression does not parse, is too large, or uses something not allowed."""


class BudgetExceeded(ArithmeticError):
    """Evaluating would build a value larger than the limits allow."""


_ALLOWED = (ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.BinOp, ast.Add, ast.Sub,
            ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.UnaryOp, ast.Not,
            ast.USub, ast.UAdd, ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt,
            ast.GtE, ast.In, ast.NotIn, ast.Is, ast.IsNot, ast.Name, ast.Load, ast.Constant,
            ast.Call, ast.List, ast.Tuple, ast.Set, ast.IfExp)


def parse(expr: str, functions: Mapping[str, object], limits: Limits = DEFAULT
          ) -> ast.Expression:
    """The checked syntax tree of ``expr``; raise ExpressionInvalid saying why not."""
    if len(expr) > limits.max_expression_length:
        raise ExpressionInvalid(f"is longer than {limits.max_expression_length} characters")
    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionInvalid(f"does not parse: {exc.msg}") from None
    except (ValueError, RecursionError, MemoryError):
        raise ExpressionInvalid("does not parse") from None
    count = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > limits.max_expression_nodes:
            raise ExpressionInvalid(f"has more than {limits.max_expression_nodes} parts")
        if depth > limits.max_expression_depth:
            raise ExpressionInvalid(f"is nested deeper than {limits.max_expression_depth}")
        _check_node(node, functions, limits)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return tree


def shown(expr: str, width: int = 120) -> str:
    """``expr`` quoted for a message, cut short when long."""
    return repr(expr if len(expr) <= width else expr[:width] + "...")


def _check_node(node: ast.AST, functions: Mapping[str, object], limits: Limits) -> None:
    if not isinstance(node, _ALLOWED):
        raise ExpressionInvalid(f"uses {type(node).__name__}, which conditions do not allow")
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in functions \
                or node.keywords or len(node.args) > 1:
            raise ExpressionInvalid("calls an unknown function")
    elif isinstance(node, ast.Constant):
        value = node.value
        if not isinstance(value, bool | int | float | str) and value is not None:
            raise ExpressionInvalid(f"uses the literal {value!r}, which is not allowed")
        if isinstance(value, int) and value.bit_length() > limits.max_int_bits:
            raise ExpressionInvalid(f"uses a number wider than {limits.max_int_bits} bits")


def names_in(tree: ast.AST, functions: Mapping[str, object]) -> set[str]:
    """The data names an expression reads (not constants or functions)."""
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
            and n.id not in CONSTANTS and n.id not in functions}


_CALL_KINDS = {"int": "number", "float": "number", "len": "number", "str": "text"}
_CONST_KINDS = {bool: "bool", int: "number", float: "number", str: "text"}


def kind_of(node: ast.AST, fields: Mapping[str, str]) -> str:
    """What ``node`` yields, as far as can be told without data (``any`` if unknown).
    ``fields`` gives the kinds of data names (from the form's JSON Schema types)."""
    if isinstance(node, ast.Expression):
        return kind_of(node.body, fields)
    if isinstance(node, ast.Compare):
        return "bool"
    if isinstance(node, ast.BoolOp):
        kinds = {kind_of(v, fields) for v in node.values}
        return "bool" if kinds <= {"bool", "any"} else "mixed"
    if isinstance(node, ast.UnaryOp):
        return "bool" if isinstance(node.op, ast.Not) else "number"
    if isinstance(node, ast.Constant):
        return "none" if node.value is None else _CONST_KINDS.get(type(node.value), "any")
    if isinstance(node, ast.Name):
        const = CONSTANTS.get(node.id, ...)
        if const is not ...:
            return "none" if const is None else "bool"
        return fields.get(node.id, "any")
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return _CALL_KINDS.get(node.func.id, "any")
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return "tuple" if isinstance(node, ast.Tuple) else "list"
    if isinstance(node, ast.BinOp):
        sides = {kind_of(node.left, fields), kind_of(node.right, fields)}
        return "number" if sides == {"number"} else ("text" if "text" in sides else "any")
    if isinstance(node, ast.IfExp):
        a, b = kind_of(node.body, fields), kind_of(node.orelse, fields)
        return a if a == b else "any"
    return "any"


def not_boolean(tree: ast.Expression, fields: Mapping[str, str]) -> str | None:
    """Why ``tree`` is not a true/false condition, or None when it is (or may be)."""
    kind = kind_of(tree, fields)
    if kind in ("bool", "any"):
        return None
    if kind == "tuple":
        n = len(tree.body.elts) if isinstance(tree.body, ast.Tuple) else 0
        return (f"is a tuple of {n} values, not a true/false condition (a comma in a number? "
                "write 50000, not 50,000)")
    article = {"number": "a number", "text": "a text", "list": "a list", "none": "None",
               "mixed": "a mix of values"}.get(kind, kind)
    return f"is {article}, not a true/false condition (compare it: x > 0, x == 'a')"


def _bounded(limits: Limits) -> dict[type[ast.AST], Callable[..., Any]]:
    """Arithmetic operators that refuse to build values beyond ``limits``."""
    def number(value: Any) -> Any:
        if isinstance(value, int) and value.bit_length() > limits.max_int_bits:
            raise BudgetExceeded(f"a number wider than {limits.max_int_bits} bits")
        return value

    def sized(value: Any) -> Any:
        if isinstance(value, str | list | tuple) and len(value) > limits.max_sequence:
            raise BudgetExceeded(f"a value longer than {limits.max_sequence}")
        return number(value)

    def power(a: Any, b: Any) -> Any:
        if isinstance(b, int | float) and abs(b) > limits.max_power:
            raise BudgetExceeded(f"a power above {limits.max_power}")
        if isinstance(a, int) and isinstance(b, int) and b > 0 \
                and a.bit_length() * b > limits.max_int_bits + b:
            raise BudgetExceeded(f"a number wider than {limits.max_int_bits} bits")
        return number(operator.pow(a, b))

    def times(a: Any, b: Any) -> Any:
        if isinstance(a, int) and isinstance(b, int):
            if a.bit_length() + b.bit_length() > limits.max_int_bits + 1:
                raise BudgetExceeded(f"a number wider than {limits.max_int_bits} bits")
        else:
            for seq, n in ((a, b), (b, a)):
                if isinstance(seq, str | list | tuple) and isinstance(n, int) \
                        and len(seq) * n > limits.max_sequence:
                    raise BudgetExceeded(f"a value longer than {limits.max_sequence}")
        return number(operator.mul(a, b))

    def modulo(a: Any, b: Any) -> Any:
        if isinstance(a, str):
            raise ValueError("text formatting with % is not allowed")
        return operator.mod(a, b)

    return {ast.Add: lambda a, b: sized(operator.add(a, b)),
            ast.Sub: lambda a, b: number(operator.sub(a, b)),
            ast.Mult: times, ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv,
            ast.Mod: modulo, ast.Pow: power, ast.USub: lambda a: number(operator.neg(a)),
            ast.UAdd: operator.pos, ast.Not: operator.not_}


def evaluator(functions: Mapping[str, Callable[..., Any]], limits: Limits = DEFAULT
              ) -> EvalWithCompoundTypes:
    """A simpleeval evaluator with bounded operators and functions; set ``.names``."""
    def guard(fn: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            result = fn(*args)
            if isinstance(result, int) and result.bit_length() > limits.max_int_bits:
                raise BudgetExceeded(f"a number wider than {limits.max_int_bits} bits")
            return result
        return call

    ev = EvalWithCompoundTypes(names={}, functions={k: guard(f) for k, f in functions.items()})
    ev.operators = {**ev.operators, **_bounded(limits)}
    return ev


__all__ = ["CONSTANTS", "BudgetExceeded", "ExpressionInvalid", "evaluator", "kind_of",
           "names_in", "not_boolean", "parse", "shown"]
