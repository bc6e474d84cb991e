"""Would the warnings have been right? Replay the history and score them.

At every entry of a finished request into an approval step, predict its finish using
only the requests that had *finished before that moment* (``Learned`` grows in time
order; a request is added once its finish is in the past), and the form data and path
it had then. Then compare with what happened:

- a request *missed* its deadline when it finished after it (approved or rejected;
  withdrawn and cancelled requests are left out: nobody waited for them);
- it was *warned* when a prediction made before the deadline was at risk: its chance of
  missing the deadline (the share of simulated futures finishing after it) reached the
  process's threshold, itself chosen from the requests finished before that moment
  (``predict.choose_warn_chance``: the highest threshold that would have caught
  ``TARGET_RECALL`` of their misses). This is the deadline part of "at risk"; the SLA
  part warns about a task, not about the request's deadline. The rule "the 80th
  percentile passes the deadline" is scored next to it;
- precision = missed among warned, recall = warned among missed, lead time = working
  days from the first warning to the deadline (median over the warned misses);
- calibration = the share of predictions whose request finished by the predicted 80th
  percentile (near 0.8 when the spread is honest).

The baseline in the same run is today's overdue flag: a request counts as warned when one
of its tasks passed its due time while it was still open, before the deadline.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.analytics.calendar import WorkingCalendar
from engine.analytics.predict import (
    CHANCE_GRID,
    DRAWS,
    LEVELS,
    Learned,
    choose_warn_chance,
    predict_trace,
)
from engine.analytics.traces import Trace
from engine.core.deadline import deadline_of
from engine.core.definition import ProcessDefinition

Progress = Callable[[int, int], None]
EVALUATED = frozenset({"approved", "rejected"})


@dataclass
class CaseResult:
    key: str
    case_id: str
    deadline: float | None
    finished_at: float
    warned_at: float | None = None  # first at-risk prediction before the deadline
    overdue_at: float | None = None  # baseline: first overdue task before the deadline
    # quantile -> first prediction before the deadline whose quantile finish passed it
    warned_by: dict[float, float] = field(default_factory=dict)
    # (when, predicted p80, made at a step entry)
    predictions: list[tuple[float, float, bool]] = field(default_factory=list)
    # (when, chance of missing the deadline) of each prediction before the deadline
    chances: list[tuple[float, float]] = field(default_factory=list)
    warned_threshold: float | None = None  # the process's threshold when first warned

    @property
    def missed(self) -> bool:
        return self.deadline is not None and self.finished_at > self.deadline

    @property
    def outcome(self) -> tuple[float, bool]:
        """What the at-risk threshold is chosen from (``predict.choose_warn_chance``):
        the highest chance of missing the deadline predicted before it, and whether it
        missed."""
        return max((c for _, c in self.chances), default=0.0), self.missed


def _deadline(defn: ProcessDefinition, trace: Trace, t: float,
              cal: WorkingCalendar) -> float | None:
    from datetime import UTC, datetime

    found = deadline_of(defn.deadline, trace.data_at(t), datetime.fromtimestamp(
        trace.started_at, UTC), cal)
    return found.timestamp() if found is not None else None


def _mornings(trace: Trace, cal: WorkingCalendar) -> list[float]:
    """The start of each working day while the request ran (the worker's refresh)."""
    from datetime import datetime, timedelta

    assert trace.finished_at is not None
    day = datetime.fromtimestamp(trace.started_at, cal.tzinfo).date() + timedelta(days=1)
    out: list[float] = []
    while True:
        t = datetime.combine(day, cal.start, cal.tzinfo).timestamp()
        if t >= trace.finished_at:
            return out
        if cal.is_working_day(day):
            out.append(t)
        day += timedelta(days=1)


_ENTRY, _REFRESH, _LEARN = 0, 1, 2  # at one moment: predict first, learn after


def replay(definitions: Mapping[tuple[str, int], ProcessDefinition], traces: Iterable[Trace],
           calendar: WorkingCalendar, *, draws: int = DRAWS, refresh: bool = True,
           progress: Progress | None = None) -> list[CaseResult]:
    """Predict at every approval-step entry of every finished request (and, with
    ``refresh``, at the start of every working day it ran: the worker's periodic
    recomputation), learning only from requests finished strictly before each
    prediction."""
    done = [t for t in traces if t.finished_at is not None]
    timeline: list[tuple[float, int, int]] = []  # (time, what, trace index)
    for i, tr in enumerate(done):
        assert tr.finished_at is not None
        timeline.append((tr.finished_at, _LEARN, i))
        if tr.outcome in EVALUATED:
            defn = definitions[(tr.key, tr.version)]
            timeline += [(e.at, _ENTRY, i) for e in tr.entries
                         if e.at < tr.finished_at and defn.nodes[e.node].kind == "approval"]
            if refresh:
                timeline += [(t, _REFRESH, i) for t in _mornings(tr, calendar)]
    timeline.sort()
    learned: dict[str, Learned] = {}
    past: dict[str, list[tuple[float, bool]]] = {}  # per process: (highest chance, missed)
    results: dict[int, CaseResult] = {}
    total = sum(1 for _, kind, _ in timeline if kind != _LEARN)
    count = 0
    for t, kind, i in timeline:
        tr = done[i]
        defn = definitions[(tr.key, tr.version)]
        model = learned.setdefault(tr.key, Learned(calendar))
        if kind == _LEARN:
            model.add(defn, tr)
            done_res = results.get(i)
            if done_res is not None and done_res.deadline is not None:
                # the at-risk threshold is chosen again from the requests finished so far
                seen = past.setdefault(tr.key, [])
                seen.append(done_res.outcome)
                model.warn_chance = choose_warn_chance(seen)
            continue
        count += 1
        if progress is not None and (count % 500 == 0 or count == total):
            progress(count, total)
        res = results.get(i) or _result(results, i, defn, tr, calendar)
        pred = predict_trace(defn, model, tr, t, _deadline(defn, tr, t, calendar),
                             draws=draws)
        if pred is None:
            continue
        res.predictions.append((t, pred.p80.timestamp(), kind == _ENTRY))
        if pred.deadline_risk and res.warned_at is None:
            res.warned_at = t
            res.warned_threshold = model.warn_chance
        if res.deadline is not None and t < res.deadline:
            if pred.miss_chance is not None:
                res.chances.append((t, pred.miss_chance))
            for q, finish in pred.levels:
                if finish > res.deadline and q not in res.warned_by:
                    res.warned_by[q] = t
    return [results[i] for i in sorted(results)]


def _result(results: dict[int, CaseResult], i: int, defn: ProcessDefinition, tr: Trace,
            cal: WorkingCalendar) -> CaseResult:
    assert tr.finished_at is not None
    final = _deadline(defn, tr, tr.finished_at, cal)
    res = results[i] = CaseResult(tr.key, tr.case_id, final, tr.finished_at)
    late = tr.overdue_at()
    if late is not None and (final is None or late < final) and late < tr.finished_at:
        res.overdue_at = late
    return res


def _scores(rows: list[CaseResult], warned: Callable[[CaseResult], float | None],
            cal: WorkingCalendar) -> dict[str, Any]:
    judged = [r for r in rows if r.deadline is not None]
    missed = [r for r in judged if r.missed]
    flagged = [r for r in judged if warned(r) is not None]
    hits = [r for r in flagged if r.missed]
    leads = [cal.business_seconds(warned(r) or 0.0, r.deadline or 0.0) / cal.day_seconds
             for r in hits]
    return {
        "requests": len(judged), "missed": len(missed), "warned": len(flagged),
        "hits": len(hits),
        "precision": len(hits) / len(flagged) if flagged else None,
        "recall": len(hits) / len(missed) if missed else None,
        "lead_days_median": statistics.median(leads) if leads else None,
    }


def _share(pairs: list[tuple[float, float]]) -> float | None:
    """The share of (p80, finish) pairs that finished by the p80."""
    return sum(1 for p80, end in pairs if end <= p80) / len(pairs) if pairs else None


def _by_level(q: float) -> Callable[[CaseResult], float | None]:
    return lambda r: r.warned_by.get(q)


def _by_chance(c: float) -> Callable[[CaseResult], float | None]:
    return lambda r: next((t for t, chance in r.chances if chance >= c), None)


def score(rows: list[CaseResult], cal: WorkingCalendar) -> dict[str, Any]:
    """The scores of the predictor and of the overdue baseline, overall and per process."""
    def block(part: list[CaseResult]) -> dict[str, Any]:
        preds = [(p80, r.finished_at, entry) for r in part for _, p80, entry in r.predictions]
        at_entry = [(p, e) for p, e, entry in preds if entry]
        return {
            "predictor": {**_scores(part, lambda r: r.warned_at, cal),
                          "predictions": len(preds),
                          "calibration_p80": _share(at_entry),
                          "calibration_p80_all": _share([(p, e) for p, e, _ in preds])},
            "p80_rule": _scores(part, _by_level(0.8), cal),
            "overdue_flag": _scores(part, lambda r: r.overdue_at, cal),
        }

    keys = sorted({r.key for r in rows})
    sweep = {f"p{round(q * 100)}": _scores(rows, _by_level(q), cal) for q in LEVELS}
    fixed = {f"chance>={c:.2f}": _scores(rows, _by_chance(c), cal)
             for c in CHANCE_GRID if round(c * 20) % 2 == 0}
    return {"all": block(rows), "processes": {k: block([r for r in rows if r.key == k])
                                              for k in keys}, "rules": sweep,
            "fixed_chance": fixed,
            "thresholds": {k: _last_threshold([r for r in rows if r.key == k]) for k in keys}}


def _last_threshold(part: list[CaseResult]) -> float | None:
    """The threshold the process would use after its whole history (as the backtest
    chose it online, from the requests finished before)."""
    past = [r.outcome for r in sorted(part, key=lambda r: r.finished_at)
            if r.deadline is not None]
    return choose_warn_chance(past) if past else None


@dataclass(frozen=True, slots=True)
class Threshold:
    """A process's at-risk threshold chosen from its finished requests."""

    warn_chance: float
    misses: int  # requests that missed their deadline among them
    judged: int  # requests with a deadline among them


def thresholds(definitions: Mapping[tuple[str, int], ProcessDefinition],
               traces: Iterable[Trace], calendar: WorkingCalendar, *, draws: int = DRAWS
               ) -> dict[str, Threshold]:
    """The at-risk threshold each process uses after the finished requests of ``traces``:
    the backtest's replay (predictions at each step entry and working morning from the
    requests finished before) and its choice (``choose_warn_chance``), so the live
    forecast warns by the rule the backtest scores. Processes without a request with a
    deadline are left out (they use ``WARN_CHANCE``)."""
    rows = replay(definitions, traces, calendar, draws=draws)
    out: dict[str, Threshold] = {}
    for key in sorted({r.key for r in rows}):
        part = [r for r in rows if r.key == key and r.deadline is not None]
        chosen = _last_threshold(part)
        if chosen is not None:
            out[key] = Threshold(chosen, sum(1 for r in part if r.missed), len(part))
    return out


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def to_markdown(scores: dict[str, Any]) -> str:
    """The backtest as Markdown tables: predictor against the overdue flag, overall and
    per process, then the warning rule at other quantiles."""
    head = ("| process | method | requests | missed | warned | precision | recall | "
            "lead (working days, median) | calibration (finished by p80) |")
    lines = ["## Backtest: at-risk warnings against real deadline misses", "", head,
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    parts = [("all", scores["all"]), *scores["processes"].items()]
    for name, block in parts:
        for method, label in (("predictor", "at risk (chosen threshold)"),
                              ("p80_rule", "p80 passes deadline"),
                              ("overdue_flag", "overdue flag")):
            s = block[method]
            lines.append(f"| {name} | {label} | {s['requests']} | {s['missed']} | "
                         f"{s['warned']} | {_fmt(s['precision'])} | {_fmt(s['recall'])} | "
                         f"{_fmt(s['lead_days_median'], 1)} | "
                         f"{_fmt(s.get('calibration_p80'))} |")
    lines += ["", "At-risk threshold per process (the chance of missing the deadline that "
              "warns), as chosen at the end of the replay: " + ", ".join(
                  f"{k} {_fmt(v)}" for k, v in scores.get("thresholds", {}).items()),
              "", "Other warning rules, for comparison (warned when that quantile of the "
              "predicted finish passes the deadline, or when the chance of missing it "
              "reaches a fixed value):", "",
              "| rule | warned | precision | recall | lead (working days, median) |",
              "| --- | ---: | ---: | ---: | ---: |"]
    for rule, s in [*scores["rules"].items(), *scores.get("fixed_chance", {}).items()]:
        lines.append(f"| {rule} | {s['warned']} | {_fmt(s['precision'])} | "
                     f"{_fmt(s['recall'])} | {_fmt(s['lead_days_median'], 1)} |")
    return "\n".join(lines) + "\n"

__all__ = ["EVALUATED", "CaseResult", "Threshold", "replay", "score", "thresholds",
           "to_markdown"]
