"""Activity labels to (step, outcome)."""

from __future__ import annotations

import pytest

from engine.analytics.mapping import IDENTITY, LabelMapping, MappingInvalid


@pytest.mark.parametrize(("label", "want"), [
    ("Declaration APPROVED by SUPERVISOR", ("Declaration by SUPERVISOR", "approve")),
    ("Declaration FINAL_APPROVED by SUPERVISOR", ("Declaration by SUPERVISOR", "approve")),
    ("Declaration REJECTED by SUPERVISOR", ("Declaration by SUPERVISOR", "reject")),
    ("Request For Payment REJECTED by BUDGET OWNER",
     ("Request For Payment by BUDGET OWNER", "reject")),
    # the employee withdrawing or acknowledging is the requester's act
    ("Declaration REJECTED by EMPLOYEE", ("Declaration by EMPLOYEE", "other")),
    ("Declaration SUBMITTED by EMPLOYEE", ("Declaration by EMPLOYEE", "other")),
    ("Payment Handled", ("Payment Handled", "other")),
])
def test_default_mapping_reads_bpic_2020_labels(label: str, want: tuple[str, str]) -> None:
    assert LabelMapping().map(label) == want


def test_custom_pattern_with_step_group() -> None:
    m = LabelMapping(pattern=r"^(?P<step>[a-z_]+):(?P<verb>ok|no|back)$",
                     verbs={"ok": "approve", "no": "reject", "back": "return"})
    assert m.map("legal:ok") == ("legal", "approve")
    assert m.map("legal:back") == ("legal", "return")
    assert m.map("legal:maybe") == ("legal:maybe", "other")


def test_requester_roles_are_configurable() -> None:
    m = LabelMapping(requester_roles=frozenset())
    assert m.map("Declaration REJECTED by EMPLOYEE") == ("Declaration by EMPLOYEE", "reject")


def test_identity_keeps_labels() -> None:
    assert IDENTITY.map("Permit APPROVED by SUPERVISOR") == ("Permit APPROVED by SUPERVISOR",
                                                               "other")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"pattern": "(unclosed"}, "missing \\)"),
    ({"pattern": r"^(?P<verb>\w+)$"}, "needs a named group 'step'"),
    ({"verbs": {"OK": "maybe"}}, "approve\\|reject\\|return"),
])
def test_bad_mapping_is_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(MappingInvalid, match=message):
        LabelMapping(**kwargs)  # type: ignore[arg-type]
