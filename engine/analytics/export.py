"""Export a history as an event log that process-mining tools read: XES or CSV.

Each visit becomes a ``complete`` event at its decision (activity = step, resource =
decider, ``signoff:outcome`` = approve/reject/return/other); XES also gets a ``start``
event at the arrival. Case attributes go on the trace (XES) or in ``case:X`` columns
(CSV). ``logs.read_log`` reads both back.
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import TextIO
from xml.sax.saxutils import quoteattr

from engine.analytics.model import AttrValue, History

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
  <classifier name="Activity" keys="concept:name"/>
  <string key="source" value={source}/>
"""


def _iso(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.UTC).isoformat(timespec="milliseconds")


def _attr(key: str, value: AttrValue) -> str:
    tag = "float" if isinstance(value, float) else "string"
    return f"<{tag} key={quoteattr(key)} value={quoteattr(str(value))}/>"


def write_xes(history: History, out: TextIO) -> int:
    """Write XES; returns the number of complete events."""
    out.write(_HEAD.format(source=quoteattr(history.source)))
    n = 0
    for cid, visits in history.by_case().items():
        case = history.cases[cid]
        out.write(f"  <trace>\n    <string key=\"concept:name\" value={quoteattr(cid)}/>\n")
        out.write(f"    <string key=\"signoff:outcome\" value={quoteattr(case.outcome)}/>\n")
        for key, value in case.attributes.items():
            out.write(f"    {_attr(key, value)}\n")
        for v in visits:
            common = f"<string key=\"concept:name\" value={quoteattr(v.step)}/>"
            if v.resource:
                common += f"<string key=\"org:resource\" value={quoteattr(v.resource)}/>"
            if v.arrived_at is not None:
                out.write(f"    <event>{common}<string key=\"lifecycle:transition\" "
                          f"value=\"start\"/><date key=\"time:timestamp\" "
                          f"value=\"{_iso(v.arrived_at)}\"/></event>\n")
            out.write(f"    <event>{common}<string key=\"lifecycle:transition\" "
                      f"value=\"complete\"/><date key=\"time:timestamp\" "
                      f"value=\"{_iso(v.decided_at)}\"/><string key=\"signoff:outcome\" "
                      f"value=\"{v.outcome}\"/></event>\n")
            n += 1
        out.write("  </trace>\n")
    out.write("</log>\n")
    return n


def write_csv(history: History, out: TextIO) -> int:
    """Write CSV (one row per visit, at its decision); returns the number of rows."""
    keys = sorted({k for c in history.cases.values() for k in c.attributes})
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["case:concept:name", "concept:name", "time:timestamp", "org:resource",
                "outcome", "arrived_at", *(f"case:{k}" for k in keys)])
    n = 0
    for cid, visits in history.by_case().items():
        attrs = history.cases[cid].attributes
        extra = [attrs.get(k, "") for k in keys]
        for v in visits:
            w.writerow([cid, v.step, _iso(v.decided_at), v.resource or "", v.outcome,
                        "" if v.arrived_at is None else _iso(v.arrived_at), *extra])
            n += 1
    return n
