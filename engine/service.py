"""The one place that loads, decides and appends. Every other layer calls these.

Commands (one command = one transaction: load the history, replay, decide, append the
events with their ``seq``, write the projections, commit). The hot path is lean: a task
command finds its instance, history and definition digest in one query, reading only the
events after the last one this process committed or loaded for that instance
(``engine.store.recent``, confirmed against the log), and writes one statement per table:

- ``start(session, catalog, directory, cmd, now, *, idempotency_key=None) -> InstanceState``
- ``execute(session, catalog, directory, instance_id, cmd, now, *, idempotency_key=None)``
- ``execute_on_task(session, catalog, directory, cmd, now, *, idempotency_key=None)`` for
  commands naming a ``task_id`` (decide, delegate, add signer)
- ``append_histories(session, histories, progress=None) -> int``: already-decided event
  lists of new instances, written in bulk with the same projection code (demo seeding)

Out-of-office: after deciding, the tasks the command assigned (created or delegated) to
someone away now are delegated on to their delegate in the same transaction
(``engine.core.absence``; the absences are read through ``engine.store.absences``), so
every caller (API, CLI, worker) reroutes alike and no crash can leave a task with an
absent holder.

Errors: any ``EngineError`` from the core (nothing is written); ``ConcurrentUpdate`` when
another writer appended to the same instance first (reload and retry, or report 409);
``IdempotencyConflict`` when a key is reused for a different request. With an
``idempotency_key`` the same user repeating the same request gets the state right after
the first application, even when the repeat raced the original.

Definitions and org: ``sync_definitions``, ``publish_definition``, ``DbCatalog``,
``save_directory``, ``load_directory``. Reads (``inbox``, ``get_instance``, ...) live in
``engine.queries`` and are re-exported here, as are ``check`` and ``rebuild_projections``.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Session

from engine import firing
from engine.core import absence, timers
from engine.core import commands as cmds
from engine.core.attachments import attachment_fields
from engine.core.catalog import Catalog
from engine.core.decide import decide_and_fold, may_comment, may_view
from engine.core.definition import ProcessDefinition, derived_prefix
from engine.core.directory import OrgDirectory
from engine.core.errors import (
    ConcurrentUpdate,
    EngineError,
    FormInvalid,
    IdempotencyConflict,
    InstanceNotFound,
    NotPermitted,
    TaskNotFound,
    TransitionNotAllowed,
)
from engine.core.events import Event, InstanceResubmitted, InstanceStarted, ServiceCalled
from engine.core.loader import load_definition
from engine.core.state import InstanceState, replay
from engine.core.worktime import WorkingHours
from engine.queries import (
    find_requests,
    find_tasks,
    get_instance,
    get_task,
    inbox,
    instance_events,
    instance_visits,
    list_instances,
)
from engine.store import (
    absences,
    attachment_blobs,
    bulk,
    credentials,
    event_log,
    idempotency,
    messaging,
    numbers,
    recent,
    writer,
)
from engine.store import attachments as attachment_rows
from engine.store import definitions as defs
from engine.store.check import Discrepancy, check
from engine.store.check import rebuild as rebuild_projections
from engine.store.definitions import DbCatalog
from engine.store.event_log import VersionRow
from engine.store.org import load_directory, save_directory
from engine.store.projections import project
from engine.store.recent import Loaded
from engine.store.tables import ApiToken, OutOfOffice, metadata

TaskCommand = cmds.DecideTask | cmds.DelegateTask | cmds.AddSigner


Done = tuple[InstanceState, Callable[[], None] | None]  # a state, and what to do on commit


def _definition(session: Session, catalog: Catalog, state: InstanceState,
                version: VersionRow | None) -> ProcessDefinition:
    """The instance's definition version. The history query brought its digest along, so a
    ``DbCatalog`` on this session is asked only when that version is not parsed yet."""
    key, number = state.definition_key, state.definition_version
    if (version is not None and version[:2] == (key, number) and version[2] is not None
            and isinstance(catalog, DbCatalog) and catalog.session is session):
        found = defs.cached(key, number, version[2])
        if found is not None:
            return found
    return catalog.get(key, number)


def _apply(session: Session, catalog: Catalog, directory: OrgDirectory,
           loaded: Loaded | None, cmd: cmds.Command, now: datetime) -> Done:
    """Decide and write, without committing. ``loaded`` is None for a start."""
    history: list[Event] = []
    before = None
    if loaded is None:
        assert isinstance(cmd, cmds.StartInstance)
        defn = catalog.get(cmd.definition_key)
        if defs.retirement(session, cmd.definition_key) is not None:
            raise TransitionNotAllowed(None, "start", f"the process {defn.key!r} is retired: "
                                       "it takes no new requests")
    else:
        history, known = loaded.events, loaded.projection
        before = (known if known is not None and known.state.seq == len(history)
                  else project(history, known))
        defn = _definition(session, catalog, before.state, loaded.version)
    state = before.state if before else None
    conn = session.connection()
    calendar = messaging.calendar_of(conn.engine)
    new, folded = decide_and_fold(defn, state, cmd, now, directory, calendar=calendar)
    if not new and state is not None:
        return state, None
    new += _reroute(conn, defn, folded, new, now, directory, calendar)
    event_log.append(session, new[0].instance_id, len(history), new, conn)
    events = [*history, *new]
    after = project(events, before)
    writer.write(session, before, after, conn)
    if before is None:
        started = after.state
        numbers.assign(conn, [(started.id, defn.prefix(), started.started_at)],
                       numbers.org_timezone(calendar))
    messaging.record(session, defn, state, after.state, new, len(history) + 1, directory, now,
                     conn)
    kept = recent.Loaded(events, loaded.version if loaded else None, after)
    return after.state, lambda: recent.of(conn.engine).put(kept)


def _reroute(conn: sa.Connection, defn: ProcessDefinition, state: InstanceState,
             new: list[Event], now: datetime, directory: OrgDirectory,
             calendar: WorkingHours | None) -> list[Event]:
    """The delegations that take the tasks ``new`` assigned away from people who are away
    now (``engine.core.absence``), decided in the same command."""
    if not absence.assigned(new):
        return []
    away = absences.away(conn, now)
    return absence.handovers(defn, state, new, away, now, directory, calendar)


def _stored(session: Session, response: dict[str, Any]) -> InstanceState:
    return replay(event_log.load(session, UUID(response["instance_id"]), upto=response["seq"]))


def _run(session: Session, actor: str, key: str | None, request: tuple[Any, ...],
         now: datetime, status: int, apply: Callable[[], Done]) -> InstanceState:
    """One transaction around ``apply``, with the idempotency protocol when ``key``."""
    fp = idempotency.fingerprint(*request) if key is not None else ""
    try:
        if key is not None and (done := idempotency.lookup(session, key, actor, fp)):
            result = _stored(session, done.response)
            session.rollback()
            return result
        state, on_commit = apply()
        if key is not None:
            idempotency.remember(session, key, actor, fp, status,
                                 {"instance_id": str(state.id), "seq": state.seq}, now)
        session.commit()
        if on_commit is not None:
            on_commit()
        return state
    except (ConcurrentUpdate, sa.exc.IntegrityError):
        session.rollback()
        # The twin of this request may have won the race: then its result is ours.
        if key is not None and (done := idempotency.lookup(session, key, actor, fp)):
            result = _stored(session, done.response)
            session.rollback()
            return result
        raise
    except BaseException:
        session.rollback()
        raise


def start(session: Session, catalog: Catalog, directory: OrgDirectory,
          cmd: cmds.StartInstance, now: datetime, *,
          idempotency_key: str | None = None) -> InstanceState:
    """Start an instance of the newest version of ``cmd.definition_key``."""
    def apply() -> Done:
        done = _apply(session, catalog, directory, None, cmd, now)
        return _form_files(session, catalog, directory, done, cmd.data, cmd.initiator, now)

    return _run(session, cmd.initiator, idempotency_key, ("start", cmd), now, 201, apply)


def _execute(session: Session, catalog: Catalog, directory: OrgDirectory, instance_id: UUID,
             cmd: cmds.Command, now: datetime, key: str | None,
             loaded: Loaded | None) -> InstanceState:
    def apply() -> Done:
        history = loaded or recent.load(session.connection(), instance_id=instance_id)
        if history is None:
            raise InstanceNotFound(instance_id)
        done = _apply(session, catalog, directory, history, cmd, now)
        if isinstance(cmd, cmds.Resubmit):
            done = _form_files(session, catalog, directory, done, cmd.data, cmd.actor, now,
                               history.events)
        return done

    actor = getattr(cmd, "actor", "")
    return _run(session, actor, key, ("execute", str(instance_id), cmd), now, 200, apply)


def execute(session: Session, catalog: Catalog, directory: OrgDirectory, instance_id: UUID,
            cmd: cmds.Command, now: datetime, *,
            idempotency_key: str | None = None) -> InstanceState:
    """Apply ``cmd`` to an existing instance; InstanceNotFound if there is none."""
    return _execute(session, catalog, directory, instance_id, cmd, now, idempotency_key, None)


def execute_on_task(session: Session, catalog: Catalog, directory: OrgDirectory,
                    cmd: TaskCommand, now: datetime, *,
                    idempotency_key: str | None = None) -> InstanceState:
    """``execute`` on the instance owning ``cmd.task_id``; TaskNotFound if none."""
    # One query finds the task's instance and loads its history, in the command's
    # transaction (the idempotency check, which needs the instance id, comes after).
    loaded = recent.load(session.connection(), task_id=cmd.task_id)
    if loaded is None:
        session.rollback()
        raise TaskNotFound(cmd.task_id)
    return _execute(session, catalog, directory, loaded.events[0].instance_id, cmd, now,
                    idempotency_key, loaded)


def mark_at_risk(session: Session, catalog: Catalog, directory: OrgDirectory,
                 instance_id: UUID, cmd: cmds.MarkAtRisk, now: datetime) -> bool:
    """Append what ``cmd`` causes (``RequestAtRisk``, its messages, the ``on: at_risk``
    escalations) in the caller's transaction, which commits; False when it caused nothing
    (already at risk, no longer running). Raises ``ConcurrentUpdate`` or
    ``sa.exc.IntegrityError`` when the instance changed under it: the caller rolls back
    (a savepoint) and the next refresh finds the risk again."""
    loaded = recent.load(session.connection(), instance_id=instance_id)
    if loaded is None:
        return False
    return _apply(session, catalog, directory, loaded, cmd, now)[1] is not None
# --- attachments (the bytes: engine.store.attachment_blobs; checks: engine.attachments) --

def _attached(session: Session, catalog: Catalog, directory: OrgDirectory, loaded: Loaded,
              files: Sequence[cmds.AttachedFile], actor: str, now: datetime,
              comment: str | None = None) -> Done:
    """``AddAttachments`` decided and written with the files' rows, in one transaction."""
    conn = session.connection()
    state, on_commit = _apply(session, catalog, directory, loaded,
                              cmds.AddAttachments(actor=actor, files=tuple(files),
                                                  comment=comment), now)
    # The command's last events are the files', in order (nothing reroutes on them).
    seqs = list(range(state.seq - len(files) + 1, state.seq + 1))
    attachment_rows.record(conn, state.id, files, seqs, actor, now)
    return state, on_commit


def _form_files(session: Session, catalog: Catalog, directory: OrgDirectory, done: Done,
                data: dict[str, Any], actor: str, now: datetime,
                history: Sequence[Event] = ()) -> Done:
    """After a start or resubmit: attach the uploads the form's attachment fields name
    (staged by ``actor``), in the same transaction. On a resubmit a field naming a new
    upload makes it a new version of the file it named before."""
    state = done[0]
    defn = catalog.get(state.definition_key, state.definition_version)
    fields = attachment_fields(defn.form_schema)
    if not fields:
        return done
    before = next((e.data for e in reversed(history)
                   if isinstance(e, InstanceStarted | InstanceResubmitted)), {})
    conn = session.connection()
    ids: dict[str, UUID] = {}
    for name in fields:
        value = data.get(name)
        if value is None or value == before.get(name):
            continue  # unchanged: already attached
        try:
            ids[name] = UUID(str(value))
        except ValueError:
            raise FormInvalid([(f"/{name}", "not an uploaded file: upload it again")]
                              ) from None
    if not ids:
        return done
    files = attachment_rows.claim_staged(conn, ids, actor)
    mine = attachment_rows.known_ids(conn, [UUID(str(before[f.field])) for f in files
                                            if f.field and _is_uuid(before.get(f.field))])
    files = [dataclasses.replace(f, replaces=UUID(str(before[f.field])))
             if f.field and _is_uuid(before.get(f.field))
             and UUID(str(before[f.field])) in mine else f for f in files]
    loaded = recent.load(conn, instance_id=state.id)
    assert loaded is not None
    return _attached(session, catalog, directory, loaded, files, actor, now)


def _is_uuid(value: object) -> bool:
    try:
        UUID(str(value))
    except ValueError:
        return False
    return value is not None


def attach(session: Session, catalog: Catalog, directory: OrgDirectory, instance_id: UUID,
           actor: str,
           uploads: Sequence[tuple[cmds.AttachedFile, attachment_blobs.Incoming]],
           now: datetime, *, comment: str | None = None, idempotency_key: str | None = None
           ) -> InstanceState:
    """Attach received files (``engine.attachments.receive``) to a request, with an
    optional comment: who may comment may attach. The bytes are kept in their store only
    once the caller is known to be allowed (and a replaced file to belong to this
    request); the rows and the ``attachment_added`` events are written in one
    transaction. The caller discards what was not kept."""
    files = [f for f, _ in uploads]

    def apply() -> Done:
        conn = session.connection()
        loaded = recent.load(conn, instance_id=instance_id)
        if loaded is None:
            raise InstanceNotFound(instance_id)
        state = replay(loaded.events)
        # The core decides these again; checked here too so refused files store nothing.
        if not may_comment(state, actor, directory):
            raise NotPermitted(actor, "attach a file", "not involved in this request")
        if state.finished:
            raise TransitionNotAllowed(state.node, "attach", f"the request is {state.status}")
        for i, f in enumerate(files):
            old = attachment_rows.get(conn, f.replaces) if f.replaces else None
            if f.replaces is not None and (old is None or old.instance_id != instance_id):
                raise FormInvalid([(f"/files/{i}", "the file it replaces is not attached to "
                                    "this request")])
        for f, incoming in uploads:
            incoming.keep(f.sha256)
        return _attached(session, catalog, directory, loaded, files, actor, now, comment)

    request = ("attach", str(instance_id), comment,
               [(f.name, f.sha256, str(f.replaces)) for f in files])
    return _run(session, actor, idempotency_key, request, now, 200, apply)


def stage_attachment(session: Session,
                     upload: tuple[cmds.AttachedFile, attachment_blobs.Incoming], actor: str,
                     now: datetime) -> cmds.AttachedFile:
    """Keep a received file that a form field will name when the request is started or
    resubmitted (``_form_files`` attaches it then)."""
    f, incoming = upload
    incoming.keep(f.sha256)
    _committed(session, lambda: attachment_rows.stage(session.connection(), f, actor, now))
    return f


def attachment_for(session: Session, directory: OrgDirectory, attachment_id: UUID,
                   user: str) -> attachment_rows.Attachment:
    """An attachment's row, for someone who may view its request (a staged upload: its
    uploader only); NotPermitted otherwise, InstanceNotFound when there is none."""
    row = attachment_rows.get(session.connection(), attachment_id)
    if row is None:
        raise InstanceNotFound(None)
    if row.instance_id is None:
        if row.uploaded_by != user:
            raise NotPermitted(user, "download this file", "not involved in it")
        return row
    state = replay(instance_events(session, row.instance_id))
    if not may_view(state, user, directory):
        raise NotPermitted(user, "download this file", "not involved in this request")
    return row


def fire_timers(session: Session, catalog: Catalog, directory: OrgDirectory, now: datetime,
                *, limit: int = 100) -> tuple[int, int]:
    """Fire up to ``limit`` timers due at ``now``: (claimed, fired). Each is a
    ``FireTimer`` command decided by the core like any other (every rule holds), written
    in one transaction per batch (``engine.firing``); rows are claimed with ``FOR UPDATE
    SKIP LOCKED`` on PostgreSQL, so any number of workers share the work. When another
    writer changed one of the instances meanwhile, the batch is fired again one command
    at a time, each in its own savepoint, and a timer that still clashes waits for the
    next round. A stale row (its task closed) is deleted."""
    try:
        return firing.fire_batch(session, catalog, directory, now, limit)
    except (ConcurrentUpdate, sa.exc.IntegrityError):
        session.rollback()
    table = messaging.TimerRow.__table__  # type: ignore[attr-defined]
    rows = firing.claim(session, now, limit)
    fired, after_commit = 0, []
    for task_id, key, instance_id in ((r.task_id, r.timer, r.instance_id) for r in rows):
        try:
            with session.begin_nested():  # by instance: a service step's timer has no task
                loaded = recent.load(session.connection(), instance_id=instance_id)
                done = None if loaded is None else _apply(
                    session, catalog, directory, loaded, cmds.FireTimer(task_id=task_id,
                                                                        timer=key), now)[1]
                if done is None:  # nothing to fire any more: the row is stale
                    session.connection().execute(table.delete().where(
                        table.c.task_id == task_id, table.c.timer == key))
        except (ConcurrentUpdate, sa.exc.IntegrityError):
            continue
        except EngineError:  # not due by the core's count (the calendar changed)
            with session.begin_nested():
                session.connection().execute(table.delete().where(
                    table.c.task_id == task_id, table.c.timer == key))
            continue
        if done is not None:
            fired += 1
            after_commit.append(done)
    session.commit()
    for callback in after_commit:
        callback()
    return len(rows), fired


def schedule_timers(session: Session, catalog: Catalog) -> int:
    """Write the timer rows of every running instance that has none (histories written
    in bulk by ``append_histories``, such as the demo's); returns the rows added."""
    instance = metadata.tables["instance"]
    table = messaging.TimerRow.__table__  # type: ignore[attr-defined]
    ids = [r[0] for r in session.connection().execute(
        sa.select(instance.c.id).where(instance.c.status == "running",
                                       ~instance.c.id.in_(sa.select(table.c.instance_id))))]
    calendar = messaging.calendar_of(session.connection().engine)
    added = 0
    for start in range(0, len(ids), 500):
        for events in event_log.load_many(session, ids[start:start + 500]).values():
            state = replay(events)
            defn = catalog.get(state.definition_key, state.definition_version)
            new = timers.pending_timers(defn, state, calendar)
            messaging.sync_timers(session.connection(), [], new)
            added += len(new)
    messaging.notify(session, work=True)
    session.commit()
    return added


def calendar_basis(calendar: WorkingHours) -> str:
    """What the timer rows depend on in the org calendar, as text: the calendar's
    settings and the version of the holiday tables."""
    from importlib.metadata import version
    return f"{calendar!r} holidays {version('holidays')}"


def recompute_timers(session: Session, catalog: Catalog, *, force: bool = False) -> int:
    """Bring the timer rows of every running instance to what the org calendar of this
    database (``messaging.calendar_of``) gives now, when it differs from the calendar
    they were computed on (``timer_basis``; always with ``force``): a reminder or an
    escalation counted in working time moves with the working hours and holidays.
    Returns the rows replaced; committed. Run at start-up (``api.prepare``), under the
    start-up lock."""
    conn = session.connection()
    calendar = messaging.calendar_of(conn.engine)
    basis = calendar_basis(calendar)
    stored = session.get(messaging.TimerBasis, 1)
    if stored is not None and stored.calendar == basis and not force:
        return 0
    instance = metadata.tables["instance"]
    table = messaging.TimerRow.__table__  # type: ignore[attr-defined]
    ids = [r[0] for r in conn.execute(sa.select(instance.c.id).where(
        instance.c.status == "running").order_by(instance.c.id))]
    changed = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        old: dict[UUID, list[timers.Timer]] = defaultdict(list)
        for r in conn.execute(sa.select(table).where(table.c.instance_id.in_(chunk))):
            old[r.instance_id].append(timers.Timer(r.instance_id, r.task_id, r.timer,
                                                   r.due_at))
        for iid, events in event_log.load_many(session, chunk).items():
            state = replay(events)
            defn = catalog.get(state.definition_key, state.definition_version)
            new = timers.pending_timers(defn, state, calendar)
            before = {(t.task_id, t.key): t.at for t in old[iid]}
            changed += sum(before.get((t.task_id, t.key)) != t.at for t in new)
            messaging.sync_timers(conn, old[iid], new)
    if stored is None:
        session.add(messaging.TimerBasis(id=1, calendar=basis))
    else:
        stored.calendar = basis
        session.add(stored)
    messaging.notify(session, work=bool(changed))
    session.commit()
    return changed


def append_histories(session: Session, histories: Iterable[Sequence[Event]],
                     progress: Callable[[int], None] | None = None, batch: int = 500) -> int:
    """Write already-decided histories of new instances (events and projections), in
    batches of ``batch`` instances, committing each batch. Returns the instance count."""
    count, chunk = 0, list[Sequence[Event]]()
    for history in histories:
        if not history or not isinstance(history[0], InstanceStarted):
            raise ValueError(f"history #{count + len(chunk) + 1} must begin with "
                             "instance_started")
        chunk.append(history)
        if len(chunk) >= batch:
            count += _append_chunk(session, chunk, progress)
            chunk = []
    if chunk:
        count += _append_chunk(session, chunk, progress)
    return count


def _append_chunk(session: Session, chunk: list[Sequence[Event]],
                  progress: Callable[[int], None] | None) -> int:
    rows = [r for h in chunk for r in event_log.records(h[0].instance_id, 0, h)]
    projections = [project(h) for h in chunk]
    # the calls of service steps still waiting leave through the outbox, as after a command
    calls = [messaging.service_call_row(e, e.at) for h, p in zip(chunk, projections, strict=True)
             for e in h if isinstance(e, ServiceCalled) and _waiting(p.state, e.call_id)]
    try:
        writer.insert_all(session, projections, rows)
        bulk.insert_rows(session.connection(), messaging.OutboxRow.__table__,  # type: ignore[attr-defined]
                         calls)
        _number(session, chunk)
        session.commit()
    except sa.exc.IntegrityError as exc:
        session.rollback()
        raise ValueError("append_histories takes new instances only: one of "
                         f"{chunk[0][0].instance_id}... is already stored") from exc
    except BaseException:
        session.rollback()
        raise
    if progress:
        progress(len(chunk))
    return len(chunk)


def _waiting(state: InstanceState, call_id: UUID) -> bool:
    wait = state.wait(call_id)
    return wait is not None and wait.open


def _number(session: Session, chunk: list[Sequence[Event]]) -> None:
    """Request numbers for bulk-written requests, in the order they started."""
    prefixes: dict[str, str] = {}
    started = sorted((h[0] for h in chunk), key=lambda e: (e.at, str(e.instance_id)))
    for e in started:
        assert isinstance(e, InstanceStarted)
        if e.definition_key not in prefixes:
            row = defs.latest_row(session, e.definition_key)
            prefixes[e.definition_key] = (defs.parse(row).prefix() if row is not None
                                          else derived_prefix(e.definition_key))
    conn = session.connection()
    numbers.assign(conn, [(e.instance_id, prefixes[e.definition_key], e.at)
                          for e in started if isinstance(e, InstanceStarted)],
                   numbers.org_timezone(messaging.calendar_of(conn.engine)))


def sync_definitions(session: Session, paths_or_dir: str | Path | Iterable[str | Path],
                     directory: OrgDirectory, *, actor: str | None = None,
                     now: datetime | None = None) -> list[ProcessDefinition]:
    """Store each YAML file as a definition version: a changed file becomes version N+1,
    an unchanged one is a no-op. All files are validated first; if any is invalid,
    DefinitionInvalid lists every error and nothing is stored (committed when stored)."""
    return defs.sync(session, paths_or_dir, directory, actor, now or datetime.now(UTC))


def publish_definition(session: Session, yaml_text: str, actor: str, directory: OrgDirectory,
                       *, now: datetime | None = None) -> ProcessDefinition:
    """Validate and store an uploaded definition (process owners and admins only)."""
    user = directory.get(actor)
    if user is None or not (user.is_process_owner or user.is_admin):
        raise NotPermitted(actor, "publish a definition", "only process owners may")
    defn = load_definition(yaml_text, "upload", directory)
    return defs.store_all(session, [defn], actor, now or datetime.now(UTC))[0]


def retire_definition(session: Session, key: str, actor: str, now: datetime, *,
                      undo: bool = False) -> bool:
    """Retire a process (no new requests; running ones finish), or with ``undo`` bring it
    back; whether anything changed. Not committed: the caller commits it with its audit
    row."""
    if undo:
        return defs.unretire(session, key)
    changed = defs.retirement(session, key) is None
    defs.retire(session, key, actor, now)
    return changed


# --- accounts: API tokens, out-of-office (passwords: engine.signin) ------------

def _committed(session: Session, work: Callable[[], Any]) -> Any:
    try:
        result = work()
        session.commit()
        return result
    except BaseException:
        session.rollback()
        raise


def add_api_token(session: Session, username: str, name: str, token_hash: str,
                  now: datetime, expires_at: datetime | None) -> ApiToken:
    row: ApiToken = _committed(session, lambda: credentials.add_api_token(
        session, username, name, token_hash, now, expires_at))
    return row


def revoke_api_token(session: Session, token_id: int, username: str) -> bool:
    """Revoke ``username``'s live token ``token_id``; False when there is none."""
    return bool(_committed(session, lambda: credentials.revoke_api_token(
        session, token_id, username)))


def set_out_of_office(session: Session, username: str, delegate_to: str,
                      starts_at: datetime, ends_at: datetime, now: datetime) -> OutOfOffice:
    """Replace ``username``'s current and future periods with this one."""
    row: OutOfOffice = _committed(session, lambda: absences.replace(
        session, username, delegate_to, starts_at, ends_at, now))
    return row


def clear_out_of_office(session: Session, username: str, now: datetime) -> None:
    _committed(session, lambda: absences.clear(session, username, now))


__all__ = [
    "DbCatalog",
    "Discrepancy",
    "IdempotencyConflict",
    "add_api_token",
    "append_histories",
    "attach",
    "attachment_for",
    "check",
    "clear_out_of_office",
    "execute",
    "execute_on_task",
    "find_requests",
    "find_tasks",
    "fire_timers",
    "get_instance",
    "get_task",
    "inbox",
    "instance_events",
    "instance_visits",
    "list_instances",
    "load_directory",
    "mark_at_risk",
    "publish_definition",
    "rebuild_projections",
    "revoke_api_token",
    "save_directory",
    "schedule_timers",
    "set_out_of_office",
    "stage_attachment",
    "start",
    "sync_definitions",
]
