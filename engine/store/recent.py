"""Recently used histories, kept per process and per database, so that a command reads
only the events it has not seen yet (usually just the last one it knows) instead of
loading, decoding and replaying the whole history every time.

Why this is safe: the event log is append-only (the store never updates or deletes an
event, and the database refuses it), so the events up to a ``seq``, once committed, never
change. An entry is stored only after its command committed, and it is used only once the
database has confirmed it: the load reads from the entry's last ``seq`` on, and the entry
counts only when that first row is the entry's last event (same kind, time and fields).
Anything else (evicted, never seen, a log that does not continue it) is a full load, as
without the cache. The projection kept with an entry is ``project`` of its events, so the
command path still diffs against what the one projection function computes.

Entries are per ``Engine`` (one database) and the least recently used are dropped beyond
``SIZE`` instances.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from uuid import UUID

import sqlalchemy as sa

from engine.core.events import Event
from engine.store import event_log
from engine.store.event_log import VersionRow
from engine.store.projections import Projection

SIZE = 2000  # instances per database; a history and its projection are a few kB


@dataclass(frozen=True)
class Loaded:
    """A full history, its instance's definition version and, when known, the projection
    of a prefix of it (of all of it when ``projection.state.seq == len(events)``)."""

    events: list[Event]
    version: VersionRow | None
    projection: Projection | None = None


class Recent:
    """Committed histories of one database, least recently used first."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[UUID, Loaded] = OrderedDict()
        self._task_instance: dict[UUID, UUID] = {}
        self._lock = threading.Lock()

    def get(self, instance_id: UUID) -> Loaded | None:
        with self._lock:
            entry = self._entries.get(instance_id)
            if entry is not None:
                self._entries.move_to_end(instance_id)
            return entry

    def instance_of(self, task_id: UUID) -> UUID | None:
        with self._lock:
            return self._task_instance.get(task_id)

    def put(self, entry: Loaded) -> None:
        """Keep ``entry`` (events committed; its projection of all of them)."""
        assert entry.projection is not None and entry.projection.state.seq == len(entry.events)
        iid = entry.projection.state.id
        with self._lock:
            self._entries[iid] = entry
            self._entries.move_to_end(iid)
            self._task_instance.update(dict.fromkeys(entry.projection.tasks, iid))
            while len(self._entries) > self.size:
                _, old = self._entries.popitem(last=False)
                for tid in old.projection.tasks if old.projection else ():
                    self._task_instance.pop(tid, None)

    def drop(self, instance_id: UUID) -> None:
        with self._lock:
            self._entries.pop(instance_id, None)

    def __len__(self) -> int:
        return len(self._entries)


_by_engine: weakref.WeakKeyDictionary[sa.Engine, Recent] = weakref.WeakKeyDictionary()
_by_engine_guard = threading.Lock()


def of(engine: sa.Engine) -> Recent:
    """The cache of the database ``engine`` connects to."""
    found = _by_engine.get(engine)
    if found is None:
        with _by_engine_guard:
            found = _by_engine.setdefault(engine, Recent())
    return found


def load(conn: sa.Connection, *, instance_id: UUID | None = None,
         task_id: UUID | None = None) -> Loaded | None:
    """The history of ``instance_id`` or of the instance owning ``task_id`` (None when there
    is none), reading only what the cache cannot vouch for."""
    recent = of(conn.engine)
    iid = instance_id if task_id is None else recent.instance_of(task_id)
    entry = recent.get(iid) if iid is not None else None
    if entry is not None:
        known = entry.events
        newer, version = event_log.for_command(conn, instance_id=iid, from_seq=len(known))
        if newer and newer[0] == known[-1]:
            return Loaded([*known, *newer[1:]], version, entry.projection)
        recent.drop(entry.events[0].instance_id)
    events, version = event_log.for_command(conn, instance_id=instance_id, task_id=task_id)
    return Loaded(events, version) if events else None


__all__ = ["SIZE", "Loaded", "Recent", "load", "of"]
