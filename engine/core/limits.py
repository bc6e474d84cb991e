"""How much input the engine accepts: sizes, depths and text it refuses before doing work.

One ``Limits`` value with safe defaults. The API builds its own from ``api.settings``
(``Settings.limits()``) for what arrives over HTTP; the engine's own checks (YAML
definitions, form data, conditions) use ``DEFAULT`` unless a caller passes one. Every
check here is iterative (no recursion), so hostile nesting cannot exhaust the stack.

``data_errors`` walks JSON-like data and returns ``(json_pointer, message)`` pairs, the
shape ``FormInvalid`` carries: too deep, a string too long, the whole too large, a NUL
character or a lone surrogate (PostgreSQL refuses NUL in text; a lone surrogate cannot
be encoded as UTF-8), or a number that is not finite.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Limits:
    max_body_bytes: int = 1_000_000  # one HTTP request body
    max_upload_bytes: int = 200_000_000  # one body of files uploaded as attachments
    max_json_depth: int = 32  # nesting of objects and arrays in a request body
    max_string_length: int = 20_000  # one string (characters) in a request or a form
    max_form_bytes: int = 256_000  # a request form's data, serialized
    max_yaml_bytes: int = 128 * 1024  # one definition (the largest example: 6 KiB)
    max_yaml_depth: int = 40  # nesting of mappings and sequences in YAML
    max_yaml_nodes: int = 3_000  # values in one definition (the largest example: 400)
    max_expression_length: int = 500  # characters of one condition
    max_expression_depth: int = 24  # nesting of its syntax tree
    max_expression_nodes: int = 200  # size of its syntax tree
    max_int_bits: int = 256  # any integer a condition computes
    max_power: int = 64  # exponent of ``**``
    max_sequence: int = 10_000  # strings or lists a condition builds


DEFAULT = Limits()

_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text (NUL, lone surrogate), or None."""
    found = _BAD_TEXT.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return "contains a NUL character (\\u0000)"
    return f"contains a lone surrogate (\\u{ord(found.group()):04x}): not valid Unicode text"


def _pointer(parts: tuple[str | int, ...]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _flat_and_fine(data: Any, limits: Limits, budget: int) -> bool:
    """True when ``data`` is a mapping of plain values (the usual form) that the walk
    below would pass, counted the same way; False sends it through the walk."""
    if type(data) is not dict or limits.max_json_depth < 1:
        return False
    size, longest = 2, limits.max_string_length
    for key, value in data.items():
        if type(key) is not str or len(key) > longest or _BAD_TEXT.search(key):
            return False
        size += len(key) + 3
        kind = type(value)
        if kind is str:
            if len(value) > longest or _BAD_TEXT.search(value):
                return False
            size += len(value) + 2
        elif kind is int or kind is bool or value is None or (
                kind is float and math.isfinite(value)):
            size += 8
        else:
            return False
    return size <= budget


def data_errors(data: Any, limits: Limits = DEFAULT, *, max_bytes: int | None = None
                ) -> list[tuple[str, str]]:
    """Problems of JSON-like ``data`` against ``limits``: [(json_pointer, message)].

    Stops at the first problem of each kind that makes the rest moot (too deep, too
    large), so a hostile document costs one bounded walk."""
    budget = limits.max_form_bytes if max_bytes is None else max_bytes
    if _flat_and_fine(data, limits, budget):
        return []
    size = 0
    errors: list[tuple[str, str]] = []
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if len(path) > limits.max_json_depth:
            return [(_pointer(path[:limits.max_json_depth + 1]),
                     f"nested deeper than {limits.max_json_depth} levels")]
        if isinstance(value, str):
            size += len(value) + 2
            if len(value) > limits.max_string_length:
                errors.append((_pointer(path), f"longer than {limits.max_string_length} "
                                               "characters"))
            elif (why := text_problem(value)) is not None:
                errors.append((_pointer(path), why))
        elif isinstance(value, Mapping):
            size += 2
            for key, item in value.items():
                k = str(key)
                size += len(k) + 3
                if (why := text_problem(k)) is not None or len(k) > limits.max_string_length:
                    errors.append((_pointer((*path, k)), f"field name {why or 'too long'}"))
                    continue
                stack.append(((*path, k), item))
        elif isinstance(value, list | tuple):
            size += 2
            stack.extend(((*path, i), item) for i, item in enumerate(value))
        elif isinstance(value, float) and not math.isfinite(value):
            errors.append((_pointer(path), "is not a finite number"))
        else:
            size += 8
        if size > budget:
            return [("", f"larger than {budget} bytes")]
        if len(errors) >= 20:
            break
    return sorted(errors)


__all__ = ["DEFAULT", "Limits", "data_errors", "text_problem"]
