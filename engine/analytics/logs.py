"""External event logs: the raw form shared by the XES and CSV readers, and its
conversion into a :class:`~engine.analytics.model.History`.

Conventions follow the PM4Py references in ``../shared/data``: events are ordered per
case by (timestamp, position in the file), ties kept in file order; the arrival time of
an event is the timestamp of the previous event of its case ("wait before"), unknown
for a case's first event.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from engine.analytics.mapping import LabelMapping
from engine.analytics.model import AttrValue, Case, History, Outcome, Visit
from engine.core.errors import AnalysisInvalid

# (timestamp, position in file, activity, resource, outcome given by the log or None)
RawEvent = tuple[float, int, str, str | None, Outcome | None]
Progress = Callable[[int, int], None]  # (bytes read, total bytes)

_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


class LogInvalid(AnalysisInvalid):
    """An event log that cannot be read; the message says where and why."""


@dataclass
class RawLog:
    events: dict[str, list[RawEvent]] = field(default_factory=dict)
    attributes: dict[str, dict[str, AttrValue]] = field(default_factory=dict)
    read: int = 0
    skipped: int = 0  # events with another lifecycle transition than complete
    late: set[str] = field(default_factory=set)  # attributes set or changed mid-case


def attr_value(text: str, numeric: bool = False) -> AttrValue:
    """An attribute as a float when it is a plain number, else the text."""
    if numeric or _NUMBER.match(text):
        try:
            return float(text)
        except ValueError:
            return text
    return text


def to_history(raw: RawLog, mapping: LabelMapping, source: str = "") -> History:
    """Sort each case's events and turn them into visits (single pass per case)."""
    cases: dict[str, Case] = {}
    visits: list[Visit] = []
    add = visits.append
    mapper = mapping.map
    labels: dict[str, tuple[str, Outcome]] = {}
    new = tuple.__new__  # a million visits: skip the named tuple's Python-level __new__
    ended = {"approve": "approved", "reject": "rejected", "return": "returned"}
    attributes = raw.attributes
    groups: dict[str, list[Visit]] = {}
    for case_id, evs in raw.events.items():
        evs.sort()  # by (timestamp, position in file): positions are unique
        prev: float | None = None
        outcome_of_case = "other"
        first = len(visits)
        for ts, _pos, act, res, given in evs:
            hit = labels.get(act)
            if hit is None:
                hit = labels[act] = mapper(act)
            step, outcome = hit
            if given:
                outcome = given
            add(new(Visit, (case_id, step, prev, ts, outcome, res, None, act)))
            outcome_of_case = ended.get(outcome, outcome_of_case)
            prev = ts
        cases[case_id] = new(Case, (case_id, evs[0][0], evs[-1][0], outcome_of_case,
                                    attributes.get(case_id, {})))
        groups[case_id] = visits[first:]
    return History(cases, tuple(visits), source, _by_case=groups,
                   late_attributes=frozenset(raw.late))


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while millions of tuples are made: each
    generation-0 pass would rescan the growing heap (superlinear: a million-event log
    took twice as long with it on). These records hold no reference cycles;
    reference counting frees them as usual."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def read_log(path: Path, mapping: LabelMapping, progress: Progress | None = None,
             **csv_options: str | None) -> History:
    """Read an XES (``.xes``, ``.xes.gz``) or CSV (``.csv``, ``.csv.gz``) log."""
    with paused_gc():
        try:
            return _read_log(path, mapping, progress, **csv_options)
        except UnicodeDecodeError as exc:
            raise LogInvalid(f"{path}: not UTF-8 text ({exc.reason})") from None


def _read_log(path: Path, mapping: LabelMapping, progress: Progress | None,
              **csv_options: str | None) -> History:
    from engine.analytics.csvlog import read_csv
    from engine.analytics.xes import read_xes

    name = path.name.lower()
    if not path.is_file():
        raise LogInvalid(f"{path}: no such file")
    if name.endswith((".xes", ".xes.gz")):
        if csv_options and any(csv_options.values()):
            raise LogInvalid(f"{path}: column options apply to CSV logs only")
        raw = read_xes(path, progress)
    elif name.endswith((".csv", ".csv.gz")):
        from engine.analytics.csvfast import read_csv_columns

        if progress:
            progress(0, path.stat().st_size)
        fast = read_csv_columns(path, mapping, **csv_options)
        if fast is not None:
            if progress:
                progress(path.stat().st_size, path.stat().st_size)
            return fast
        raw = read_csv(path, progress, words=mapping, **csv_options)
    else:
        raise LogInvalid(f"{path}: unknown log format (expected .xes, .xes.gz, .csv or .csv.gz)")
    if not raw.events:
        raise LogInvalid(f"{path}: no events")
    return to_history(raw, mapping, source=path.name)
