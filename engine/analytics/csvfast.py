"""The columnar CSV reader: Arrow's multithreaded CSV parser straight into
:class:`~engine.analytics.columns.Columns`, no per-event Python object.

Same columns, defaults, conventions and result as ``csvlog.read_csv`` + ``logs.to_history``
(tests check that the reports are identical). Whenever the file is not plainly well
formed (a bad timestamp, a short row, an unknown outcome...), or pyarrow is missing, it
returns None and the careful reader reads the file and says where and why it fails.
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path
from typing import Any

import numpy as np

from engine.analytics.columns import OUTCOMES, CaseTable, Columns, first_rows
from engine.analytics.csvlog import _columns, outcome_of
from engine.analytics.mapping import LabelMapping
from engine.analytics.model import History


def _header(path: Path, delimiter: str) -> list[str]:
    with path.open("rb") as fh:
        binary = gzip.GzipFile(fileobj=fh) if path.name.endswith(".gz") else fh
        text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
        return next(csv.reader(text, delimiter=delimiter), [])


def read_csv_columns(path: Path, mapping: LabelMapping, *, case: str | None = None,
                     activity: str | None = None, timestamp: str | None = None,
                     resource: str | None = None, outcome: str | None = None,
                     delimiter: str | None = None) -> History | None:
    try:
        import pyarrow as pa
        import pyarrow.csv as pcsv
    except ImportError:
        return None
    header = _header(path, delimiter or ",")
    if not header or len(set(header)) != len(header):
        return None
    cols = _columns(path, header, case, activity, timestamp, resource, outcome)
    name = {k: header[i] for k, i in cols.items() if i is not None}
    attrs = [(h, h.split(":", 1)[1] if h.startswith("case:") else h[7:]) for h in header
             if h != name["case"] and (h.startswith("case:") or h.startswith("(case)_"))]
    wanted = list(dict.fromkeys([*name.values(), *(h for h, _ in attrs)]))
    table = None
    # Text columns are read dictionary-encoded (each chunk's codes and distinct values,
    # no string per row); timestamps with a zone offset, else all without one (taken as
    # UTC, as read_csv does); a mix, or anything else Arrow refuses, goes to the careful
    # reader.
    for ts_type in (pa.timestamp("us", tz="UTC"), pa.timestamp("us")):
        types = {h: pa.dictionary(pa.int32(), pa.string()) for h in wanted}
        types[name["timestamp"]] = ts_type
        try:
            table = pcsv.read_csv(
                path, parse_options=pcsv.ParseOptions(delimiter=delimiter or ","),
                convert_options=pcsv.ConvertOptions(column_types=types, include_columns=wanted,
                                                    strings_can_be_null=False))
            break
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError, ValueError):
            continue
    if table is None or table.num_rows == 0 or table.column(name["timestamp"]).null_count:
        return None
    table = table.unify_dictionaries()  # one list of distinct values per column
    keep = None
    if "lifecycle" in name:
        codes, values = _coded(table, name["lifecycle"])
        complete = np.array([v == "" or v.lower() == "complete" for v in values], np.bool_)
        keep = complete[codes]
        if not keep.any():
            return None
    ts = _buffer(table.column(name["timestamp"]).chunks, np.int64) / 1e6
    if keep is not None:
        ts = ts[keep]
    return _history(_Columns(table, keep), ts, name, attrs, mapping, path.name)


def _buffer(arrays: list[Any], dtype: type) -> np.ndarray:
    """Fixed-width Arrow arrays without nulls (a column's chunks) as one numpy array of
    ``dtype``, each data buffer read in place: no per-row conversion, and none of the
    pandas or pyarrow.compute imports that Arrow's own conversions make."""
    size = np.dtype(dtype).itemsize
    parts: list[np.ndarray] = [
        np.frombuffer(a.buffers()[1], dtype, len(a), a.offset * size) for a in arrays if len(a)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype)


def _coded(table: Any, column: str) -> tuple[np.ndarray, list[str]]:
    """A dictionary-encoded column (after ``unify_dictionaries``) as (code per row,
    distinct values)."""
    chunks = table.column(column).chunks
    values = chunks[0].dictionary.to_pylist() if chunks else []
    return _buffer([ch.indices for ch in chunks], np.int32).astype(np.int64), values


class _Columns:
    """The table's dictionary-encoded columns as codes in first-appearance order (the
    order the careful reader meets values in), restricted to the rows kept."""

    def __init__(self, table: Any, keep: np.ndarray | None) -> None:
        self.table, self.keep = table, keep

    def __call__(self, column: str) -> tuple[np.ndarray, list[str]]:
        codes, values = _coded(self.table, column)
        if self.keep is not None:
            codes = codes[self.keep]
        return first_appearance(codes, values)


def first_appearance(codes: np.ndarray, values: list[str]) -> tuple[np.ndarray, list[str]]:
    """Codes renumbered so that values are numbered in the order rows first use them,
    values no row uses dropped (as encoding the rows afresh would)."""
    first = first_rows(codes, len(values))
    if first[-1] < len(codes) and (first[1:] > first[:-1]).all():
        return codes, values  # already: each new value is the next number
    used = np.flatnonzero(first < len(codes))
    order = used[np.argsort(first[used])]
    renumber = np.empty(len(values), np.int64)
    renumber[order] = np.arange(len(order))
    return renumber[codes], [values[k] for k in order.tolist()]


def _history(encoded: _Columns, ts: np.ndarray, name: dict[str, str],
             attrs: list[tuple[str, str]], mapping: LabelMapping, source: str
             ) -> History | None:
    case_file, case_ids = encoded(name["case"])
    act_file, labels = encoded(name["activity"])
    n = len(ts)
    order = case_time_order(case_file, ts)
    case, ts, act = (case_file, ts, act_file) if order is None else (
        case_file[order], ts[order], act_file[order])
    steps: dict[str, int] = {}
    label_step = np.empty(len(labels), np.int64)
    label_outcome = np.empty(len(labels), np.int64)
    for i, label in enumerate(labels):
        step, out = mapping.map(label)
        label_step[i] = steps.setdefault(step, len(steps))
        label_outcome[i] = OUTCOMES.index(out)
    outcome = label_outcome[act]
    if "outcome" in name:
        given_codes, given_values = encoded(name["outcome"])
        codes = []
        for v in given_values:
            if not v.strip():
                codes.append(-1)  # a blank cell: the label says, as in read_csv
                continue
            o = outcome_of(v, mapping)
            if o is None:
                return None  # the careful reader names the line
            codes.append(OUTCOMES.index(o))
        given = np.array(codes, np.int64)[_sorted(given_codes, order)]
        outcome = np.where(given >= 0, given, outcome)
    if "resource" in name:
        res_file, resources = encoded(name["resource"])
        res_code = np.arange(len(resources), dtype=np.int64)
        if "" in resources:
            empty = resources.index("")
            res_code[empty] = -1
            res_code[empty + 1:] -= 1
            resources.pop(empty)
        resource = res_code[_sorted(res_file, order)]
    else:
        resources, resource = [], np.full(n, -1, np.int64)
    starts = np.flatnonzero(np.r_[True, case[1:] != case[:-1]])
    arrived = np.r_[np.nan, ts[:-1]]
    arrived[starts] = np.nan
    cols = Columns(steps=list(steps), resources=resources, activities=labels,
                   step=label_step[act], outcome=outcome, arrived=arrived, decided=ts,
                   resource=resource, case=case, case_ids=case_ids,
                   commented=np.full(n, -1, np.int64), activity=act)
    # each case's first row in the file (its attributes are read there)
    first_row = starts if order is None else np.minimum.reduceat(order, starts)
    values = [(key, encoded(h)) for h, key in attrs]
    cases = CaseTable(cols, starts, [(key, codes[first_row], vals)
                                     for key, (codes, vals) in values])
    return History(cases, None, source, columns=cols, case_times=(cases.starts, cases.ends),
                   late_attributes=late_attributes(case_file, first_row, values))


def case_time_order(case: np.ndarray, ts: np.ndarray) -> np.ndarray | None:
    """The rows' order by (case, timestamp, position in the file), or None when the file
    is in that order already (the usual export: each case's events together, in time)."""
    same = case[1:] == case[:-1]
    if (case[1:] >= case[:-1]).all() and (~same | (ts[1:] >= ts[:-1])).all():
        return None
    return np.lexsort((np.arange(len(ts)), ts, case))


def _sorted(codes: np.ndarray, order: np.ndarray | None) -> np.ndarray:
    return codes if order is None else codes[order]


def late_attributes(case_file: np.ndarray, first_row: np.ndarray,
                    values: list[tuple[str, tuple[np.ndarray, list[str]]]]) -> frozenset[str]:
    """Attributes whose cell differs, in some row, from the case's first row: set or
    changed after submission (as ``csvlog`` records them)."""
    return frozenset(key for key, (codes, _) in values
                     if (codes != codes[first_row][case_file]).any())
