"""Request forms: JSON Schema (draft 2020-12) checked with jsonschema, formats enforced."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

_validators: dict[str, Draft202012Validator] = {}  # keyed by definition digest


def _pointer(parts: list[str | int]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _location(error: ValidationError) -> str:
    parts = list(error.absolute_path)
    if error.validator == "required" and isinstance(error.validator_value, list):
        # point at the missing field rather than at its parent object
        missing = str(error.message).split("'")
        if len(missing) >= 2:
            parts.append(missing[1])
    return _pointer(parts)


def schema_errors(schema: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Problems with a form schema itself, as (json_pointer, message)."""
    meta = Draft202012Validator(Draft202012Validator.META_SCHEMA)
    found = []
    for error in meta.iter_errors(dict(schema)):
        path = list(error.absolute_path)
        message = error.message
        if path and path[-1] == "type" and error.validator in ("anyOf", "oneOf"):
            message = f"{error.instance!r} is not a JSON Schema type"
        found.append((_pointer(path), message))
    if found:
        return sorted(found)
    if schema.get("type", "object") != "object":
        return [("/type", "the form schema must describe an object")]
    return []


def form_errors(schema: Mapping[str, Any], data: Mapping[str, Any],
                cache_key: str | None = None) -> list[tuple[str, str]]:
    """Every problem of ``data`` against ``schema`` as (json_pointer, message), sorted."""
    validator = _validators.get(cache_key) if cache_key else None
    if validator is None:
        validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
        if cache_key:
            _validators[cache_key] = validator
    errors = [(_location(e), e.message) for e in validator.iter_errors(dict(data))]
    return sorted(errors)


__all__ = ["form_errors", "schema_errors"]
