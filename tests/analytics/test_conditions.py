"""Skip conditions learned from case attributes."""

from __future__ import annotations

from engine.analytics.conditions import learn_skip_condition
from tests.analytics.conftest import Step, history


def _h(amounts: list[float], stopped_from: float, extra: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    cases: dict[str, list[Step]] = {}
    attrs: dict[str, dict[str, str | float]] = {}
    for i, a in enumerate(amounts):
        cases[f"c{i}"] = [("finance", 60, "reject" if a >= stopped_from and i % 2 else "approve")]
        attrs[f"c{i}"] = {"amount": a, **({"region": extra[str(i % 3)]} if extra else {})}
    return history(cases, attrs)


def test_every_request_under_a_threshold_was_approved() -> None:
    amounts = [float(x) for x in range(500, 40000, 500)]  # 79 requests, index i = a/500 - 1
    # stopped: amount >= 20,317 at an odd index -> 21,000 is the lowest stopped request,
    # 20,500 the highest clean one below it, so the cut is 21,000
    c = learn_skip_condition(_h(amounts, 20317.0), "finance", min_cases=10)
    assert c is not None
    assert (c.expression, c.covered, c.cases) == ("amount < 21000", 41, 79)
    assert (c.evidence.k, c.evidence.n) == (0, 41)
    assert c.coverage == 41 / 79


def test_threshold_is_the_roundest_number_between_clean_and_stopped() -> None:
    amounts = [1000.0 * i for i in range(1, 19)] + [19850.0, 20317.0, 20317.0, 30000.0]
    # indices 19 (19,850) even -> clean; 20 (20,317) even -> clean; 21 (20,317) odd -> stopped
    h = _h(amounts, 20317.0)
    c = learn_skip_condition(h, "finance", min_cases=5)
    assert c is not None
    assert (c.op, c.value, c.covered) == ("<", 20000.0, 19)  # 19,850 < 20,000 <= 20,317
    assert c.expression == "amount < 20000"


def test_categorical_equality() -> None:
    cases: dict[str, list[Step]] = {}
    attrs: dict[str, dict[str, str | float]] = {}
    for i in range(60):
        region = ["north", "south", "east"][i % 3]
        stop = region != "north" and i % 4 == 1
        cases[f"c{i}"] = [("legal", 60, "reject" if stop else "approve")]
        attrs[f"c{i}"] = {"region": region}
    c = learn_skip_condition(history(cases, attrs), "legal", min_cases=10)
    assert c is not None
    assert c.expression == "region == 'north'"
    assert (c.covered, c.cases) == (20, 60)


def test_nothing_to_learn() -> None:
    never = history({f"c{i}": [("x", 60, "approve")] for i in range(40)},
                    {f"c{i}": {"amount": float(i)} for i in range(40)})
    assert learn_skip_condition(never, "x") is None  # never stops: remove, no condition
    few = _h([1.0, 2.0, 3.0, 4.0], 3.0)
    assert learn_skip_condition(few, "finance") is None  # below min_cases
