"""Request forms: JSON Schema (draft 2020-12) checked with jsonschema, formats enforced.

Forms are closed by default: an object schema listing ``properties`` refuses fields it
does not declare (``form_errors`` validates against ``closed_form(schema)``, which adds
``additionalProperties: false`` where the definition says nothing about extra fields;
write ``additionalProperties: true`` to accept them). The schema shown to the UI stays
as written. Data
is first held to ``engine.core.limits`` (depth, string length, total size, NUL and lone
surrogates), so jsonschema never walks a hostile document. Valid data is recognised by a
check compiled once per definition version (``engine.core.form_check``); jsonschema runs
when that check refuses, and words what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from engine.core import form_check
from engine.core.form_rules import Violation, violations
from engine.core.limits import data_errors

_validators: dict[str, Draft202012Validator] = {}  # keyed by definition digest
_checks: dict[str, form_check.Check | None] = {}  # the compiled yes-or-no, likewise


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


def _spec(schema: Mapping[str, Any], parts: list[str | int]) -> Mapping[str, Any]:
    """The subschema at a data path (through ``properties`` and ``items``)."""
    spec: Any = schema
    for p in parts:
        if not isinstance(spec, Mapping):
            return {}
        props = spec.get("properties")
        spec = props.get(p) if isinstance(p, str) and isinstance(props, Mapping) \
            else spec.get("items")
    return spec if isinstance(spec, Mapping) else {}


def _label(schema: Mapping[str, Any], parts: list[str | int]) -> str:
    title = _spec(schema, parts).get("title") if parts else None
    return str(title) if title else (str(parts[-1]).replace("_", " ") if parts else "The form")


_CJK = re.compile(r"[\u3400-\u9fff]")


def labels_zh(schema: Mapping[str, Any]) -> dict[str, str]:
    """Every field label a message may name (``title``) -> the field's Chinese label: its
    ``title_zh``, or the Chinese half of a title written "Amount / 金额"; for the API to
    put a message in Chinese whole, the field's name included."""
    out: dict[str, str] = {}

    def walk(spec: Any) -> None:
        if not isinstance(spec, Mapping):
            return
        title, zh = spec.get("title"), spec.get("title_zh")
        if isinstance(title, str) and title:
            if isinstance(zh, str) and zh:
                out[title] = zh
            elif " / " in title and _CJK.search(half := title.rsplit(" / ", 1)[1]):
                out[title] = half
        props = spec.get("properties")
        for sub in props.values() if isinstance(props, Mapping) else ():
            walk(sub)
        walk(spec.get("items"))

    walk(schema)
    return out


_KINDS = {"number": "a number", "integer": "a whole number", "string": "text",
          "boolean": "yes or no", "array": "a list", "object": "a group of fields"}
_FORMATS = {"date": "a date (YYYY-MM-DD)", "date-time": "a date and time",
            "email": "an e-mail address", "uri": "a web address", "time": "a time"}


def _num(v: Any) -> str:
    return f"{v:,}" if isinstance(v, int | float) and not isinstance(v, bool) else str(v)


def plain_message(schema: Mapping[str, Any], error: ValidationError) -> str:
    """What is wrong, in words a requester reads: the field's title, never the validator's
    own text (``must have required property 'x'``, ``-1 is less than the minimum of 0``)."""
    parts = list(error.absolute_path)
    v, value = error.validator, error.validator_value
    if v == "required":
        missing = str(error.message).split("'")
        if len(missing) >= 2:
            return f"{_label(schema, [*parts, missing[1]])} is required"
    label = _label(schema, parts)
    kinds = value if isinstance(value, list) else [value]
    words = {"type": f"{label} must be " + " or ".join(_KINDS.get(str(k), str(k)) for k in kinds),
             "minimum": f"{label} must be at least {_num(value)}",
             "maximum": f"{label} must be at most {_num(value)}",
             "exclusiveMinimum": f"{label} must be more than {_num(value)}",
             "exclusiveMaximum": f"{label} must be less than {_num(value)}",
             "minLength": f"{label} needs at least {_num(value)} characters",
             "maxLength": f"{label} takes at most {_num(value)} characters",
             "enum": f"{label} must be one of: " + ", ".join(str(x) for x in kinds),
             "const": f"{label} must be {value}",
             "oneOf": f"{label} must be one of the choices offered",
             "anyOf": f"{label} must be one of the choices offered",
             "format": f"{label} must be {_FORMATS.get(str(value), str(value))}",
             "pattern": f"{label} is not in the expected form",
             "minItems": f"{label} needs at least {_num(value)} entries",
             "maxItems": f"{label} takes at most {_num(value)} entries",
             "multipleOf": f"{label} must be a multiple of {_num(value)}"}
    if v == "additionalProperties" and isinstance(error.instance, Mapping):
        props = error.schema.get("properties", {})
        extra = ", ".join(repr(k) for k in error.instance if k not in props)
        return f"{extra}: the form has no such field"
    return words.get(str(v), f"{label}: {error.message}")


def _rule_message(schema: Mapping[str, Any], x: Violation) -> str:
    label = _label(schema, [x.field])
    word = "on or after" if x.rule == "earliest" else "on or before"
    return f"{label} must be {word} {x.limit.isoformat()}"


def _validator(schema: Mapping[str, Any], cache_key: str | None) -> Draft202012Validator:
    validator = _validators.get(cache_key) if cache_key else None
    if validator is None:
        validator = Draft202012Validator(closed_form(schema),
                                         format_checker=Draft202012Validator.FORMAT_CHECKER)
        if cache_key:
            _validators[cache_key] = validator
    return validator


def _accepted(schema: Mapping[str, Any], data: Mapping[str, Any],
              cache_key: str | None) -> bool:
    """Whether the compiled check of this definition version (``form_check``) accepts
    ``data``: then jsonschema would find nothing. False when it refuses (jsonschema says
    why) or there is none (no ``cache_key`` to keep it under, or not a schema to compile)."""
    if not cache_key:
        return False
    if cache_key not in _checks:
        _checks[cache_key] = form_check.compiled(closed_form(schema))
    check = _checks[cache_key]
    return check is not None and check(data if type(data) is dict else dict(data))


def form_errors(schema: Mapping[str, Any], data: Mapping[str, Any],
                cache_key: str | None = None, today: date | None = None
                ) -> list[tuple[str, str]]:
    """Every problem of ``data`` against ``schema`` as (json_pointer, message in plain
    words), sorted; data beyond the limits is refused before the schema is checked. With
    ``today``, the form's date rules (``form_rules``) are checked too."""
    if limited := data_errors(data):
        return limited
    errors = [] if _accepted(schema, data, cache_key) else [
        (_location(e), plain_message(schema, e))
        for e in _validator(schema, cache_key).iter_errors(dict(data))]
    if today is not None:
        wrong = {p for p, _ in errors}
        errors += [(_pointer([x.field]), _rule_message(schema, x))
                   for x in violations(schema, data, today) if _pointer([x.field]) not in wrong]
    return sorted(errors)


def field_changes(schema: Mapping[str, Any], old: Mapping[str, Any],
                  new: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """What a resubmission changed, as (field, old value, new value): fields in the form's
    order (``properties``), then any others by name; a field added or removed has None on
    the other side."""
    props = schema.get("properties")
    order = list(props) if isinstance(props, Mapping) else []
    rest = sorted((set(old) | set(new)) - set(order))
    return [(k, old.get(k), new.get(k)) for k in [*order, *rest]
            if old.get(k) != new.get(k) or (k in old) != (k in new)]


__all__ = ["closed_form", "field_changes", "form_errors", "labels_zh", "plain_message",
           "schema_errors"]
