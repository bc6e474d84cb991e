"""``UnitOfWork``: one request's unit of work on the engine: its session, the caller, the
time, the catalog and directory, the service calls routes make, and who may see what.
Reads get one (``ReaderDep``); writes open one per transaction (``WriterDep``). Out-of-
office rerouting happens in ``engine.service``, inside each command's transaction.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated
from uuid import UUID

import sqlalchemy as sa
from fastapi import Depends
from sqlmodel import Session

from api import metrics
from api.deps import CallerDep, NowDep, ReadSessionDep, RuntimeDep, UserDep
from api.i18n import ZhDep, localize, request_title, title_needs_form
from api.instance_view import decision_out, instance_out
from api.runtime import Runtime
from api.schemas import DecisionOut, InstanceOut
from engine import queries, service
from engine.core import commands as cmds
from engine.core.decide import may_view
from engine.core.definition import ProcessDefinition
from engine.core.diagram import people_names
from engine.core.directory import OrgDirectory, User
from engine.core.errors import NotPermitted
from engine.core.events import Event
from engine.core.state import InstanceState, replay
from engine.store.org import current_directory


@dataclass
class UnitOfWork:
    session: Session
    user: User
    now: datetime
    directory: OrgDirectory
    zh: bool = False
    reads: sa.Engine | None = None  # where predictions read learned step times
    # Definitions asked for in this unit of work (an inbox page asks once per task).
    _definitions: dict[tuple[str, int | None], ProcessDefinition] = field(
        default_factory=dict, repr=False)
    # Event logs read in this unit of work, by instance (``read`` then ``view``).
    _events: dict[UUID, list[Event]] = field(default_factory=dict, repr=False)

    @property
    def catalog(self) -> service.DbCatalog:
        return service.DbCatalog(self.session)

    def definition(self, key: str, version: int | None = None, digest: str | None = None
                   ) -> ProcessDefinition:
        """A definition version, in the caller's language; with its ``digest`` (read with
        the rows that name it) no query when it is parsed already."""
        found = self._definitions.get((key, version))
        if found is None:
            parsed = (queries.cached_definition(key, version, digest)
                      if digest is not None and version is not None else None)
            found = localize(parsed or self.catalog.get(key, version), self.zh)
            if version is not None:  # a version never changes; "the newest" may
                self._definitions[key, version] = found
        return found

    @staticmethod
    @contextmanager
    def writing(runtime: Runtime, user: User, now: datetime, zh: bool = False
                ) -> Iterator[UnitOfWork]:
        """A unit of work on a write session, opened and closed in the calling thread."""
        with runtime.db.session(write=True) as session:
            yield UnitOfWork(session, user, now, current_directory(session), zh,
                             runtime.db.read_engine)

    # --- commands -----------------------------------------------------------------

    def start(self, definition: str, data: dict[str, object], key: str | None
              ) -> InstanceState:
        cmd = cmds.StartInstance(definition_key=definition, initiator=self.user.username,
                                 data=dict(data))
        with metrics.command(type(cmd).__name__, definition):
            return service.start(self.session, self.catalog, self.directory, cmd, self.now,
                                 idempotency_key=key)

    def on_instance(self, instance_id: UUID, cmd: cmds.Command, key: str | None
                    ) -> InstanceState:
        with metrics.command(type(cmd).__name__, instance_id):
            return service.execute(self.session, self.catalog, self.directory, instance_id,
                                   cmd, self.now, idempotency_key=key)

    def on_task(self, cmd: service.TaskCommand, key: str | None) -> InstanceState:
        with metrics.command(type(cmd).__name__, cmd.task_id):
            return service.execute_on_task(self.session, self.catalog, self.directory, cmd,
                                           self.now, idempotency_key=key)

    # --- reads --------------------------------------------------------------------

    def may_view(self, state: InstanceState) -> bool:
        return may_view(state, self.user.username, self.directory)

    def read(self, instance_id: UUID) -> InstanceState:
        """The instance's state, its events kept for ``view`` (one read of the log)."""
        events = service.instance_events(self.session, instance_id)
        state = replay(events)
        self._events[instance_id] = events
        return state

    def load(self, instance_id: UUID) -> InstanceState:
        """``read``, for a caller who may view the instance (else NotPermitted)."""
        state = self.read(instance_id)
        if not self.may_view(state):
            raise NotPermitted(self.user.username, "view this request",
                               "not involved in it")
        return state

    def view(self, state: InstanceState) -> InstanceOut:
        # Right after a command, what it committed is still at hand: no reads (on
        # SQLite a read on the write session would take the write lock again).
        done = queries.just_committed(self.session, state.id, state.seq)
        if done is not None:
            defn = self._definition_of(state, done.definition)
            return instance_out(defn, state, done.events, done.visits, self.user, self.now,
                                self._forecast(defn, state, done.events),
                                queries.number_of(self.session, state.id, read=False),
                                *self._words())
        defn = self.definition(state.definition_key, state.definition_version)
        events = self._events.get(state.id)
        if events is None or len(events) != state.seq:
            events = service.instance_events(self.session, state.id)
        visits = service.instance_visits(self.session, state.id)
        return instance_out(defn, state, events, visits, self.user, self.now,
                            self._forecast(defn, state, events),
                            queries.number_of(self.session, state.id), *self._words())

    def decision(self, state: InstanceState, task_id: UUID, action: str) -> DecisionOut:
        """The compact answer of a decision (``view`` is the whole request): right after
        the command, from what it committed, with no read."""
        fresh, committed = queries.committed_definition(self.session, state.id, state.seq)
        return decision_out(self._definition_of(state, committed), state, task_id, action,
                            queries.number_of(self.session, state.id, read=not fresh))

    def _definition_of(self, state: InstanceState, committed: ProcessDefinition | None
                       ) -> ProcessDefinition:
        """``state``'s definition in the caller's language: ``committed``, the one the
        command just used, when at hand, else read."""
        if committed is not None:
            return localize(committed, self.zh)
        return self.definition(state.definition_key, state.definition_version)

    def titles(self, rows: Iterable[tuple[UUID, ProcessDefinition, str]]) -> dict[UUID, str]:
        """The titles of requests (id, its definition as ``definition`` gave it, stored
        title) in the caller's language; the forms of those whose Chinese title needs one
        read in one query."""
        found = list(rows)
        need = [rid for rid, defn, _ in found if title_needs_form(defn, self.zh)]
        data = queries.form_data(self.session, need)
        return {rid: request_title(defn, stored, data.get(rid), self.zh)
                for rid, defn, stored in found}

    def _words(self) -> tuple[str, Mapping[str, str]]:
        """The diagram's language and the names it gives people and roles."""
        lang = "zh" if self.zh else "en"
        return lang, people_names(self.directory, lang)

    def _forecast(self, defn: ProcessDefinition, state: InstanceState,
                  events: Sequence[Event]) -> queries.Forecast:
        bind = self.reads or self.session.get_bind()
        assert isinstance(bind, sa.Engine)
        return queries.forecast(bind, defn, state, events, self.now)


@dataclass
class Writer:
    """Opens write units of work: ``with writer.open() as uow: ...`` in a sync route."""

    runtime: Runtime
    user: User
    now: datetime
    zh: bool = False

    def open(self) -> contextlib.AbstractContextManager[UnitOfWork]:
        return UnitOfWork.writing(self.runtime, self.user, self.now, self.zh)


async def _writer(runtime: RuntimeDep, user: UserDep, now: NowDep, zh: ZhDep) -> Writer:
    return Writer(runtime, user, now, zh)


async def _reader(session: ReadSessionDep, caller: CallerDep, now: NowDep, zh: ZhDep) -> UnitOfWork:
    return UnitOfWork(session, caller.user, now, caller.directory, zh)


WriterDep = Annotated[Writer, Depends(_writer)]
ReaderDep = Annotated[UnitOfWork, Depends(_reader)]

__all__ = ["ReaderDep", "UnitOfWork", "Writer", "WriterDep"]
