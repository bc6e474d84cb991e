"""One request's view of the engine: the caller, the time, the catalog and directory, and
the service calls routes make (plus out-of-office rerouting and who may see what).

Out-of-office: after a command, every task it assigned (created, or delegated) to someone
who is away at that moment is delegated (by that person, automatically) to their
delegate, following chains of absences. It is a separate ``DelegateTask`` command after
the first one commits, so the handover shows in the timeline like any delegation.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated
from uuid import UUID

import sqlalchemy as sa
from fastapi import Depends
from sqlmodel import Session, col, select

from api.deps import CallerDep, NowDep, ReadSessionDep, RuntimeDep, UserDep
from api.i18n import ZhDep, localize
from api.instance_view import instance_out
from api.runtime import Runtime
from api.schemas import InstanceOut
from engine import queries, service
from engine.core import commands as cmds
from engine.core.decide import may_comment
from engine.core.definition import ProcessDefinition
from engine.core.directory import OrgDirectory, User
from engine.core.errors import EngineError, NotPermitted
from engine.core.events import Event
from engine.core.state import InstanceState
from engine.store import OutOfOffice
from engine.store.org import current_directory

_MAX_CHAIN = 5


@dataclass
class Workflow:
    session: Session
    user: User
    now: datetime
    directory: OrgDirectory
    zh: bool = False
    reads: sa.Engine | None = None  # where predictions read learned step times
    # Definitions asked for in this unit of work (an inbox page asks once per task).
    _definitions: dict[tuple[str, int | None], ProcessDefinition] = field(
        default_factory=dict, repr=False)

    @property
    def catalog(self) -> service.DbCatalog:
        return service.DbCatalog(self.session)

    def definition(self, key: str, version: int | None = None) -> ProcessDefinition:
        """A definition version, in the caller's language."""
        found = self._definitions.get((key, version))
        if found is None:
            found = localize(self.catalog.get(key, version), self.zh)
            if version is not None:  # a version never changes; "the newest" may
                self._definitions[key, version] = found
        return found

    @staticmethod
    @contextmanager
    def writing(runtime: Runtime, user: User, now: datetime, zh: bool = False
                ) -> Iterator[Workflow]:
        """A unit of work on a write session, opened and closed in the calling thread."""
        with runtime.db.session(write=True) as session:
            yield Workflow(session, user, now, current_directory(session), zh,
                           runtime.db.read_engine)

    # --- commands -----------------------------------------------------------------

    def start(self, definition: str, data: dict[str, object], key: str | None
              ) -> InstanceState:
        cmd = cmds.StartInstance(definition_key=definition, initiator=self.user.username,
                                 data=dict(data))
        state = service.start(self.session, self.catalog, self.directory, cmd, self.now,
                              idempotency_key=key)
        return self._reroute(state)

    def on_instance(self, instance_id: UUID, cmd: cmds.Command, key: str | None
                    ) -> InstanceState:
        state = service.execute(self.session, self.catalog, self.directory, instance_id, cmd,
                                self.now, idempotency_key=key)
        return self._reroute(state)

    def on_task(self, cmd: service.TaskCommand, key: str | None) -> InstanceState:
        state = service.execute_on_task(self.session, self.catalog, self.directory, cmd,
                                        self.now, idempotency_key=key)
        handed = cmd.task_id if isinstance(cmd, cmds.DelegateTask) else None
        return self._reroute(state, handed)

    def _away(self) -> dict[str, OutOfOffice]:
        rows = self.session.exec(select(OutOfOffice).where(
            col(OutOfOffice.starts_at) <= self.now, col(OutOfOffice.ends_at) > self.now)).all()
        self.session.rollback()  # end the read transaction before the next command
        return {r.username: r for r in rows}

    def _reroute(self, state: InstanceState, handed: UUID | None = None) -> InstanceState:
        """Delegate the tasks this command assigned (created, or ``handed`` over) to
        people who are away now."""
        fresh = [t for t in state.tasks
                 if t.open and (t.created_at == self.now or t.task_id == handed)]
        if not fresh:
            return state
        away = self._away()
        for task in fresh:
            if task.assignee not in away:
                continue
            target, hops = task.assignee, 0
            while target in away and hops < _MAX_CHAIN:
                target, hops = away[target].delegate_to, hops + 1
            if target == task.assignee:
                continue
            comment = (f"Out of office until {away[task.assignee].ends_at:%Y-%m-%d %H:%M} "
                       f"UTC: handed to {target}")
            try:
                state = service.execute(self.session, self.catalog, self.directory, state.id,
                                        cmds.DelegateTask(task_id=task.task_id,
                                                          actor=task.assignee,
                                                          to_user=target, comment=comment),
                                        self.now)
            except EngineError:
                continue  # e.g. the delegate left the directory: the task stays put
        return state

    # --- reads --------------------------------------------------------------------

    def may_view(self, state: InstanceState) -> bool:
        return may_comment(state, self.user.username, self.directory)

    def load(self, instance_id: UUID) -> InstanceState:
        state = service.get_instance(self.session, instance_id)
        if not self.may_view(state):
            raise NotPermitted(self.user.username, "view this request",
                               "not involved in it")
        return state

    def view(self, state: InstanceState) -> InstanceOut:
        # Right after a command, what it committed is still at hand: no reads (on
        # SQLite a read on the write session would take the write lock again).
        done = queries.just_committed(self.session, state)
        if done is not None:
            defn = (localize(done.definition, self.zh) if done.definition is not None
                    else self.definition(state.definition_key, state.definition_version))
            return instance_out(defn, state, done.events, done.visits, self.user, self.now,
                                self._forecast(defn, state, done.events))
        defn = self.definition(state.definition_key, state.definition_version)
        events = service.instance_events(self.session, state.id)
        visits = service.instance_visits(self.session, state.id)
        return instance_out(defn, state, events, visits, self.user, self.now,
                            self._forecast(defn, state, events))

    def _forecast(self, defn: ProcessDefinition, state: InstanceState,
                  events: Sequence[Event]) -> queries.Forecast:
        bind = self.reads or self.session.get_bind()
        assert isinstance(bind, sa.Engine)
        return queries.forecast(bind, defn, state, events, self.now)


@dataclass
class Writer:
    """Opens write units of work: ``with writer.open() as wf: ...`` in a sync route."""

    runtime: Runtime
    user: User
    now: datetime
    zh: bool = False

    def open(self) -> contextlib.AbstractContextManager[Workflow]:
        return Workflow.writing(self.runtime, self.user, self.now, self.zh)


def _writer(runtime: RuntimeDep, user: UserDep, now: NowDep, zh: ZhDep) -> Writer:
    return Writer(runtime, user, now, zh)


def _reader(session: ReadSessionDep, caller: CallerDep, now: NowDep, zh: ZhDep) -> Workflow:
    return Workflow(session, caller.user, now, caller.directory, zh)


WriterDep = Annotated[Writer, Depends(_writer)]
ReaderDep = Annotated[Workflow, Depends(_reader)]

__all__ = ["ReaderDep", "Workflow", "Writer", "WriterDep"]
