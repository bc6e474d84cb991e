"""Streaming XES reader (lxml ``iterparse``): only ``complete`` lifecycle events are kept.

Trace-level attributes, and event attributes named ``(case)_X`` (a common re-export
convention that copies case attributes onto events), become case attributes.
"""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path
from typing import IO, Any, cast

from lxml import etree

from engine.analytics.logs import LogInvalid, Progress, RawLog, attr_value
from engine.analytics.model import Outcome

_META = frozenset({"concept:name", "variant", "variant-index", "creator", "signoff:outcome"})
_CASE_PREFIX = "(case)_"
_REPORT_EVERY = 2000
_OUTCOMES: dict[str, Outcome] = {"approve": "approve", "reject": "reject", "return": "return",
                                 "other": "other"}


def read_xes(path: Path, progress: Progress | None = None) -> RawLog:
    total = path.stat().st_size
    raw = RawLog()
    with path.open("rb") as fh:
        stream = cast(IO[bytes], gzip.GzipFile(fileobj=fh) if path.name.endswith(".gz") else fh)
        try:
            _parse(stream, raw, path, lambda: progress(fh.tell(), total) if progress else None)
        except etree.XMLSyntaxError as exc:
            raise LogInvalid(f"{path}:{exc.lineno}: not well-formed XML: {exc.msg}") from None
        except (OSError, EOFError) as exc:
            raise LogInvalid(f"{path}: cannot read: {exc}") from None
    if progress:
        progress(total, total)
    return raw


def _local(tag: Any) -> str:
    t = str(tag)
    return t[t.rfind("}") + 1:]


def _parse(stream: IO[bytes], raw: RawLog, path: Path, tick: Any) -> None:
    pending: list[tuple[float, str, str | None, Outcome | None]] = []
    case_attrs: dict[str, Any] = {}
    later: dict[str, Any] = {}  # (case)_X values on the case's later events
    pos = 0
    for _, el in etree.iterparse(stream, events=("end",), tag=("{*}event", "{*}trace"),
                                 huge_tree=True, resolve_entities=False, no_network=True,
                                 load_dtd=False):
        if _local(el.tag) == "event":
            ev = _event(el, path, case_attrs if not pending else later)
            if ev is not None:
                pending.append(ev)
            else:
                raw.skipped += 1
            el.clear()
            continue
        case_id = _trace_attrs(el, case_attrs)
        if case_id is None:
            raise LogInvalid(f"{path}:{el.sourceline}: trace without concept:name")
        evs = raw.events.setdefault(case_id, [])
        for ts, act, res, given in pending:
            evs.append((ts, pos, act, res, given))
            pos += 1
        raw.read += len(pending)
        for key, value in later.items():
            if case_attrs.get(key) != value:  # set or changed after the first event
                raw.late.add(key)
        if case_attrs:
            raw.attributes.setdefault(case_id, {}).update(case_attrs)
        pending, case_attrs, later = [], {}, {}
        el.clear()
        parent = el.getparent()
        while el.getprevious() is not None and parent is not None:
            del parent[0]
        if len(raw.events) % _REPORT_EVERY == 0:
            tick()


def _event(el: Any, path: Path, case_attrs: dict[str, Any] | None
           ) -> tuple[float, str, str | None, Outcome | None] | None:
    act = ts = res = life = given = None
    for ch in el:
        key = ch.get("key")
        if key == "concept:name":
            act = ch.get("value")
        elif key == "time:timestamp":
            ts = ch.get("value")
        elif key == "org:resource":
            res = ch.get("value")
        elif key == "lifecycle:transition":
            life = ch.get("value")
        elif key == "signoff:outcome":
            given = ch.get("value")
        elif case_attrs is not None and key and key.startswith(_CASE_PREFIX):
            case_attrs[key[len(_CASE_PREFIX):]] = _typed(ch)
    if life is not None and life.lower() != "complete":
        return None
    if act is None:
        raise LogInvalid(f"{path}:{el.sourceline}: event without concept:name")
    if ts is None:
        raise LogInvalid(f"{path}:{el.sourceline}: event {act!r} without time:timestamp")
    try:
        t = dt.datetime.fromisoformat(ts)
    except ValueError:
        raise LogInvalid(f"{path}:{el.sourceline}: bad time:timestamp {ts!r}") from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.timestamp(), act, res, _OUTCOMES.get(given or "")


def _trace_attrs(el: Any, into: dict[str, Any]) -> str | None:
    case_id = None
    for ch in el:
        if _local(ch.tag) == "event":
            continue
        key = ch.get("key")
        if key == "concept:name":
            case_id = ch.get("value")
        elif key and key not in _META and ch.get("value") is not None:
            into.setdefault(key, _typed(ch))
    return case_id


def _typed(ch: Any) -> Any:
    value = ch.get("value") or ""
    return attr_value(value, numeric=_local(ch.tag) in ("int", "float"))
