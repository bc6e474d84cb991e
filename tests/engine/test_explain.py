"""One typo, one error in plain words: follow-on errors are left out (and counted), YAML
syntax errors say what to do, and a name close to a known one gets "did you mean"."""

from __future__ import annotations

import re

import pytest

from engine.core import DefinitionInvalid, load_definition
from engine.core.explain import yaml_problem
from tests.engine.helpers import DEFS, directory

SOURCE = (DEFS / "expense_claim.yaml").read_text(encoding="utf-8")


def errors_of(old: str, new: str) -> tuple[list[str], int]:
    assert old in SOURCE
    with pytest.raises(DefinitionInvalid) as info:
        load_definition(SOURCE.replace(old, new, 1), "claim.yaml", directory())
    return [f"{e.line}:{e.column}: {e.message}" for e in info.value.errors], info.value.hidden


def line_of(text: str) -> int:
    return SOURCE[:SOURCE.index(text)].count("\n") + 1


def lines_of(text: str) -> list[int]:
    return [SOURCE[:m.start()].count("\n") + 1 for m in re.finditer(re.escape(text), SOURCE)]


def test_a_misspelt_step_name_is_one_error_at_the_step_not_six() -> None:
    found, hidden = errors_of("  finance_review:\n", "  finance_reveiw:\n")
    line = line_of("  finance_review:\n")
    routes = ", ".join(str(n) for n in lines_of("finance_review") if n != line)
    assert found == [f"{line}:3: step 'finance_reveiw' is never reached, and 3 route(s) go "
                     f"to 'finance_review', which is no step (line {routes}): one of the "
                     "two names is misspelt"]
    assert hidden == 6  # three unknown targets, three unreachable steps behind it


def test_a_misspelt_target_suggests_the_step() -> None:
    found, hidden = errors_of("      reject: rejected\n      return: initiator\n  department_head",
                              "      reject: rejectd\n      return: initiator\n  department_head")
    assert found == [f"{line_of('      reject: rejected')}:15: unknown target node 'rejectd': "
                     "no step has that name (did you mean 'rejected'?)"]
    assert hidden == 0


@pytest.mark.parametrize(("old", "new", "message", "hidden"), [
    ("    approvers: {manager_of: initiator}\n    sla: 2d",
     "    aprovers: {manager_of: initiator}\n    sla: 2d",
     "unknown key 'aprovers' in nodes.manager (did you mean 'approvers'?)", 1),
    ("    sla: 2d\n    on:\n      approve:", "    sla: 2d\n    onn:\n      approve:",
     "unknown key 'onn' in nodes.manager (did you mean 'on'?)", 8),
    ("start: manager", "strat: manager",
     "unknown key 'strat' in the definition (did you mean 'start'?)", 1),
    ("mode: sequential", "mode: sequentail",
     "nodes.finance_review.mode: 'sequentail' is not one of any, all, sequential, threshold "
     "(did you mean 'sequential'?)", 0),
])
def test_a_misspelt_key_or_value_is_one_error(old: str, new: str, message: str,
                                               hidden: int) -> None:
    found, dropped = errors_of(old, new)
    assert [f.split(": ", 1)[1] for f in found] == [message]
    assert dropped == hidden


@pytest.mark.parametrize(("old", "new", "where", "starts"), [
    ("    title_zh: 直属上级", "     title_zh: 直属上级", (0, 14),
     "this line is indented more than the one above it"),
    ("    title_zh: 直属上级", "   title_zh: 直属上级", (0, 4),
     "this line is indented differently from the lines above it"),
    ("title: Expense claim\n", "title: Expense: claim\n", (0, 15), "a second ':' on one line"),
    ("    title_zh: 直属上级", "\ttitle_zh: 直属上级", (0, 1), "a tab character"),
    ("on: {approve: payment, reject: rejected, return: finance_review}",
     "on: {approve: payment, reject: rejected, return: finance_review", (0, 9),
     "a { ... } mapping is not closed with '}'"),
    ("    sla: 5d\n", "    sla: 5d\n    sla: 4d\n", (1, 5), "the key 'sla' appears twice"),
])
def test_yaml_syntax_errors_in_plain_words_at_the_line(old: str, new: str,
                                                       where: tuple[int, int],
                                                       starts: str) -> None:
    """`where` is (lines below the changed text's first line, column): no line number is
    written down, so editing the example definition cannot break the test."""
    found, _ = errors_of(old, new)
    below, column = where
    where_text = f"{line_of(old) + below}:{column}"
    assert len(found) == 1
    assert found[0].startswith(f"{where_text}: {starts}"), found[0]
    assert "(YAML: " in found[0]  # the parser's own words stay, at the end


def test_an_unknown_parser_message_is_kept_as_it_is() -> None:
    assert yaml_problem("something new") == "YAML syntax error: something new"


def test_real_errors_stay_when_nothing_explains_them() -> None:
    found, hidden = errors_of("{role: cfo}", "{role: no_such_role}")
    assert hidden == 0 and found == [f"{line_of('{role: cfo}')}:24: unknown role 'no_such_role'"]
