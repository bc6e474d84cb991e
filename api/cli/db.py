"""``signoff db upgrade|downgrade|current|check``: the schema and the projections' health.

The database is ``--db``, else the app's settings (``SIGNOFF_DATABASE_URL``, ``.env``, then
``Settings``' default): every command, the server and Alembic read the same settings.
"""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli import app

db_app = typer.Typer(no_args_is_help=True, help="Database schema (Alembic) and consistency.")
app.add_typer(db_app, name="db")

DbOption = Annotated[str | None, typer.Option(
    "--db", help="Database URL (default: SIGNOFF_DATABASE_URL or .env, else the settings' "
                 "default, a SQLite file in the working folder).")]


def database_url(db: str | None) -> str:
    """``--db`` when given, else the configured database (``api.settings.Settings``)."""
    from api.settings import Settings

    return db or Settings().database_url


@db_app.command()
def upgrade(db: DbOption = None, revision: str = "head") -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    db = database_url(db)
    from engine.store import current
    from engine.store import upgrade as do_upgrade

    do_upgrade(db, revision)
    typer.echo(f"database at revision {current(db)}")


@db_app.command()
def downgrade(db: DbOption = None, revision: str = "base") -> None:
    """Revert migrations down to REVISION (default: base, an empty database)."""
    db = database_url(db)
    from engine.store import current
    from engine.store import downgrade as do_downgrade

    do_downgrade(db, revision)
    typer.echo(f"database at revision {current(db) or 'base'}")


@db_app.command("current")
def show_current(db: DbOption = None) -> None:
    """Print the database's revision and the newest one."""
    db = database_url(db)
    from engine.store import current, head

    typer.echo(f"database: {current(db) or 'base'}; newest: {head()}")


@db_app.command()
def check(db: DbOption = None) -> None:
    """Replay every instance's events and compare with the instance, task, node visit
    and cc rows; list every disagreement. Exit 1 if any (or the schema is not current)."""
    db = database_url(db)
    from rich.progress import Progress

    from engine.service import check as check_projections
    from engine.store import current, head, open_database

    if (at := current(db)) != head():
        typer.echo(f"database at revision {at or 'base'}, newest is {head()}: "
                   "run `signoff db upgrade`", err=True)
        raise typer.Exit(1)
    database = open_database(db)
    try:
        with database.session(write=False) as session, Progress(transient=True) as bar:
            job = bar.add_task("checking instances", total=None)
            found = check_projections(session, progress=lambda n: bar.advance(job, n))
    finally:
        database.dispose()
    for d in found:
        typer.echo(str(d))
    typer.echo(f"{len(found)} discrepanc{'y' if len(found) == 1 else 'ies'}")
    if found:
        raise typer.Exit(1)


@db_app.command()
def rebuild(db: DbOption = None) -> None:
    """Recompute the instance, task, node visit and cc rows from the event log.
    Run it with the app stopped: commands committing meanwhile could be overwritten."""
    db = database_url(db)
    from rich.progress import Progress

    from engine.service import rebuild_projections
    from engine.store import open_database

    database = open_database(db)
    try:
        with database.session() as session, Progress(transient=True) as bar:
            job = bar.add_task("rebuilding", total=None)
            n = rebuild_projections(session, progress=lambda k: bar.advance(job, k))
            session.commit()
    finally:
        database.dispose()
    typer.echo(f"rebuilt the projections of {n} instances")
