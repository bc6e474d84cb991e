"""Hostile input to the engine: YAML bombs and nesting, expression bombs, data beyond the
limits. Each is refused with a clear error, never expanded or evaluated."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.analytics.whatif import Skip, WhatIfInvalid, what_if
from engine.core import DefinitionInvalid, load_definition
from engine.core.conditions import check, evaluate
from engine.core.directory import directory_from_yaml
from engine.core.errors import DirectoryInvalid, ExpressionFailed
from engine.core.forms import closed_form, form_errors
from engine.core.limits import data_errors
from engine.core.yamlpos import read_yaml
from tests.analytics.conftest import history

HEAD = "key: k\ntitle: t\nstart: s\nnodes: {s: {final: done}}\n"


def alias_bomb(levels: int) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return HEAD + "x:\n" + "".join(f"  {line}\n" for line in lines)


def _error(text: str) -> str:
    with pytest.raises(DefinitionInvalid) as info:
        load_definition(text, "d.yaml")
    return str(info.value)


def test_alias_bomb_is_refused_at_the_first_anchor() -> None:
    assert _error(alias_bomb(9)) == ("d.yaml:6:7: YAML anchors and aliases (&name, *name) "
                                     "are not allowed")


@pytest.mark.parametrize("text", [
    "key: " + "[" * 50_000 + "]" * 50_000,
    "key: " + "{a: " * 5_000 + "1" + "}" * 5_000,
    "".join(" " * i + "a:\n" for i in range(300)) + " " * 300 + "b: 1\n",
])
def test_deep_yaml_is_refused_not_recursed(text: str) -> None:
    assert "nested deeper than 40 levels" in _error(text)


def test_flow_nesting_is_refused_where_it_passes_the_limit() -> None:
    """At the bracket that opens level 41, found by the scanner: ruamel would otherwise
    read ahead through the brackets that follow before the composer counts levels."""
    assert _error("[" * 41 + "1" + "]" * 41) == "d.yaml:1:41: nested deeper than 40 levels"
    assert read_yaml("[" * 39 + "1" + "]" * 39) is not None  # 39 collections and a scalar


@pytest.mark.parametrize(("text", "where", "char"), [
    ("key: a\x01b\n", "1:7", "U+0001"), ("title: x\nkey: \x00\n", "2:6", "U+0000"),
    ("key: \ud800\n", "1:6", "U+D800"), ("key: \x1b[31m\n", "1:6", "U+001B"),
])
def test_characters_yaml_does_not_allow_are_refused_at_their_position(
        text: str, where: str, char: str) -> None:
    assert _error(text) == f"d.yaml:{where}: YAML cannot contain the character {char}"


def test_too_many_values_are_refused_before_they_are_read() -> None:
    assert "more than 3000 YAML values" in _error("key: [" + "1," * 60_000 + "1]")


def test_oversized_definitions_and_org_aliases_are_refused() -> None:
    assert "larger than 131072 bytes" in _error(HEAD + "#" * 200_000)
    with pytest.raises(DirectoryInvalid, match="anchors and aliases"):
        directory_from_yaml("users: &u [{username: a}]\nmore: *u\n")


@pytest.mark.parametrize("expr", [
    "1000000**1000000 > 1", "2**64**64 > 1", "10**60 * 10**60 * 10**60 > 1",
    "'a' * 1000000000 == ''", "[1] * 1000000000 == []", "len('%999999999d' % 1) > 0",
    "int('9' * 4000) > 1",
])
def test_expression_bombs_fail_within_the_budget(expr: str) -> None:
    with pytest.raises(ExpressionFailed) as info:
        evaluate(expr, {})
    assert expr in str(info.value)
    assert check(expr, []) == [str(info.value)]  # no field read: refused at validation
    with_field = f"x == 0 or {expr}"
    assert check(with_field, ["x"]) == []  # the shape is fine; the values are what cost
    with pytest.raises(ExpressionFailed):
        evaluate(with_field, {"x": 1})


@pytest.mark.parametrize("expr", [
    "x > 1 and " * 60 + "True", "[" * 150 + "]" * 150 + " == []",
    "-" * 400 + "1 > 0", "[y for y in x for z in x] == []", "(lambda: 1)() == 1",
    "x[0] > 1", "f'{x}' == ''", "x.__class__ == 1", "__import__('os') == 1",
])
def test_oversized_or_forbidden_expressions_are_refused_at_validation(expr: str) -> None:
    problems = check(expr, ["x"])
    assert problems and expr[:40] in problems[0].replace('"', "'")


def test_failing_conditions_name_the_expression_and_missing_values_stay_false() -> None:
    with pytest.raises(ExpressionFailed, match="divides by zero"):
        evaluate("amount / count > 1", {"amount": 1, "count": 0})
    with pytest.raises(ExpressionFailed, match="'int\\(note\\) > 1'"):
        evaluate("int(note) > 1", {"note": "x"})
    assert evaluate("amount > 1", {}) is False  # an empty optional field: documented false


def test_what_if_conditions_fail_with_a_clear_error() -> None:
    h = history({"a": [("stamp", 3600.0, "approve")], "b": [("stamp", 60.0, "reject")]},
                {"a": {"amount": 1.0}, "b": {"amount": 0.0}})
    for expr, why in [("1000000**1000000 > 1", "power above 64"),
                      ("1 / amount > 1", "divides by zero"), ("int('x') > 1", "ValueError"),
                      ("amount >= 50,000", "tuple"), ("'a' * 10**9 == ''", "longer than"),
                      ("(" * 300 + "1" + ")" * 300, "longer than 500"),
                      ("(" * 210 + "1" + ")" * 210, "does not parse")]:
        with pytest.raises(WhatIfInvalid, match=why) as info:
            what_if(h, skip=[Skip("stamp", expr)])
        assert expr[:20] in str(info.value)


def test_data_beyond_the_limits_is_refused_with_its_pointer() -> None:
    deep: dict[str, object] = {}
    cur = deep
    for _ in range(500):
        cur["a"] = {}
        cur = cur["a"]  # type: ignore[assignment]
    assert data_errors(deep) == [("/a" * 33, "nested deeper than 32 levels")]
    assert data_errors({"x": ["ok", "b\x00d"]}) == [("/x/1", "contains a NUL character "
                                                            "(\\u0000)")]
    assert data_errors({"n\ud800": 1})[0][1].startswith("field name contains a lone surrogate")
    assert data_errors({"f": math.inf}) == [("/f", "is not a finite number")]
    assert data_errors({"s": "x" * 20_001}) == [("/s", "longer than 20000 characters")]
    assert data_errors({"s": ["x" * 10_000] * 30}) == [("", "larger than 256000 bytes")]


def test_forms_are_closed_unless_the_owner_opens_them() -> None:
    schema = closed_form({"type": "object", "properties": {
        "a": {"type": "string"}, "b": {"type": "object", "properties": {"c": {}}}}})
    assert schema["additionalProperties"] is False
    assert schema["properties"]["b"]["additionalProperties"] is False
    assert form_errors(schema, {"a": "x", "zz": 1}) == [
        ("", "'zz': the form has no such field")]
    opened = closed_form({"type": "object", "additionalProperties": True,
                          "properties": {"a": {}}})
    assert form_errors(opened, {"a": 1, "zz": 1}) == []
    composed = closed_form({"type": "object", "properties": {"a": {}},
                            "allOf": [{"properties": {"b": {}}}]})
    assert "additionalProperties" not in composed


class _Form(dict[str, object]):
    """A dict that is not exactly ``dict``: ``data_errors`` walks it the long way."""


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.text(max_size=6) | st.sampled_from(["a\x00", "k" * 20_001]),
                       st.none() | st.booleans() | st.integers() | st.floats()
                       | st.text(max_size=8) | st.sampled_from(["x" * 20_001, "b\ud800",
                                                                 "y" * 60_000])
                       | st.lists(st.integers(), max_size=2), max_size=8))
def test_the_flat_form_shortcut_answers_as_the_walk(data: dict[str, object]) -> None:
    assert data_errors(data) == data_errors(_Form(data))
    assert data_errors(data, max_bytes=64) == data_errors(_Form(data), max_bytes=64)
