"""Request forms: JSON Schema (draft 2020-12) checked with jsonschema, formats enforced.

Forms are closed by default: an object schema listing ``properties`` refuses fields it
does not declare (``form_errors`` validates against ``closed_form(schema)``, which adds
``additionalProperties: false`` where the definition says nothing about extra fields;
write ``additionalProperties: true`` to accept them). The schema shown to the UI stays
as written. Data
is first held to ``engine.core.limits`` (depth, string length, total size, NUL and lone
surrogates), so jsonschema never walks a hostile document.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from engine.core.limits import data_errors

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


_OPEN_ENDED = ("additionalProperties", "unevaluatedProperties", "patternProperties", "allOf",
               "anyOf", "oneOf", "if", "then", "else", "$ref", "$dynamicRef",
               "dependentSchemas", "not")


def closed_form(schema: Mapping[str, Any]) -> dict[str, Any]:
    """``schema`` with ``additionalProperties: false`` on every object that lists its
    ``properties`` and says nothing about other fields (nor composes subschemas, which
    may declare more fields)."""
    out = dict(schema)
    props = out.get("properties")
    if isinstance(props, Mapping):
        out["properties"] = {k: closed_form(v) if isinstance(v, Mapping) else v
                             for k, v in props.items()}
        if not any(k in out for k in _OPEN_ENDED):
            out["additionalProperties"] = False
    items = out.get("items")
    if isinstance(items, Mapping):
        out["items"] = closed_form(items)
    return out


def form_errors(schema: Mapping[str, Any], data: Mapping[str, Any],
                cache_key: str | None = None) -> list[tuple[str, str]]:
    """Every problem of ``data`` against ``schema`` as (json_pointer, message), sorted;
    data beyond the limits is refused before the schema is checked."""
    if limited := data_errors(data):
        return limited
    validator = _validators.get(cache_key) if cache_key else None
    if validator is None:
        validator = Draft202012Validator(closed_form(schema),
                                         format_checker=Draft202012Validator.FORMAT_CHECKER)
        if cache_key:
            _validators[cache_key] = validator
    errors = [(_location(e), e.message) for e in validator.iter_errors(dict(data))]
    return sorted(errors)


__all__ = ["closed_form", "form_errors", "schema_errors"]
