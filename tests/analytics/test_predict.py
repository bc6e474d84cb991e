"""The predictor on histories whose answers are known, and the backtest's no-peeking rule."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

import pytest

from engine.analytics.backtest import replay, score
from engine.analytics.calendar import WorkingCalendar
from engine.analytics.predict import (
    MIN_APPROVER,
    MIN_MISSES,
    WARN_CHANCE,
    At,
    choose_warn_chance,
    learn,
    predict,
    remaining_path,
)
from engine.analytics.traces import Entry, Trace, passages, trace_of
from engine.core.definition import ProcessDefinition
from engine.core.loader import load_definition

CST = dt.timezone(dt.timedelta(hours=8))
CAL = WorkingCalendar()
H = 3600.0
MONDAY = dt.datetime(2026, 11, 2, 10, 0, tzinfo=CST).timestamp()  # Mon 2 Nov 2026, 10:00

YAML = """
key: branches
title: Two branches
form:
  type: object
  properties:
    amount: {type: number}
    due: {type: string, format: date}
deadline: {field: due}
start: a
nodes:
  a:
    approvers: {user: li.na}
    sla: 1d
    on:
      approve:
        - {if: "amount > 100", to: b}
        - {to: c}
      reject: rejected
  b: {approvers: {user: zhao.lei}, sla: 2d, on: {approve: cc, reject: rejected}}
  c: {approvers: {user: ma.jun}, sla: 4h, on: {approve: cc, reject: rejected}}
  cc: {notify: {initiator: true}, next: approved}
  approved: {final: approved}
  rejected: {final: rejected}
"""
DEFN: ProcessDefinition = load_definition(YAML)


def at(t: float, hours: float) -> float:
    """``hours`` of working time after ``t``."""
    return CAL.add_business_seconds(t, hours * H)


def trace(case: str, start: float, steps: Sequence[tuple[str, float]], amount: float = 50,
          end: str = "approved", holder: str | None = None, due: str = "2026-12-31",
          returned_after: float | None = None) -> Trace:
    """A finished request: each (step, working hours) entered when the previous ended,
    then notify and final entered at the end. ``returned_after``: the first step's first
    visit ended (a return) after that many hours, and it was entered again at once."""
    entries, t = [], start
    for i, (node, hours) in enumerate(steps):
        left = at(t, hours)
        if i == 0 and returned_after is not None:
            back = at(t, returned_after)
            entries.append(Entry(node, 1, t, holder, holder, back))
            entries.append(Entry(node, 2, back, holder, holder, left))
        else:
            entries.append(Entry(node, 1, t, holder if i == 0 else None, None, left))
        t = left
    if end == "approved":
        entries.append(Entry("cc", 1, t, None, None, t))
    entries.append(Entry(end, 1, t, None, None, None))
    data = {"amount": amount, "due": due}
    return Trace(case, "branches", 1, start, ((start, data),), tuple(entries), (), t, end)


def many(n: int, steps: Sequence[tuple[str, float]], start: float = MONDAY - 30 * 86400,
         **kw: object) -> list[Trace]:
    return [trace(f"{steps[0][0]}-{i}-{kw}", start + i * 600, steps, **kw)  # type: ignore[arg-type]
            for i in range(n)]


def hours_after(now: float, when: dt.datetime) -> float:
    return CAL.business_seconds(now, when.timestamp()) / H


def test_a_step_that_always_takes_two_hours_gives_exactly_two_hours() -> None:
    learned = learn(DEFN, many(10, [("a", 2), ("c", 1)]), CAL)
    found = predict(DEFN, learned, node="c", since=MONDAY, now=MONDAY, data={"amount": 5})
    assert hours_after(MONDAY, found.median) == pytest.approx(1)
    assert hours_after(MONDAY, found.p80) == pytest.approx(1)
    found = predict(DEFN, learned, node="a", since=MONDAY, now=MONDAY, data={"amount": 5})
    assert hours_after(MONDAY, found.median) == pytest.approx(3)
    assert found.path == ("a", "c") and found.basis == ("step", "step")


def test_two_branches_follow_the_condition_on_the_current_form() -> None:
    history = many(10, [("a", 1), ("b", 3)], amount=500) + many(10, [("a", 1), ("c", 1)])
    learned = learn(DEFN, history, CAL)
    big = predict(DEFN, learned, node="a", since=MONDAY, now=MONDAY, data={"amount": 500})
    small = predict(DEFN, learned, node="a", since=MONDAY, now=MONDAY, data={"amount": 50})
    assert big.path == ("a", "b") and small.path == ("a", "c")
    assert hours_after(MONDAY, big.median) == pytest.approx(4)
    assert hours_after(MONDAY, small.median) == pytest.approx(2)
    assert remaining_path(DEFN, "b", {}) == ["b"]


def test_a_step_without_history_takes_its_sla_in_working_time() -> None:
    learned = learn(DEFN, many(10, [("a", 1), ("c", 1)]), CAL)
    found = predict(DEFN, learned, node="a", since=MONDAY, now=MONDAY, data={"amount": 500})
    assert found.basis == ("step", "sla")
    assert hours_after(MONDAY, found.median) == pytest.approx(1 + 2 * 9)  # b: sla 2d


def test_the_holder_with_enough_history_is_predicted_from_their_own() -> None:
    history = many(MIN_APPROVER, [("a", 5), ("c", 1)], holder="slow.one") + \
        many(30, [("a", 1), ("c", 1)], holder="quick.one")
    learned = learn(DEFN, history, CAL)
    slow = predict(DEFN, learned, node="a", since=MONDAY, now=MONDAY, data={},
                   holders=["slow.one"])
    other = predict(DEFN, learned, node="a", since=MONDAY, now=MONDAY, data={},
                    holders=["new.one"])
    assert hours_after(MONDAY, slow.median) == pytest.approx(6)
    assert slow.basis[0] == "approver" and other.basis[0] == "step"


def test_the_current_step_is_conditioned_on_the_time_already_spent() -> None:
    history = many(10, [("a", 1), ("c", 1)]) + many(10, [("a", 5), ("c", 1)])
    learned = learn(DEFN, history, CAL)
    now = at(MONDAY, 2)  # two working hours in: only the 5-hour passages are left
    found = predict(DEFN, learned, node="a", since=MONDAY, now=now, data={})
    assert hours_after(now, found.median) == pytest.approx(3 + 1)
    assert hours_after(now, found.p80) == pytest.approx(3 + 1)


def test_a_wait_longer_than_all_history_is_given_the_slowest_tenths_residual() -> None:
    history = many(10, [("a", 1), ("c", 1)]) + many(10, [("a", 5), ("c", 1)])
    learned = learn(DEFN, history, CAL)
    now = at(MONDAY, 12)  # longer than any passage of a: it may be decided any minute
    found = predict(DEFN, learned, node="a", since=MONDAY, now=now, data={})
    assert hours_after(now, found.median) == pytest.approx(1 + 1 / 60)  # a minute, then c


def test_a_return_is_counted_in_the_passage_of_the_step_that_returned() -> None:
    history = many(10, [("a", 6), ("c", 1)], returned_after=1)
    p_a = passages(DEFN, history[0])[0]
    assert CAL.business_seconds(p_a.start, p_a.end) == pytest.approx(6 * H)
    assert CAL.business_seconds(p_a.start, p_a.first_left) == pytest.approx(1 * H)
    learned = learn(DEFN, history, CAL)
    # two hours in, but no longer in the first visit (it was returned): 4 + 1 hours left
    now = at(MONDAY, 2)
    found = predict(DEFN, learned, node="a", since=MONDAY, now=now, data={},
                    first_visit=False)
    assert hours_after(now, found.median) == pytest.approx(5)


def test_a_step_that_always_rejects_ends_the_path_there() -> None:
    history = many(10, [("a", 2)], end="rejected")
    learned = learn(DEFN, history, CAL)
    found = predict(DEFN, learned, node="a", since=MONDAY, now=MONDAY, data={})
    assert hours_after(MONDAY, found.p80) == pytest.approx(2)


def test_the_chance_of_missing_is_the_share_of_futures_past_the_deadline() -> None:
    # half the requests take 2 working hours at a, the other half 10: with the deadline
    # 5 hours away, one in two misses; the threshold decides whether that is "at risk"
    learned = learn(DEFN, many(20, [("a", 2), ("c", 0.5)]) + many(20, [("a", 10), ("c", 0.5)],
                                                                 start=MONDAY - 20 * 86400),
                    CAL)
    deadline = at(MONDAY, 5)
    found = predict(DEFN, learned, node="a", since=MONDAY, now=MONDAY, data={},
                    deadline=deadline)
    assert found.miss_chance == pytest.approx(0.5, abs=0.05)
    assert predict(DEFN, learned, node="a", since=MONDAY, now=MONDAY, data={},
                   deadline=deadline, warn_chance=0.4).deadline_risk
    assert not predict(DEFN, learned, node="a", since=MONDAY, now=MONDAY, data={},
                       deadline=deadline, warn_chance=0.6).deadline_risk
    # three hours later the quick half would be done: only the slow futures remain
    later = predict(DEFN, learned, node="a", since=MONDAY, now=at(MONDAY, 3), data={},
                    deadline=deadline)
    assert later.miss_chance == 1.0 and later.deadline_risk


def test_the_threshold_is_the_highest_that_still_catches_the_target_share_of_misses() -> None:
    # ten past misses whose highest predicted chances were 0.1 .. 1.0: catching 8 of
    # them needs a threshold at or below 0.3; false alarms never lower it
    misses = [(k / 10, True) for k in range(1, 11)]
    alarms = [(0.9, False)] * 50
    assert choose_warn_chance(misses + alarms) == pytest.approx(0.3)
    assert choose_warn_chance(misses[:MIN_MISSES - 1] + alarms) == WARN_CHANCE  # too few


def test_at_risk_when_the_p80_passes_the_deadline_or_the_step_its_due_time() -> None:
    learned = learn(DEFN, many(10, [("a", 2), ("c", 8)]), CAL)
    now = MONDAY
    soon = at(now, 5)
    late = predict(DEFN, learned, node="a", since=now, now=now, data={}, deadline=soon,
                   warn_chance=0.2)  # the "p80 passes the deadline" rule
    fine = predict(DEFN, learned, node="a", since=now, now=now, data={}, deadline=at(now, 20))
    task = predict(DEFN, learned, node="a", since=now, now=now, data={}, due=at(now, 1))
    passed = predict(DEFN, learned, node="a", since=now, now=now, data={}, deadline=now - 1)
    assert late.deadline_risk and late.at_risk
    assert not fine.at_risk
    assert task.sla_risk and not task.deadline_risk
    assert not passed.at_risk  # already missed: overdue, not "at risk"


def test_predictions_are_deterministic() -> None:
    history = [trace(f"x{i}", MONDAY - 40 * 86400 + i * 3600, [("a", 0.5 + i % 7), ("c", 1)])
               for i in range(40)]
    learned = learn(DEFN, history, CAL)
    one = predict(DEFN, learned, node="a", since=MONDAY, now=MONDAY, data={})
    two = predict(DEFN, learn(DEFN, history, CAL), node="a", since=MONDAY, now=MONDAY, data={})
    assert one == two and one.median < one.p80


def test_trace_of_real_engine_events_adds_up_to_the_cycle_time(demo_histories: list) -> None:
    from engine.analytics.traces import trace_of as read

    seen = 0
    for events in demo_histories:
        tr = read(events)
        if tr.outcome != "approved":
            continue
        found = passages(DEFN_OF[tr.key], tr) if tr.key in DEFN_OF else []
        if found:
            seen += 1
            assert found[0].start == min(e.at for e in tr.entries)
            assert all(a.end == b.start for a, b in itertools.pairwise(found))
            assert tr.finished_at is not None and found[-1].end <= tr.finished_at
    assert seen > 10


DEFN_OF: dict[str, ProcessDefinition] = {}


@pytest.fixture(scope="module")
def demo_histories() -> list:
    from engine.core.directory import load_directory
    from engine.core.loader import load_definition_file
    from engine.demo import Simulation
    from tests.conftest import ROOT

    org = load_directory(ROOT / "definitions" / "org.yaml")
    defs = [load_definition_file(p, org) for p in sorted((ROOT / "definitions").glob("*.yaml"))
            if p.stem != "org"]
    DEFN_OF.update({d.key: d for d in defs})
    end = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
    sim = Simulation(defs, org, end - dt.timedelta(days=60), end, seed=7)
    return [events for events, _ in sim.run(120)]


def test_backtest_never_peeks_at_requests_finished_later() -> None:
    """A request finishing after every prediction of the others (here: extremely slow)
    must not change any of their predictions; one finishing early must."""
    base = [trace(f"r{i}", MONDAY - 60 * 86400 + i * 86400, [("a", 1 + i % 3), ("c", 1)])
            for i in range(30)]
    last = max(t.finished_at or 0 for t in base)
    slow_late = trace("late", last - 3600, [("a", 400), ("c", 1)])
    slow_early = trace("early", MONDAY - 70 * 86400, [("a", 40), ("c", 1)])
    defs = {("branches", 1): DEFN}

    def predictions(traces: list[Trace]) -> dict[str, list[tuple[float, float, bool]]]:
        return {r.case_id: r.predictions for r in replay(defs, traces, CAL, draws=200)}

    before = predictions(base)
    with_late = predictions([*base, slow_late])
    assert {k: with_late[k] for k in before} == before
    with_early = predictions([*base, slow_early])
    assert any(with_early[k] != v for k, v in before.items())


def test_backtest_scores_warnings_against_misses() -> None:
    # every request takes 12 working hours at step a; those due the day after they start
    # miss, the others do not; the history teaches the predictor that much
    far_due = "2026-12-31"
    traces = [trace(f"r{i}", MONDAY - 50 * 86400 + i * 86400, [("a", 12), ("c", 1)])
              for i in range(20)]
    starts = [MONDAY + k * 7 * 86400 for k in range(4)]
    tight = [trace(f"t{k}", s, [("a", 12), ("c", 1)],
                   due=dt.datetime.fromtimestamp(s, CST).date().isoformat()) for k, s in
             enumerate(starts)]
    loose = [trace(f"l{k}", s + 3600, [("a", 12), ("c", 1)], due=far_due)
             for k, s in enumerate(starts)]
    rows = replay({("branches", 1): DEFN}, [*traces, *tight, *loose], CAL, draws=200)
    found = score(rows, CAL)["all"]["predictor"]
    assert found["missed"] == 4 and found["hits"] == 4 and found["warned"] == 4
    assert found["precision"] == 1.0 and found["recall"] == 1.0


def test_trace_of_reads_holders_due_times_and_data(demo_histories: list) -> None:
    tr = trace_of(demo_histories[0])
    assert tr.entries and tr.started_at <= tr.entries[0].at
    assert tr.data_at(tr.started_at) == tr.data[0][1]


FORK_YAML = """
key: forked
title: Two reviews side by side
form:
  type: object
  properties:
    amount: {type: number}
start: manager
nodes:
  manager: {approvers: {user: li.na}, sla: 1d, on: {approve: reviews, reject: rejected}}
  reviews:
    branches: {legal: legal, finance: finance}
    join: JOIN
    on: {approve: vp, reject: rejected}
  legal: {approvers: {user: ma.jun}, sla: 3d, on: {approve: reviews, reject: reviews}}
  finance:
    approvers: {user: zhao.lei}
    sla: 2d
    on:
      approve: [{if: "amount > 100", to: cfo}, {to: reviews}]
      reject: reviews
  cfo: {approvers: {user: wang.fang}, sla: 2d, on: {approve: reviews, reject: reviews}}
  vp: {approvers: {user: sun.li}, sla: 1d, on: {approve: approved, reject: rejected}}
  approved: {final: approved}
  rejected: {final: rejected}
"""


def forked(join: str = "all") -> ProcessDefinition:
    return load_definition(FORK_YAML.replace("JOIN", join))


def days_after(now: float, when: dt.datetime) -> float:
    return CAL.business_seconds(now, when.timestamp()) / CAL.day_seconds


@pytest.mark.parametrize(("join", "amount", "days", "path"), [
    # no history: each step its SLA; the fork lasts as long as its slower branch
    ("all", 50, 1 + 3 + 1, ("manager", "legal", "finance", "vp")),
    ("all", 500, 1 + 4 + 1, ("manager", "legal", "finance", "cfo", "vp")),  # 2d + cfo 2d
    ("any", 50, 1 + 2 + 1, ("manager", "legal", "finance", "vp")),  # the quicker branch
])
def test_a_fork_on_the_way_lasts_as_long_as_its_join_waits(join: str, amount: int,
                                                           days: float,
                                                           path: tuple[str, ...]) -> None:
    defn = forked(join)
    found = predict(defn, learn(defn, [], CAL), node="manager", since=MONDAY, now=MONDAY,
                    data={"amount": amount})
    assert found.path == path
    assert days_after(MONDAY, found.median) == pytest.approx(days)
    assert days_after(MONDAY, found.step_median) == pytest.approx(1)  # the manager's


def test_at_a_fork_the_running_branches_are_predicted_from_where_they_are() -> None:
    defn = forked()
    learned = learn(defn, [], CAL)
    now = at(MONDAY, 9)  # a working day after the fork was entered
    both = predict(defn, learned, node="reviews", since=MONDAY, now=now, data={"amount": 50},
                   branches=[At("legal", MONDAY), At("finance", MONDAY)])
    # legal has 2 of its 3 days left, finance 1 of 2; then the VP's day
    assert days_after(now, both.median) == pytest.approx(2 + 1)
    assert both.path == ("legal", "finance", "vp")
    assert days_after(now, both.step_median) == pytest.approx(2)  # when both have decided
    # legal already approved (joined): only finance, now at the CFO since an hour ago
    one = predict(defn, learned, node="reviews", since=MONDAY, now=now, data={"amount": 500},
                  branches=[At("cfo", at(MONDAY, 8))])
    assert one.path == ("cfo", "vp")
    assert hours_after(now, one.median) == pytest.approx(2 * 9 - 1 + 9)
    # a branch task due before its likely decision is at risk of its SLA
    late = predict(defn, learned, node="reviews", since=MONDAY, now=now, data={"amount": 50},
                   branches=[At("legal", MONDAY, due=at(now, 3)), At("finance", MONDAY)])
    assert late.sla_risk and not both.sla_risk


def test_a_rejection_in_a_branch_ends_the_fork_and_the_request() -> None:
    # finance always rejects after 1 hour; legal always approves after 5
    history = [Trace(f"r{i}", "forked", 1, MONDAY - 30 * 86400, ((MONDAY, {"amount": 5}),),
                     (Entry("legal", 1, MONDAY, None, None, at(MONDAY, 5)),
                      Entry("finance", 1, MONDAY, None, None, at(MONDAY, 1)),
                      Entry("rejected", 1, at(MONDAY, 1), None, None, None)),
                     (), at(MONDAY, 1), "rejected") for i in range(10)]
    defn = forked()
    learned = learn(defn, history, CAL)
    found = predict(defn, learned, node="reviews", since=MONDAY, now=MONDAY, data={"amount": 5},
                    branches=[At("legal", MONDAY), At("finance", MONDAY)])
    assert hours_after(MONDAY, found.median) == pytest.approx(1)  # no VP after a rejection
