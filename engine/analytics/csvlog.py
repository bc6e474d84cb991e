"""CSV event logs with configurable columns.

Defaults follow the usual export of process-mining tools: ``case:concept:name``,
``concept:name``, ``time:timestamp``, ``org:resource`` (and ``lifecycle:transition`` if
present); any column may be named instead. Columns named ``case:X`` or ``(case)_X``
become case attribute ``X``. An optional outcome column (approve/approved,
reject/rejected, return/returned, other, or a decision word such as OK, declined, 同意,
驳回) overrides the outcome read from the activity label; a blank cell leaves it.
Timestamps are ISO 8601; a timestamp without a zone is taken as UTC.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO, cast

from engine.analytics.logs import LogInvalid, Progress, RawLog, attr_value
from engine.analytics.mapping import LabelMapping
from engine.analytics.model import Outcome

_OUTCOMES: dict[str, Outcome] = {
    "approve": "approve", "approved": "approve", "reject": "reject", "rejected": "reject",
    "return": "return", "returned": "return", "": "other", "other": "other",
}
_REPORT_EVERY = 20000


def read_csv(path: Path, progress: Progress | None = None, *, case: str | None = None,
             activity: str | None = None, timestamp: str | None = None,
             resource: str | None = None, outcome: str | None = None,
             delimiter: str | None = None, words: LabelMapping | None = None) -> RawLog:
    total = path.stat().st_size
    with path.open("rb") as fh:
        binary = cast(IO[bytes], gzip.GzipFile(fileobj=fh) if path.name.endswith(".gz") else fh)
        text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
        reader = csv.reader(text, delimiter=delimiter or ",")
        try:
            header = next(reader)
        except StopIteration:
            raise LogInvalid(f"{path}: empty file") from None
        cols = _columns(path, header, case, activity, timestamp, resource, outcome)
        raw = _rows(path, reader, header, cols,
                    lambda: progress(fh.tell(), total) if progress else None, words)
    if progress:
        progress(total, total)
    return raw


def _columns(path: Path, header: list[str], case: str | None, activity: str | None,
             timestamp: str | None, resource: str | None, outcome: str | None
             ) -> dict[str, int | None]:
    def find(name: str | None, defaults: tuple[str, ...], what: str, required: bool) -> int | None:
        names = (name,) if name else defaults
        for n in names:
            if n in header:
                return header.index(n)
        if required or name:
            raise LogInvalid(f"{path}:1: no {what} column {' or '.join(map(repr, names))} "
                             f"in header {header}")
        return None

    return {
        "case": find(case, ("case:concept:name", "case", "case_id"), "case", True),
        "activity": find(activity, ("concept:name", "activity"), "activity", True),
        "timestamp": find(timestamp, ("time:timestamp", "timestamp"), "timestamp", True),
        "resource": find(resource, ("org:resource", "resource"), "resource", False),
        "outcome": find(outcome, ("outcome",), "outcome", False),
        "lifecycle": find(None, ("lifecycle:transition",), "lifecycle", False),
    }


def outcome_of(cell: str, words: LabelMapping | None) -> Outcome | None:
    """The outcome an outcome cell names: approve/reject/return (any tense), blank or
    other, or one of the decision words ("OK", "declined", "同意", "驳回")."""
    key = cell.strip().lower()
    given = _OUTCOMES.get(key)
    if given is None and words is not None:
        given = words.outcome_word(key)
    return given


def _rows(path: Path, reader: Iterator[list[str]], header: list[str], cols: dict[str, int | None],
          tick: object, words: LabelMapping | None = None) -> RawLog:
    raw = RawLog()
    ci, ai, ti = cols["case"], cols["activity"], cols["timestamp"]
    assert ci is not None and ai is not None and ti is not None
    ri, oi, li = cols["resource"], cols["outcome"], cols["lifecycle"]
    attr_cols = [(i, h.split(":", 1)[1] if h.startswith("case:") else h[7:])
                 for i, h in enumerate(header)
                 if i != ci and (h.startswith("case:") or h.startswith("(case)_"))]
    width = len(header)
    events = raw.events
    first_cells: dict[str, list[str]] = {}
    parse = dt.datetime.fromisoformat
    utc = dt.UTC
    for pos, row in enumerate(reader):
        if len(row) != width:
            if not row:
                continue
            raise LogInvalid(f"{path}:{pos + 2}: {len(row)} fields, header has {width}")
        if li is not None and row[li] and row[li].lower() != "complete":
            raw.skipped += 1
            continue
        case_id = row[ci]
        try:
            t = parse(row[ti])
        except ValueError:
            raise LogInvalid(f"{path}:{pos + 2}: bad timestamp {row[ti]!r} "
                             "(expected ISO 8601)") from None
        ts = (t if t.tzinfo is not None else t.replace(tzinfo=utc)).timestamp()
        given: Outcome | None = None
        if oi is not None:
            given = outcome_of(row[oi], words) if row[oi].strip() else None
            if given is None and row[oi].strip():
                raise LogInvalid(f"{path}:{pos + 2}: unknown outcome {row[oi]!r} (expected "
                                 f"one of {sorted(k for k in _OUTCOMES if k)} or a decision "
                                 "word: --approve-words, --reject-words, --return-words)")
        evs = events.get(case_id)
        if evs is None:
            evs = events[case_id] = []
            if attr_cols:
                raw.attributes[case_id] = {k: attr_value(row[i]) for i, k in attr_cols if row[i]}
                first_cells[case_id] = [row[i] for i, _ in attr_cols]
        elif attr_cols:
            # a value set or changed after the case's first row was not known when the
            # request was submitted: no learned condition may use it (leakage.py)
            for (i, k), cell in zip(attr_cols, first_cells[case_id], strict=True):
                if row[i] != cell:
                    raw.late.add(k)
        evs.append((ts, pos, row[ai], (row[ri] or None) if ri is not None else None, given))
        if not pos % _REPORT_EVERY and callable(tick):
            tick()
    raw.read = sum(map(len, events.values()))
    return raw
