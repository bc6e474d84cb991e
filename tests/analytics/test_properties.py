"""Property-based tests: any readable log gives a report or a clear ``LogInvalid``.

Hypothesis writes CSV logs with random attributes (numbers, text, missing cells, mixed
types, NaN, unicode), random label shapes (BPIC-style ``X APPROVED by ROLE``, Chinese
decision words, free text), one-event cases, ties, unordered rows and timestamps in
several zones, and steps that only approve or only reject; each is read and analysed
whole (report, what-if on a step, every rendering). Histories built in memory cover
attributes the file formats cannot hold (NaN numbers, infinities).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.analytics_schemas import ReportOut, WhatIfOut
from engine.analytics.calendar import WorkingCalendar
from engine.analytics.html import to_html
from engine.analytics.judge import Thresholds
from engine.analytics.logs import LogInvalid, read_log
from engine.analytics.mapping import LabelMapping
from engine.analytics.model import Case, History, Visit, case_outcome
from engine.analytics.render import to_csv, to_markdown
from engine.analytics.report import Settings, analyse
from engine.analytics.whatif import Skip, WhatIfInvalid, what_if

# Modest CI time: a hundred examples each, no per-example deadline (the machine is shared).
PROFILE = settings(max_examples=100, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
T0 = dt.datetime(2024, 3, 4, 9, 0, tzinfo=dt.UTC).timestamp()
# Small thresholds so that tiny logs still reach the judgments and the learned conditions.
SMALL = Settings(Thresholds(min_decisions=2, max_stop_rate=0.8),
                 calendar=WorkingCalendar("CN", "Asia/Shanghai"))

LABELS = st.one_of(
    st.sampled_from(["Permit APPROVED by SUPERVISOR", "Permit REJECTED by SUPERVISOR",
                     "Permit FINAL_APPROVED by DIRECTOR", "Request RETURNED by ADMIN",
                     "Declaration REJECTED by EMPLOYEE", "Declaration SUBMITTED by EMPLOYEE",
                     "经理 同意", "经理 驳回", "财务 退回", "Manager OK", "Manager declined",
                     "only approve APPROVED by X", "only reject REJECTED by Y"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1,
            max_size=12).filter(lambda s: s.strip() == s and s != ""),
)
ZONES = st.sampled_from(["Z", "+08:00", "-05:00", "+05:45", "+00:00"])
ATTR = st.one_of(
    st.none(),
    st.integers(-10**6, 10**6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["nan", "NaN", "inf", "", "ops", "sales", "销售", "0", "-0.0", "1e308"]),
    st.text(max_size=6),
)


@st.composite
def csv_logs(draw: Any) -> tuple[str, str | None]:
    """(CSV text, a step name or None) with a single zone style per file (the careful
    reader takes mixed styles too; Arrow does not, and falls back to it)."""
    zone = draw(ZONES)
    naive = draw(st.booleans())
    attrs = draw(st.lists(st.sampled_from(["amount", "dept", "variant-index", "Trace ID",
                                           "金额", "x"]), max_size=3, unique=True))
    n_cases = draw(st.integers(1, 12))
    rows: list[list[str]] = []
    label_seen: str | None = None
    for c in range(n_cases):
        n_events = draw(st.integers(1, 6))
        case_attrs = [draw(ATTR) for _ in attrs]
        for _ in range(n_events):
            minutes = draw(st.integers(0, 60 * 24 * 40))  # ties and any order
            t = dt.datetime.fromtimestamp(T0 + 60 * minutes, dt.UTC).replace(tzinfo=None)
            stamp = t.isoformat() + ("" if naive else zone)
            label = draw(LABELS)
            label_seen = label_seen or label
            rows.append([f"c{c}", label, stamp, draw(st.sampled_from(["", "ann", "王伟"])),
                         *[a or "" for a in case_attrs]])
    rows = draw(st.permutations(rows))
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["case:concept:name", "concept:name", "time:timestamp", "org:resource",
                *[f"case:{a}" for a in attrs]])
    w.writerows(rows)
    return out.getvalue(), label_seen


def _whole(history: History, step: str | None) -> dict[str, Any]:
    report = analyse(history, SMALL)
    ReportOut.model_validate(report)  # every key declared, every type right
    json.dumps(report, allow_nan=False)  # strict JSON: no NaN or infinity leaks out
    to_markdown(report)
    to_csv(report)
    to_html(report)
    steps = [s["step"] for s in report["steps"]]
    target = step if step in steps else steps[0]
    out = what_if(history, [target])
    WhatIfOut.model_validate(out)
    for f in report["candidates"] + report["not_flagged"]:
        for cond in [r["condition"] for r in f.get("remedies", []) if r["condition"]] + (
                [f["skip_if"]["condition"]] if f.get("skip_if") else []):
            what_if(history, skip=[Skip(f["step"], cond)])  # a learned rule replays
    return report


@PROFILE
@given(csv_logs())
def test_any_csv_log_gives_a_report_or_names_the_line(log: tuple[str, str | None]) -> None:
    text, label = log
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "log.csv"
        path.write_text(text, encoding="utf-8")
        try:
            history = read_log(path, LabelMapping())
        except LogInvalid as exc:
            assert "log.csv" in str(exc)
            return
        step = LabelMapping().map(label)[0] if label else None
        report = _whole(history, step)
    assert report["summary"]["cases"] == len(history.cases)


NUMBER = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                   st.integers(-1000, 1000).map(float), st.sampled_from([1.0, 2.0, 500.0]))
VALUE = st.one_of(NUMBER, st.text(max_size=5), st.sampled_from(["ops", "sales", "财务"]))


@st.composite
def histories(draw: Any) -> History:
    """Histories whose steps only approve, only reject, or both; random attributes of
    mixed types per case (including NaN and infinities); one-visit cases; ties."""
    kinds = {"only_yes": ["approve"], "only_no": ["reject"],
             "both": ["approve", "approve", "reject", "return", "other"],
             "notice": ["other"]}
    keys = draw(st.lists(st.sampled_from(["amount", "dept", "variant_index", "n", "区域"]),
                         max_size=3, unique=True))
    cases: dict[str, Case] = {}
    visits: list[Visit] = []
    for i in range(draw(st.integers(1, 80))):
        cid = f"r{i}"
        t = T0 + draw(st.integers(0, 90)) * 86400.0
        start = t
        mine: list[Visit] = []
        for step in draw(st.lists(st.sampled_from(sorted(kinds)), min_size=1, max_size=4)):
            wait = float(draw(st.sampled_from([0, 1, 30, 600, 86400, 5 * 86400])))
            outcome = draw(st.sampled_from(kinds[step]))
            mine.append(Visit(cid, step, t, t + wait, outcome,  # type: ignore[arg-type]
                              draw(st.sampled_from([None, "a", "b"])),
                              draw(st.sampled_from([None, True, False]))))
            t += wait
        attrs = {k: draw(VALUE) for k in keys if draw(st.booleans())}
        cases[cid] = Case(cid, start, t, case_outcome(mine), attrs)
        visits.extend(mine)
    visits.sort(key=lambda v: (v.case_id, v.decided_at))
    return History(cases, tuple(visits), "generated")


@PROFILE
@given(histories())
def test_any_history_gives_a_consistent_report(history: History) -> None:
    report = _whole(history, None)
    for c in report["candidates"]:
        saving = c["saving"]
        before, after = saving["mean_cycle_before_s"], saving["mean_cycle_after_s"]
        assert math.isclose(saving["cycle_time_removed_per_request_s"], before - after,
                            abs_tol=2e-3)
        w = what_if(history, [c["step"]])
        assert math.isclose(w["cycle_time_saved_seconds"],
                            saving["cycle_time_removed_per_request_s"], abs_tol=2e-3)
        assert math.isclose(w["baseline"]["mean_cycle_s"] - w["scenario"]["mean_cycle_s"],
                            w["cycle_time_saved_seconds"], abs_tol=2e-3)
        assert c["out_of_time"]["status"] != "did_not_hold"


def test_a_step_no_stopped_request_carries_the_attribute_of_is_learned_without_crash(
) -> None:
    """The crash of the issue: the stopped requests lack the numeric attribute."""
    from engine.analytics.conditions import learn_skip_condition

    visits, cases = [], {}
    for i in range(60):
        cid = f"r{i}"
        out = "reject" if i % 10 == 0 else "approve"
        v = Visit(cid, "check", T0, T0 + 60, out)  # type: ignore[arg-type]
        visits.append(v)
        attrs = {} if out == "reject" else {"amount": float(i)}
        cases[cid] = Case(cid, T0, T0 + 60, case_outcome([v]), attrs)
    h = History(cases, tuple(visits), "t")
    assert learn_skip_condition(h, "check") is None
    analyse(h, SMALL)


def test_a_bad_timestamp_is_refused_with_its_line() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bad.csv"
        path.write_text("case,activity,timestamp\nc1,a,2024-01-01T00:00:00\n"
                        "c1,b,yesterday\n", encoding="utf-8")
        try:
            read_log(path, LabelMapping())
        except LogInvalid as exc:
            assert "bad.csv:3" in str(exc) and "yesterday" in str(exc)
        else:
            raise AssertionError("a bad timestamp was read")


def test_what_if_refuses_an_unknown_step_clearly() -> None:
    h = History({"c": Case("c", T0, T0 + 1, "approved")},
                (Visit("c", "a", T0, T0 + 1, "approve"),), "t")
    try:
        what_if(h, ["nope"])
    except WhatIfInvalid as exc:
        assert "nope" in str(exc)
    else:
        raise AssertionError("an unknown step was replayed")


@st.composite
def gated(draw: Any) -> History:
    """One step that stops some requests; attributes from small pools (so conditions
    are learned), with NaN, missing values and mixed types mixed in."""
    n = draw(st.integers(20, 160))
    cases: dict[str, Case] = {}
    visits: list[Visit] = []
    for i in range(n):
        cid = f"r{i:03d}"
        amount = draw(st.one_of(st.sampled_from([10.0, 200.0, 999.0, 5000.0, 1e6]),
                                st.just(math.nan), st.just("n/a")))
        dept = draw(st.sampled_from(["ops", "sales", "财务"]))
        big = isinstance(amount, float) and amount > 900
        out = "reject" if big and draw(st.integers(0, 3)) == 0 else "approve"
        start = T0 + 3600.0 * i
        v = Visit(cid, "review", start, start + 600, out)  # type: ignore[arg-type]
        attrs: dict[str, str | float] = {"dept": dept}
        if draw(st.integers(0, 9)):
            attrs["amount"] = amount
        cases[cid] = Case(cid, start, start + 600, case_outcome([v]), attrs)
        visits.append(v)
    return History(cases, tuple(visits), "gated")


@PROFILE
@given(gated())
def test_a_learned_rule_covers_only_clean_earlier_requests_and_its_check_adds_up(
        history: History) -> None:
    from engine.analytics.conditions import holds

    report = analyse(history, Settings(calendar=None))
    ReportOut.model_validate(report)
    (row,) = [r for r in report["candidates"] + report["not_flagged"] if r["step"] == "review"]
    rule = row.get("skip_if") or next(
        (m for m in row.get("remedies", []) if m["action"] == "skip_if"), None)
    if rule is None:
        return
    check = rule["out_of_time"]
    ordered = sorted(history.cases.values(), key=lambda c: c.start)
    cut = check["learned_on"]["requests"]
    early, late = ordered[:cut], ordered[cut:]
    attr, op, raw = rule["condition"].split(" ", 2)
    value: str | float = raw.strip("'") if op == "==" else float(raw)
    from engine.analytics.conditions import SkipCondition
    from engine.analytics.stats import wilson

    cond = SkipCondition(attr, op, value, 0, 0, wilson(0, 0))
    covered_early = [c for c in early if holds(cond, c.attributes.get(attr))]
    assert covered_early and all(c.outcome == "approved" for c in covered_early)
    covered_late = [c for c in late if holds(cond, c.attributes.get(attr))]
    assert check["let_through"] == len(covered_late)
    assert check["stopped"] == sum(c.outcome == "rejected" for c in covered_late)
    assert check["status"] != "did_not_hold"  # such a rule is not proposed
