"""The planted behaviours hold statistically on a medium run: what analytics must find."""

from __future__ import annotations

import itertools
import statistics
from collections import Counter

import pytest

from engine.core import InstanceState, pending_tasks
from engine.core import events as ev
from engine.core.calendar import WorkingCalendar
from engine.core.events import Event
from engine.demo.personas import (
    BOTTLENECK_USER,
    CAREFUL_FAST,
    LOW_VALUE_GATE,
    RUBBER_STAMP,
    SKIP_CONDITION,
)
from tests.demo.stats import StepFigures, step_figures

Run = list[tuple[list[Event], InstanceState]]
WORKING_DAY_MINUTES = 9 * 60


@pytest.fixture(scope="module")
def figures(medium_run: Run) -> dict[tuple[str, str], StepFigures]:
    return step_figures(h for h, _ in medium_run)


def test_rubber_stamp_is_fast_never_says_no_and_never_comments(
        figures: dict[tuple[str, str], StepFigures]) -> None:
    stamp = figures[RUBBER_STAMP]
    assert stamp.visits > 200
    assert stamp.outcomes["rejected"] == stamp.outcomes["returned"] == 0
    assert stamp.comments == 0
    assert stamp.median_minutes < 30


def test_careful_fast_step_is_fast_but_rejects_with_reasons(
        figures: dict[tuple[str, str], StepFigures], medium_run: Run) -> None:
    careful = figures[CAREFUL_FAST]
    assert careful.visits > 200
    assert careful.median_minutes < 60
    assert careful.rate("rejected") > 0.05
    assert careful.rate("rejected") + careful.rate("returned") < 0.25
    said_no = [e for h, _ in medium_run for e in h if isinstance(e, ev.TaskDecided)
               and (h[0].definition_key, e.node) == CAREFUL_FAST and e.action != "approve"]
    assert said_no and all(e.comment for e in said_no)


def test_low_value_gate_is_slow_and_never_says_no(
        figures: dict[tuple[str, str], StepFigures]) -> None:
    gate = figures[LOW_VALUE_GATE]
    assert gate.visits > 50
    assert gate.outcomes["rejected"] == gate.outcomes["returned"] == 0
    assert gate.comments == 0
    assert gate.median_minutes > WORKING_DAY_MINUTES  # wall-clock minutes, over a day


def test_low_value_gate_signs_in_bursts(medium_run: Run) -> None:
    """The VP signs the week's pile at once: decisions seconds apart, on Fridays."""
    times = sorted(e.at for h, _ in medium_run for e in h if isinstance(e, ev.TaskDecided)
                   and (h[0].definition_key, e.node) == LOW_VALUE_GATE and not e.auto)
    bursts, run = 0, 1
    for a, b in itertools.pairwise(times):
        if (b - a).total_seconds() <= 30:
            run += 1
            continue
        bursts += run >= 3
        run = 1
    assert bursts >= 5
    assert {t.astimezone(WorkingCalendar().tzinfo).weekday() for t in times} == {4}  # Fridays


def test_bottleneck_approver_takes_days_and_holds_the_longest_queue(medium_run: Run) -> None:
    waits: dict[str, list[float]] = {}
    for history, _ in medium_run:
        arrived = {}
        for e in history:
            if isinstance(e, ev.TaskCreated | ev.TaskActivated):
                arrived[e.task_id] = e.at
            elif isinstance(e, ev.TaskDecided) and not e.auto:
                waits.setdefault(e.actor, []).append((e.at - arrived[e.task_id]).total_seconds())
    medians = {u: statistics.median(w) / 86400 for u, w in waits.items() if len(w) >= 20}
    assert medians[BOTTLENECK_USER] > 2  # days
    assert max(medians, key=lambda u: medians[u]) == BOTTLENECK_USER
    queue = Counter(t.assignee for _, s in medium_run for t in pending_tasks(s))
    assert queue.most_common(1)[0][0] == BOTTLENECK_USER


def test_skip_condition_small_claims_always_pass_the_manager(medium_run: Run) -> None:
    key, node, name, limit = SKIP_CONDITION
    below, above = Counter[str](), Counter[str]()
    for history, _ in medium_run:
        start = history[0]
        assert isinstance(start, ev.InstanceStarted)
        if start.definition_key != key:
            continue
        for e in history:
            if isinstance(e, ev.NodeLeft) and e.node == node:
                (below if start.data[name] < limit else above)[e.outcome] += 1
    assert below["approved"] > 100 and set(below) == {"approved"}
    assert above["rejected"] + above["returned"] > 10


def test_cfo_step_only_for_rent_above_the_threshold(medium_run: Run) -> None:
    cfo, direct = 0, 0
    for history, _ in medium_run:
        for e in history:
            if isinstance(e, ev.NodeLeft) and e.node == "finance_review" \
                    and e.outcome == "approved" and e.next_node in ("cfo_review", "vp_review"):
                forms = [x for x in history if x.at <= e.at
                         and isinstance(x, ev.InstanceStarted | ev.InstanceResubmitted)]
                rent = forms[-1].data["monthly_rent"]
                assert (rent > 80000) == (e.next_node == "cfo_review")
                cfo += e.next_node == "cfo_review"
                direct += e.next_node == "vp_review"
    assert cfo > 5 and direct > cfo
