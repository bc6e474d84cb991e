"""Org directory loading (YAML, CSV, errors), safe conditions, and the core's purity."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.core import DirectoryInvalid, directory_from_csv, directory_from_yaml
from engine.core.conditions import check, evaluate
from tests.conftest import ROOT
from tests.engine.helpers import directory

CSV = """username,name,name_zh,email,manager,roles,is_admin,is_process_owner
boss,The Boss,老板,boss@example.com,,ceo;vp_retail,false,true
li.na,Li Na,李娜,li.na@example.com,boss,store_manager,false,false
root,Admin,,root@example.com,,,true,false
"""


def test_demo_directory_hierarchy_and_roles() -> None:
    org = directory()
    assert 30 <= len(org.users) <= 40
    assert org.manager_of("bai.lu") == "li.na"
    assert org.manager_of("bai.lu", levels=3) == "liu.yang"
    assert org.manager_of("wang.jian") is None
    assert org.users_with_role("regional_director") == ("huang.tao", "sun.li", "zhao.lei")
    assert org.users["li.na"].name_zh == "李娜"
    assert any(u.is_admin for u in org.users.values())
    assert any(u.is_process_owner for u in org.users.values())
    assert all(re.fullmatch(r"[a-z]+(\.[a-z]+)?", u) for u in org.users)


def test_csv_directory() -> None:
    org = directory_from_csv(CSV, "org.csv")
    assert org.users["boss"].roles == ("ceo", "vp_retail") and org.users["boss"].is_process_owner
    assert org.users["root"].is_admin and org.users["root"].manager is None
    assert org.manager_of("li.na") == "boss"


def test_directory_errors_name_the_line() -> None:
    text = ("users:\n"
            "  - {username: a, manager: b}\n"
            "  - {username: b, manager: a}\n"
            "  - {username: c, manager: ghost}\n"
            "  - {username: c}\n")
    with pytest.raises(DirectoryInvalid) as info:
        directory_from_yaml(text, "org.yaml")
    assert [str(e) for e in info.value.errors] == [
        "org.yaml:5:5: duplicate username 'c'",
        "org.yaml:4:5: user 'c': unknown manager 'ghost'",
        "org.yaml:2:5: user 'a': reporting line loops back",
        "org.yaml:3:5: user 'b': reporting line loops back",
    ]


@pytest.mark.parametrize(("expr", "data", "expected"), [
    ("monthly_rent > 80000", {"monthly_rent": 90000}, True),
    ("monthly_rent > 80000", {"monthly_rent": 80000}, False),
    ("monthly_rent > 80000", {}, False),  # missing optional field: false, not an error
    ("region in ['east', 'south'] and urgent", {"region": "east", "urgent": True}, True),
    ("len(items) >= 2", {"items": [1, 2]}, True),
    ("category == 'travel' or amount < 10", {"category": "meals", "amount": 5}, True),
])
def test_conditions_evaluate_on_form_data(expr: str, data: dict[str, object],
                                          expected: bool) -> None:
    assert evaluate(expr, data) is expected


def test_conditions_refuse_code() -> None:
    assert check("amount.__class__", ["amount"]) == [
        "condition 'amount.__class__' uses Attribute, which conditions do not allow"]
    assert check("open('x')", []) == ["condition \"open('x')\" calls an unknown function"]


def test_core_does_no_io_no_clock_no_eval() -> None:
    """Imports are checked by import-linter (tests/test_layers.py); calls are checked here."""
    forbidden = re.compile(r"datetime\.now|utcnow|time\.time\(|date\.today"
                           r"|(?<![.\w])eval\(|(?<![.\w])exec\(")
    io_allowed = {"loader.py", "directory.py"}  # the explicit load_* functions
    for path in sorted(Path(ROOT, "engine", "core").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert not forbidden.search(text), path.name
        if path.name not in io_allowed:
            assert not re.search(r"read_text|(?<![.\w])(?<!def )open\(", text), path.name
