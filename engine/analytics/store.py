"""Signoff's own history as a :class:`History`: SQL (SQLAlchemy Core) over the
``node_visit`` and ``instance`` tables, which the store keeps as projections of the
event log.

A node visit becomes a visit: arrival ``entered_at``, decision ``decided_at`` (else
``left_at``), outcome approved/rejected/returned -> approve/reject/return and anything
else (notified, withdrawn, cancelled) -> other, resource ``decided_by``, commented when
``comment_count > 0``. Final nodes and visits still open are left out. Only finished
instances are analysed (their cycle time is known); ``since``/``until`` select by start.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from engine.analytics.model import AttrValue, Case, History, Outcome, Visit
from engine.analytics.traces import Trace, trace_of
from engine.core.events import InstanceStarted, from_record
from engine.store import event_log
from engine.store.tables import DefinitionVersion, EventRecord, Instance, NodeVisit

_OUTCOMES: dict[str | None, Outcome] = {"approved": "approve", "rejected": "reject",
                                        "returned": "return"}
_inst = Instance.__table__  # type: ignore[attr-defined]
_visit = NodeVisit.__table__  # type: ignore[attr-defined]
_defn = DefinitionVersion.__table__  # type: ignore[attr-defined]
_log = EventRecord.__table__  # type: ignore[attr-defined]


def load_history(conn: sa.Connection, key: str, since: dt.datetime | None = None,
                 until: dt.datetime | None = None) -> History:
    """The finished instances of process ``key`` (started in [since, until)) and their
    visits."""
    q = sa.select(_inst.c.id, _inst.c.started_at, _inst.c.finished_at, _inst.c.outcome,
                  _inst.c.status, _inst.c.data, _inst.c.definition_version).where(
        _inst.c.definition_key == key, _inst.c.finished_at.is_not(None))
    if since is not None:
        q = q.where(_inst.c.started_at >= since)
    if until is not None:
        q = q.where(_inst.c.started_at < until)
    rows = [r._mapping for r in conn.execute(q)]
    cases = {c.case_id: c for c in map(case_from_row, rows)}
    versions = {str(r["id"]): int(r["definition_version"]) for r in rows}
    cases, late = _as_submitted(conn, key, cases, since, until)
    vq = (sa.select(_visit.c.instance_id, _visit.c.node, _visit.c.entered_at,
                    _visit.c.decided_at, _visit.c.left_at, _visit.c.outcome,
                    _visit.c.decided_by, _visit.c.comment_count, _visit.c.kind)
          .join(_inst, _inst.c.id == _visit.c.instance_id)
          # a fork's visit spans its branches' visits: they are the steps, not the fork
          .where(_visit.c.definition_key == key, _visit.c.kind.not_in(("final", "fork")),
                 _inst.c.finished_at.is_not(None))
          .order_by(_visit.c.instance_id, _visit.c.entered_at, _visit.c.node, _visit.c.visit))
    visits = [v for v in (visit_from_row(r._mapping) for r in conn.execute(vq))
              if v is not None and v.case_id in cases]
    visits.sort(key=lambda v: (v.case_id, v.decided_at))
    return History(cases, tuple(visits), source=key, case_versions=versions,
                   late_attributes=late)


def _as_submitted(conn: sa.Connection, key: str, cases: dict[str, Case],
                  since: dt.datetime | None, until: dt.datetime | None
                  ) -> tuple[dict[str, Case], frozenset[str]]:
    """Cases with the form data as first submitted (what was known then: a request
    returned and edited holds other values at the end), and the attributes whose value
    a resubmission set or changed (``History.late_attributes``)."""
    q = (sa.select(_log.c.instance_id, _log.c.kind, _log.c.payload, _log.c.at)
         .join(_inst, _inst.c.id == _log.c.instance_id)
         .where(_log.c.kind == InstanceStarted.kind, _inst.c.definition_key == key,
                _inst.c.finished_at.is_not(None)))
    if since is not None:
        q = q.where(_inst.c.started_at >= since)
    if until is not None:
        q = q.where(_inst.c.started_at < until)
    late: set[str] = set()
    out = dict(cases)
    for r in conn.execute(q):
        cid = str(r.instance_id)
        case = cases.get(cid)
        event = from_record(r.kind, r.payload, r.instance_id, r.at)
        if case is None or not isinstance(event, InstanceStarted):
            continue
        first = flat_attributes(event.data or {})
        final = case.attributes
        late.update(k for k in first.keys() | final.keys() if first.get(k) != final.get(k))
        out[cid] = case._replace(attributes=first)
    return out, frozenset(late)


def definition_nodes(conn: sa.Connection, key: str) -> dict[int, dict[str, Any]]:
    """Per published version of ``key``: its approval nodes (id -> YAML mapping), to
    tell which steps a version removed or changed."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    out: dict[int, dict[str, Any]] = {}
    for r in conn.execute(sa.select(_defn.c.version, _defn.c.source).where(_defn.c.key == key)):
        try:
            doc = yaml.load(r.source)
        except Exception:  # a stored version was valid when published; skip a bad one
            continue
        nodes = doc.get("nodes") if isinstance(doc, dict) else None
        if isinstance(nodes, dict):
            out[int(r.version)] = {k: v for k, v in nodes.items()
                                   if isinstance(v, dict) and "approvers" in v}
    return out


def case_from_row(r: Mapping[Any, Any]) -> Case:
    """A finished ``instance`` row (or projection row) as a case."""
    return Case(str(r["id"]), r["started_at"].timestamp(), r["finished_at"].timestamp(),
                r["outcome"] or r["status"], flat_attributes(r["data"] or {}))


def visit_from_row(r: Mapping[Any, Any]) -> Visit | None:
    """A ``node_visit`` row (or projection row) as a visit; None for final nodes and
    visits still open."""
    end = r["decided_at"] or r["left_at"]
    if end is None or r["kind"] in ("final", "fork"):
        return None
    return Visit(str(r["instance_id"]), r["node"], r["entered_at"].timestamp(),
                 end.timestamp(), _OUTCOMES.get(r["outcome"], "other"), r["decided_by"],
                 (r["comment_count"] or 0) > 0)


def flat_attributes(data: Mapping[str, Any], prefix: str = "") -> dict[str, AttrValue]:
    """Form data as case attributes: numbers as floats, text as text, nested objects
    as ``outer_inner``; lists and booleans as text."""
    out: dict[str, AttrValue] = {}
    for k, v in data.items():
        name = f"{prefix}{k}"
        if isinstance(v, Mapping):
            out.update(flat_attributes(v, f"{name}_"))
        elif isinstance(v, bool) or v is None:
            out[name] = str(v).lower()
        elif isinstance(v, int | float):
            out[name] = float(v)
        else:
            out[name] = str(v)
    return out


def process_list(conn: sa.Connection) -> list[dict[str, Any]]:
    """Every process with instances: key, title (of its newest version), instances."""
    counts = conn.execute(sa.select(_inst.c.definition_key, sa.func.count())
                          .group_by(_inst.c.definition_key)).all()
    titles: dict[str, str] = {}
    for r in conn.execute(sa.select(_defn.c.key, _defn.c.title).order_by(_defn.c.version)):
        titles[r.key] = r.title
    return [{"key": k, "title": titles.get(k, "") or k, "instances": int(n)}
            for k, n in sorted(counts)]


def load_traces(session: Session, key: str | None = None, *, finished_only: bool = False,
                progress: Callable[[int, int], None] | None = None,
                batch: int = 500) -> list[Trace]:
    """The traces (``traces.trace_of``) of the requests of process ``key`` (every process
    when None), read from the event log in batches; ``progress(done, total)``."""
    where: list[Any] = []
    if key is not None:
        where.append(_inst.c.definition_key == key)
    if finished_only:
        where.append(_inst.c.finished_at.is_not(None))
    conn = session.connection()
    ids = [r[0] for r in conn.execute(sa.select(_inst.c.id).where(*where)
                                      .order_by(_inst.c.started_at, _inst.c.id))]
    out: list[Trace] = []
    for i in range(0, len(ids), batch):
        chunk = ids[i:i + batch]
        histories = event_log.load_many(session, chunk)
        out += [trace_of(histories[iid]) for iid in chunk if histories.get(iid)]
        if progress is not None:
            progress(min(i + batch, len(ids)), len(ids))
    return out
