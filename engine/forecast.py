"""Forecasts of running requests and the early warning ("at risk") they raise.

``refresh(session, catalog, directory, now, calendar=None, draws=DRAWS) -> Refreshed``
predicts every running request (``engine.analytics.predict``: the remaining path with the
current form data, step times learned from the finished requests, Monte Carlo median and
80th percentile), rewrites the ``forecast`` rows the board reads, and raises a warning
for each request or task newly found at risk before it happened:

- ``deadline``: the request's chance of missing its deadline (the share of simulated
  futures finishing after it) reaches its process's threshold (not passed yet). The
  threshold is the backtest's: chosen from the finished requests by the same replay and
  rule (``warn_chances``, ``engine.analytics.backtest.thresholds``), so the warnings the
  backtest scores are the ones raised live;
- ``sla``: the current step's likely decision passes the due time of a pending task (not
  passed yet).

A warning is a ``risk_flag`` row, unique per (request or task, reason): whoever finds it
first (several workers, a command) inserts it and, in the same transaction, appends a
``RequestAtRisk`` event to the request's log (``MarkAtRisk``, ``engine.core.risk``): it
shows in the timeline, tells the requester, the current holders and the process owner
(the person who published the definition version, else every process owner) through the
outbox, and fires the node's ``escalate`` rules ``on: at_risk``. Finding it again changes
nothing: at risk happens once per subject and reason.

The learned step times and the prediction are the request view's
(``engine.analytics.live``), so the board and the request page agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from engine.analytics import live
from engine.analytics.calendar import WorkingCalendar
from engine.analytics.predict import DRAWS, WARN_CHANCE, Learned, Prediction
from engine.core import commands as cmds
from engine.core.catalog import Catalog
from engine.core.definition import ProcessDefinition
from engine.core.directory import OrgDirectory
from engine.core.errors import ConcurrentUpdate, EngineError
from engine.core.state import replay
from engine.store import event_log, messaging
from engine.store.board_tables import ForecastRow, RiskFlag, RiskThreshold
from engine.store.tables import DefinitionVersion, Instance, Task

_fc = ForecastRow.__table__  # type: ignore[attr-defined]
_flag = RiskFlag.__table__  # type: ignore[attr-defined]
_inst = Instance.__table__  # type: ignore[attr-defined]
_task = Task.__table__  # type: ignore[attr-defined]
_defn = DefinitionVersion.__table__  # type: ignore[attr-defined]
_risk = RiskThreshold.__table__  # type: ignore[attr-defined]
_NS = UUID("2f9f4f0c-6c1e-4b8a-9a35-1d9b3e7c5a21")
RUNNING = ("running", "returned")
# a process's at-risk threshold is chosen again when a request has finished since, at
# most this often: a choice replays the recent history (tens of seconds for a few
# thousand requests), and one more finished request rarely moves it
RECHOOSE = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Refreshed:
    forecasts: int  # rows written
    flagged: int  # new warnings (risk_flag rows)
    messages: int  # at-risk events appended (each tells the requester, holders, owner)


def _calendar(session: Session, calendar: WorkingCalendar | None) -> WorkingCalendar:
    if calendar is not None:
        return calendar
    found = messaging.calendar_of(session.get_bind())  # type: ignore[arg-type]
    return found if isinstance(found, WorkingCalendar) else WorkingCalendar()


def _running(conn: sa.Connection, keys: Sequence[str] | None,
             ids: Sequence[UUID] | None = None) -> list[Any]:
    q = sa.select(_inst.c.id, _inst.c.definition_key, _inst.c.definition_version,
                  _inst.c.initiator, _inst.c.node).where(_inst.c.status.in_(RUNNING))
    if keys is not None:
        q = q.where(_inst.c.definition_key.in_(list(keys)))
    if ids is not None:
        q = q.where(_inst.c.id.in_(list(ids)))
    return list(conn.execute(q.order_by(_inst.c.definition_key, _inst.c.id)).all())


def _pending(conn: sa.Connection, ids: list[UUID]) -> dict[UUID, list[Any]]:
    out: dict[UUID, list[Any]] = {}
    for i in range(0, len(ids), 1000):
        rows = conn.execute(sa.select(_task.c.instance_id, _task.c.id, _task.c.assignee,
                                      _task.c.due_at, _task.c.node)
                            .where(_task.c.instance_id.in_(ids[i:i + 1000]),
                                   _task.c.status == "pending")).all()
        for r in rows:
            out.setdefault(r.instance_id, []).append(r)
    return out


def _dt(t: datetime | None) -> datetime | None:
    return t.astimezone(UTC) if t is not None else None


def refresh(session: Session, catalog: Catalog, directory: OrgDirectory, now: datetime,
            calendar: WorkingCalendar | None = None, *, keys: Sequence[str] | None = None,
            draws: int = DRAWS, choose: bool = False) -> Refreshed:
    """Predict every running request (of ``keys``, else all), rewrite their forecasts,
    raise new warnings; the caller commits. The at-risk thresholds are the stored ones
    (the worker chooses them); ``choose``: choose them here (a replay of each process's
    history whose threshold is out of date: not inside a request's write transaction)."""
    found = predict_all(session, catalog, now, calendar, keys=keys, draws=draws,
                        choose=choose)
    return save(session, found, directory, now, keys, catalog)


@dataclass
class Predicted:
    rows: list[dict[str, Any]]
    risks: list[tuple[Any, ProcessDefinition, Prediction, datetime | None]]
    pending: dict[UUID, list[Any]]
    thresholds: list[dict[str, Any]] = field(default_factory=list)  # newly chosen


def _histories(conn: sa.Connection, keys: Iterable[str]) -> dict[str, tuple[int, Any]]:
    """Per process, its finished requests: how many, and the last finish (the cache key
    of its threshold: a new finish changes it)."""
    q = (sa.select(_inst.c.definition_key, sa.func.count(), sa.func.max(_inst.c.finished_at))
         .where(_inst.c.finished_at.is_not(None), _inst.c.definition_key.in_(list(keys)))
         .group_by(_inst.c.definition_key))
    return {k: (n, _dt(last)) for k, n, last in conn.execute(q)}


def warn_chances(session: Session, catalog: Catalog, keys: Iterable[str], now: datetime,
                 calendar: WorkingCalendar, *, draws: int = DRAWS
                 ) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """The at-risk threshold of each process of ``keys`` and the ``risk_threshold`` rows
    to write for those chosen again. A process's threshold is the backtest's
    (``backtest.thresholds``: its replay of the ``live.RECENT`` newest finished requests,
    each prediction from those finished before, and ``predict.choose_warn_chance``), kept
    in ``risk_threshold`` with the history it came from and chosen again only when a
    request has finished since (and ``RECHOOSE`` has passed). Reads only."""
    from engine.analytics.backtest import thresholds
    from engine.analytics.store import load_traces

    conn = session.connection()
    keys = sorted(set(keys))
    stored = {r.definition_key: r for r in conn.execute(
        sa.select(_risk).where(_risk.c.definition_key.in_(keys)))}
    out: dict[str, float] = {}
    rows: list[dict[str, Any]] = []
    for key, (finished, until) in _histories(conn, keys).items():
        old = stored.get(key)
        same = old is not None and old.finished == finished and _dt(old.until) == until
        if old is not None and (same or now - _dt(old.computed_at) < RECHOOSE):  # type: ignore[operator]
            out[key] = old.warn_chance
            continue
        traces = sorted(load_traces(session, key, finished_only=True),
                        key=lambda t: t.finished_at or 0.0)[-live.RECENT:]
        try:
            definitions = {(t.key, t.version): catalog.get(t.key, t.version) for t in traces}
        except EngineError:
            continue
        chosen = thresholds(definitions, traces, calendar, draws=draws).get(key)
        warn = chosen.warn_chance if chosen is not None else WARN_CHANCE
        out[key] = warn
        rows.append({"definition_key": key, "warn_chance": warn,
                     "misses": chosen.misses if chosen is not None else 0,
                     "finished": finished, "until": until, "computed_at": now})
    return out, rows


def _store_thresholds(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        conn.execute(_risk.delete().where(_risk.c.definition_key == row["definition_key"]))
        conn.execute(_risk.insert(), [row])


def save(session: Session, found: Predicted, directory: OrgDirectory, now: datetime,
         keys: Sequence[str] | None = None, catalog: Catalog | None = None,
         ids: Sequence[UUID] | None = None) -> Refreshed:
    """Write what ``predict_all`` found (a short write transaction); the caller commits.
    With ``ids``, only those requests' rows are replaced (finished ones lose theirs)."""
    conn = session.connection()
    _store_thresholds(conn, found.thresholds)
    _write(conn, found.rows, keys, ids)
    flagged, messages = _flag_risks(session, conn, catalog, found.risks, found.pending,
                                    directory, now)
    return Refreshed(len(found.rows), flagged, messages)


def predict_all(session: Session, catalog: Catalog, now: datetime,
                calendar: WorkingCalendar | None = None, *,
                keys: Sequence[str] | None = None, draws: int = DRAWS,
                ids: Sequence[UUID] | None = None, choose: bool | None = None) -> Predicted:
    """Predict every running request, or those of ``ids`` (reads only: a read session
    will do). ``choose`` (default: for the whole set, no ``ids``, as the worker's full
    refresh): also choose each process's at-risk threshold again when its history has
    changed (``warn_chances``); else the stored thresholds are used."""
    cal = _calendar(session, calendar)
    conn = session.connection()
    running = _running(conn, keys, ids)
    choose = ids is None if choose is None else choose
    ids = [r.id for r in running]
    pending = _pending(conn, ids)
    rows: list[dict[str, Any]] = []
    risks: list[tuple[Any, ProcessDefinition, Prediction, datetime | None]] = []
    by_key: dict[str, list[Any]] = {}
    for r in running:
        by_key.setdefault(r.definition_key, []).append(r)
    warn: dict[str, float] = {}
    chosen: list[dict[str, Any]] = []
    if choose and by_key:
        warn, chosen = warn_chances(session, catalog, by_key, now, cal, draws=draws)
    for key, group in by_key.items():
        histories = event_log.load_many(session, [r.id for r in group])
        learned: Learned | None = None
        for r in group:
            events = histories.get(r.id)
            if not events:
                continue
            try:
                defn = catalog.get(key, r.definition_version)
            except EngineError:
                continue
            if learned is None:  # the same cache as the request view (engine.analytics.live)
                learned = live.CACHE.get(conn.engine, defn, cal, conn)
                if key in warn:  # as just chosen (the request view's copy follows)
                    learned.warn_chance = warn[key]
            state = replay(events)
            found = live.forecast(defn, learned, state, events, now, draws=draws)
            p = found.prediction
            dues = [t.due_at for t in pending.get(r.id, []) if t.due_at is not None]
            rows.append({"instance_id": r.id, "definition_key": key,
                         "deadline_at": _dt(found.deadline), "due_at": _dt(min(dues, default=None)),
                         "median_at": p.median if p else None,
                         "p80_at": p.p80 if p else None,
                         "step_median_at": p.step_median if p else None,
                         "deadline_risk": bool(p and p.deadline_risk),
                         "sla_risk": bool(p and p.sla_risk),
                         "at_risk": found.at_risk, "computed_at": now})
            if p is not None and p.at_risk:
                risks.append((r, defn, p, found.deadline))
    return Predicted(rows, risks, pending, chosen)


def _write(conn: sa.Connection, rows: list[dict[str, Any]], keys: Sequence[str] | None,
           ids: Sequence[UUID] | None = None) -> None:
    stale = _fc.delete()
    if keys is not None:
        stale = stale.where(_fc.c.definition_key.in_(list(keys)))
    if ids is not None:
        for i in range(0, len(ids), 1000):
            conn.execute(stale.where(_fc.c.instance_id.in_(list(ids[i:i + 1000]))))
    else:
        conn.execute(stale)
    for i in range(0, len(rows), 2000):
        conn.execute(_fc.insert(), rows[i:i + 2000])


def _insert_once(conn: sa.Connection, row: dict[str, Any]) -> bool:
    """Insert a risk_flag row unless its (subject, reason) exists; True if inserted."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(_flag).values(**row).on_conflict_do_nothing(
        index_elements=["subject_id", "reason"]).returning(_flag.c.id)
    return conn.execute(stmt).first() is not None


def owners(conn: sa.Connection, directory: OrgDirectory, key: str, version: int
           ) -> list[str]:
    """The process owner: who published this version, else every process owner."""
    who = conn.execute(sa.select(_defn.c.created_by).where(
        _defn.c.key == key, _defn.c.version == version)).scalar()
    if who and who in directory.users:
        return [who]
    return sorted(u.username for u in directory.users.values() if u.is_process_owner)


def _flag_risks(session: Session, conn: sa.Connection, catalog: Catalog | None,
                risks: Iterable[tuple[Any, ProcessDefinition, Prediction, datetime | None]],
                pending: dict[UUID, list[Any]], directory: OrgDirectory, now: datetime
                ) -> tuple[int, int]:
    """Record each subject newly found at risk (a ``risk_flag`` row, whoever inserts it
    first) and append its ``RequestAtRisk`` event to the request's log with a
    ``MarkAtRisk`` command (``engine.service.mark_at_risk``): the messages to the
    requester, the holders and the process owner, and the ``on: at_risk`` escalations,
    are written from the event in the same transaction."""
    from engine.service import DbCatalog, mark_at_risk  # the service layer sits above

    catalog = catalog if catalog is not None else DbCatalog(session)
    flagged = messages = 0
    for r, defn, found, deadline in risks:
        tasks = pending.get(r.id, [])
        subjects: list[tuple[UUID | None, str, datetime | None, datetime | None]] = []
        if found.deadline_risk:
            subjects.append((None, "deadline", found.p80, deadline))
        if found.sla_risk:
            for t in tasks:
                if t.due_at is not None and now < t.due_at < found.step_median:
                    subjects.append((t.id, "sla", found.step_median, t.due_at))
        for task_id, reason, expected, limit in subjects:
            cmd = cmds.MarkAtRisk(
                reason="sla" if reason == "sla" else "deadline", expected=_dt(expected),
                limit=_dt(limit), task_id=task_id,
                chance=found.miss_chance if reason == "deadline" else None,
                notify=tuple(owners(conn, directory, defn.key, r.definition_version)))
            try:  # the flag and the event together, or neither (found again next round)
                with session.begin_nested():
                    if not _insert_once(conn, {
                            "subject_id": task_id or r.id, "reason": reason,
                            "instance_id": r.id, "definition_key": defn.key, "at": now,
                            "expected_at": expected, "limit_at": limit}):
                        continue
                    marked = mark_at_risk(session, catalog, directory, r.id, cmd, now)
            except (ConcurrentUpdate, sa.exc.IntegrityError):
                continue
            flagged += 1
            if marked:
                told = [r.initiator, *sorted({t.assignee for t in tasks
                                              if task_id is None or t.id == task_id}),
                        *cmd.notify]
                messages += len({u for u in told if u and u != "system"})
    return flagged, messages


MOVED_OVERLAP = timedelta(seconds=30)  # commands committing out of clock order


def _moved(conn: sa.Connection, since: datetime) -> list[UUID]:
    """Requests with an event at or after ``since`` (running or just finished)."""
    return list(conn.execute(sa.select(_inst.c.id).where(_inst.c.updated_at >= since))
                .scalars())


@dataclass
class ForecastDuty:
    """The worker's forecasts. Every ``every`` (and at its first round): all running
    requests. At every other round (the worker runs one whenever a command commits: it
    wakes on the commit's NOTIFY): only the requests that moved since the previous round
    (``instance.updated_at``, the time of their last event, with ``MOVED_OVERLAP`` of
    overlap), so a decision's new step, holder and prediction, and any new warning, follow
    within a worker round at the cost of one prediction per moved request. On PostgreSQL
    one worker writes at a time (a transaction-scoped advisory lock; the others skip the
    round and look again at the next)."""

    every: timedelta = timedelta(minutes=10)
    calendar: WorkingCalendar | None = None
    draws: int = DRAWS
    _last: datetime | None = None
    _seen: datetime | None = None  # the latest event time looked at

    def run(self, db: Any, now: datetime) -> int:
        from engine.store.definitions import DbCatalog
        from engine.store.org import current_directory
        full = self._last is None or now >= self._last + self.every
        # predict on a read session, then write in a short transaction (on SQLite the
        # one writer is not held while the Monte Carlo runs)
        with db.session(write=False) as session:
            conn = session.connection()
            latest = conn.execute(sa.select(sa.func.max(_inst.c.updated_at))).scalar()
            ids: list[UUID] | None = None
            if not full:
                if self._seen is None or latest is None or _utc(latest) <= self._seen:
                    return 0
                ids = _moved(conn, self._seen - MOVED_OVERLAP)
            predicted = predict_all(session, DbCatalog(session), now, self.calendar,
                                    draws=self.draws, ids=ids)
            directory = current_directory(session)
        with db.session() as session:
            if not try_lock(session):
                return 0
            saved = save(session, predicted, directory, now, ids=ids)
            session.commit()
        if full:
            self._last = now
        self._seen = _utc(latest) if latest is not None else datetime(1970, 1, 1, tzinfo=UTC)
        return saved.flagged

    def __call__(self, db: Any, now: datetime) -> int:  # a worker job (Worker.jobs)
        return self.run(db, now)

    def next_at(self, now: datetime) -> datetime | None:
        return now if self._last is None else self._last + self.every


def _utc(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


_LOCK = 0x5119_0FF_0C  # pg_advisory_xact_lock key of the forecast refresh


def try_lock(session: Session) -> bool:
    """PostgreSQL: take the refresh's advisory lock for this transaction, or False when
    another worker holds it; SQLite (one writer): True."""
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        return True
    return bool(conn.execute(sa.text("SELECT pg_try_advisory_xact_lock(:k)"),
                             {"k": _LOCK}).scalar())
__all__ = ["RECHOOSE", "RUNNING", "ForecastDuty", "Predicted", "Refreshed", "owners", "predict_all",
           "refresh", "save", "try_lock", "warn_chances"]
