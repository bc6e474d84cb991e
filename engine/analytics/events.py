"""A history straight from event histories (``engine.core.events``), without a database:
the same projection the store writes (``engine.store.projections.project``), turned into
visits and cases exactly as ``store.load_history`` does. Used for simulated histories and
replays."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from engine.analytics.model import Case, History, Visit
from engine.analytics.store import case_from_row, flat_attributes, visit_from_row
from engine.core.events import Event, InstanceStarted
from engine.store.projections import project


def history_from_events(histories: Iterable[Sequence[Event]], key: str) -> History:
    """The finished requests of process ``key`` among ``histories``."""
    cases: dict[str, Case] = {}
    visits: list[Visit] = []
    late: set[str] = set()
    for events in histories:
        if not events:
            continue
        p = project(events)
        row = p.instance
        if row["definition_key"] != key or row["finished_at"] is None:
            continue
        case = case_from_row(row)
        started = next((e for e in events if isinstance(e, InstanceStarted)), None)
        if started is not None:  # what was known at submission, as load_history reads it
            first = flat_attributes(started.data or {})
            late.update(k for k in first.keys() | case.attributes.keys()
                        if first.get(k) != case.attributes.get(k))
            case = case._replace(attributes=first)
        cases[case.case_id] = case
        mine = [v for v in map(visit_from_row, p.visits.values()) if v is not None]
        mine.sort(key=lambda v: v.decided_at)
        visits.extend(mine)
    return History(cases, tuple(visits), source=key, late_attributes=frozenset(late))
