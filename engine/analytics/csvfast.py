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

from engine.analytics.columns import APPROVE, OTHER, OUTCOMES, REJECT, RETURN, Columns, per_case_max
from engine.analytics.csvlog import _columns, outcome_of
from engine.analytics.logs import attr_value
from engine.analytics.mapping import LabelMapping
from engine.analytics.model import Case, History

_ENDED = {APPROVE: "approved", REJECT: "rejected", RETURN: "returned"}


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
    # Timestamps with a zone offset, else all without one (taken as UTC, as read_csv does);
    # a mix, or anything else Arrow refuses, goes to the careful reader.
    for ts_type in (pa.timestamp("us", tz="UTC"), pa.timestamp("us")):
        types = {h: pa.string() for h in wanted}
        types[name["timestamp"]] = ts_type
        try:
            table = pcsv.read_csv(
                path, parse_options=pcsv.ParseOptions(delimiter=delimiter or ","),
                convert_options=pcsv.ConvertOptions(column_types=types, include_columns=wanted,
                                                    strings_can_be_null=False))
            break
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError, ValueError):
            continue
    if table is None:
        return None
    if "lifecycle" in name:
        life = np.char.lower(np.asarray(table.column(name["lifecycle"]).to_numpy(), dtype=str))
        table = table.filter(pa.array((life == "") | (life == "complete")))
    if table.num_rows == 0 or table.column(name["timestamp"]).null_count:
        return None
    return _history(table, name, attrs, mapping, path.name)


def _encode(table: Any, column: str) -> tuple[np.ndarray, list[str]]:
    enc = table.column(column).combine_chunks().dictionary_encode()
    return enc.indices.to_numpy().astype(np.int64), enc.dictionary.to_pylist()


def _history(table: Any, name: dict[str, str], attrs: list[tuple[str, str]],
             mapping: LabelMapping, source: str) -> History | None:
    import pyarrow as pa

    case_file, case_ids = _encode(table, name["case"])
    act_file, labels = _encode(table, name["activity"])
    ts = table.column(name["timestamp"]).combine_chunks().cast(pa.int64()).to_numpy() / 1e6
    n = len(ts)
    order = np.lexsort((np.arange(n), ts, case_file))
    case, ts, act = case_file[order], ts[order], act_file[order]
    steps: dict[str, int] = {}
    label_step = np.empty(len(labels), np.int64)
    label_outcome = np.empty(len(labels), np.int64)
    for i, label in enumerate(labels):
        step, out = mapping.map(label)
        label_step[i] = steps.setdefault(step, len(steps))
        label_outcome[i] = OUTCOMES.index(out)
    outcome = label_outcome[act]
    if "outcome" in name:
        given_codes, given_values = _encode(table, name["outcome"])
        codes = []
        for v in given_values:
            if not v.strip():
                codes.append(-1)  # a blank cell: the label says, as in read_csv
                continue
            o = outcome_of(v, mapping)
            if o is None:
                return None  # the careful reader names the line
            codes.append(OUTCOMES.index(o))
        given = np.array(codes, np.int64)[given_codes[order]]
        outcome = np.where(given >= 0, given, outcome)
    if "resource" in name:
        res_file, resources = _encode(table, name["resource"])
        res_code = np.arange(len(resources), dtype=np.int64)
        if "" in resources:
            empty = resources.index("")
            res_code[empty] = -1
            res_code[empty + 1:] -= 1
            resources.pop(empty)
        resource = res_code[res_file[order]]
    else:
        resources, resource = [], np.full(n, -1, np.int64)
    starts = np.flatnonzero(np.r_[True, case[1:] != case[:-1]])
    arrived = np.r_[np.nan, ts[:-1]]
    arrived[starts] = np.nan
    cols = Columns(steps=list(steps), resources=resources, activities=labels,
                   step=label_step[act], outcome=outcome, arrived=arrived, decided=ts,
                   resource=resource, case=case, case_ids=case_ids,
                   commented=np.full(n, -1, np.int64), activity=act)
    ends = np.r_[starts[1:], n] - 1
    return History(_cases(table, cols, starts, case_file, attrs), None, source, columns=cols,
                   late_attributes=late_attributes(table, case_file, attrs),
                   case_times=(ts[starts], ts[ends]))


def _cases(table: Any, c: Columns, starts: np.ndarray, case_file: np.ndarray,
           attrs: list[tuple[str, str]]) -> dict[str, Case]:
    idx = np.arange(len(c.decided))
    last = per_case_max(np.where(c.outcome != OTHER, idx, -1), starts)
    ended = [_ENDED.get(c.outcome[i], "other") if i >= 0 else "other" for i in last.tolist()]
    first_row = np.unique(case_file, return_index=True)[1]  # the case's first row in the file
    values = [(key, table.column(h).take(first_row).to_pylist()) for h, key in attrs]
    return out_cases(c, starts, ended, values)


def late_attributes(table: Any, case_file: np.ndarray, attrs: list[tuple[str, str]]
                    ) -> frozenset[str]:
    """Attributes whose cell differs, in some row, from the case's first row: set or
    changed after submission (as ``csvlog`` records them)."""
    if not attrs:
        return frozenset()
    first_row = np.unique(case_file, return_index=True)[1]
    late = set()
    for h, key in attrs:
        codes, _ = _encode(table, h)
        if (codes != codes[first_row][case_file]).any():
            late.add(key)
    return frozenset(late)


def out_cases(c: Columns, starts: np.ndarray, ended: list[str],
              values: list[tuple[str, list[Any]]]) -> dict[str, Case]:
    ends = np.r_[starts[1:], len(c.decided)] - 1
    out: dict[str, Case] = {}
    for k, (cid, a, b) in enumerate(zip(c.case_ids, c.decided[starts].tolist(),
                                        c.decided[ends].tolist(), strict=True)):
        at = {key: attr_value(vals[k]) for key, vals in values if vals[k]}
        out[cid] = tuple.__new__(Case, (cid, a, b, ended[k], at))
    return out
