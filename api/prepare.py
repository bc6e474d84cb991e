"""Getting a database ready to serve: migrations, the org directory, the definitions,
and in demo mode the demo passwords and history. ``signoff serve`` runs this once before
starting any worker; ``signoff demo`` runs it with the history forced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import func
from sqlmodel import Session, select

from api.background import configure
from api.settings import Settings
from api.tokens import hash_password
from engine import demo, org_sync, service
from engine.core.directory import load_directory as read_directory_file
from engine.demo import DemoUser
from engine.store import AppUser, Database, Instance, open_database, upgrade
from engine.store.startup_lock import startup_lock


@dataclass
class Prepared:
    database: str
    definitions: list[str] = field(default_factory=list)
    users: int = 0
    demo_users: list[DemoUser] = field(default_factory=list)
    history_note: str | None = None


def _set_missing_passwords(session: Session, users: list[DemoUser]) -> None:
    """Give demo users their password, once (argon2 is slow on purpose)."""
    by_name = {u.username: u for u in users}
    hashes: dict[str, str] = {}  # demo users share passwords: hash each one once
    for row in session.exec(select(AppUser)).all():
        demo = by_name.get(row.username)
        if demo is not None and row.password_hash is None:
            if demo.password not in hashes:
                hashes[demo.password] = hash_password(demo.password)
            row.password_hash = hashes[demo.password]
            session.add(row)
    session.commit()


def prepare(settings: Settings, *, console: Console | None = None,
            seed_history: bool = True, now: datetime | None = None) -> Prepared:
    out = console or Console(stderr=True)
    # One process at a time: several servers started together on one database migrate
    # it, and store the org and the definitions, once.
    with startup_lock(settings.database_url):
        return _prepare(settings, out, seed_history, now)


def _prepare(settings: Settings, out: Console, seed_history: bool, now: datetime | None
             ) -> Prepared:
    url = settings.database_url
    upgrade(url)
    db = open_database(url)
    try:
        result = Prepared(database=db.url.render_as_string(hide_password=True))
        with db.session() as session:
            org_file = settings.resolved_org_file()
            if org_file is not None and org_sync.synced(session):
                out.print(f"Org file {org_file} not read: the directory is synced from HR "
                          "(signoff org import, /api/admin/org/sync)")
            elif org_file is not None:
                service.save_directory(session, read_directory_file(org_file))
                session.commit()
            directory = service.load_directory(session)
            result.users = len(directory.users)
            if settings.definitions_dir.is_dir():
                stored = service.sync_definitions(session, settings.definitions_dir, directory,
                                                  now=now or datetime.now(UTC))
                result.definitions = [f"{d.key} v{d.version}" for d in stored]
            # timers counted in working time follow a changed org calendar (settings)
            configure(settings, db)
            moved = service.recompute_timers(session, service.DbCatalog(session))
            if moved:
                out.print(f"Org calendar changed: {moved} pending timers recomputed")
            if settings.demo:
                result.demo_users = demo.demo_users()
                _set_missing_passwords(session, result.demo_users)
        out.print(f"Database ready ({result.database}): {result.users} users, "
                  f"definitions: {', '.join(result.definitions) or 'none'}")
        if settings.demo and seed_history:
            result.history_note = seed_demo_history(db, settings, console=out)
        return result
    finally:
        db.dispose()


def _instance_count(db: Database) -> int:
    with db.session(write=False) as session:
        return int(session.exec(select(func.count()).select_from(Instance)).one())


def seed_demo_history(db: Database, settings: Settings, *,
                      console: Console | None = None, until: datetime | None = None) -> str:
    """Write the demo history with a progress bar, on an empty database only (the demo's
    ids are deterministic), ending at ``until`` (default: now; a fixed moment makes the
    same history, and the same backtest figures, whatever day it is written). Returns a
    note for the operator saying what happened."""
    out = console or Console(stderr=True)
    existing = _instance_count(db)
    if existing:
        return f"Demo history kept: the database already holds {existing} requests."
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=out) as bar:
        task = bar.add_task("Writing demo history", total=None)

        def progress(done: int, total: int | None = None) -> None:
            bar.update(task, completed=done, total=total)

        demo.seed(db, definitions_dir=settings.definitions_dir, now=until,
                  progress=progress)
    with db.session() as session:  # the running requests' reminders and escalations
        from api.background import configure
        configure(settings, db)
        service.schedule_timers(session, service.DbCatalog(session))
    return f"Demo history written: {_instance_count(db)} requests."


__all__ = ["Prepared", "prepare", "seed_demo_history"]
