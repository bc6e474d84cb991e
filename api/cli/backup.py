"""``signoff backup FILE`` and ``signoff restore FILE``: a consistent copy of a live
database, and loading one into an empty database (then ``signoff db check``).

The database is ``--db``, else the configured one (``SIGNOFF_DATABASE_URL``, ``.env``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from api.cli import app
from api.cli.db import DbOption, database_url

_console = Console(stderr=True)
ATTACHMENTS = ("Attachments: the files are not in this backup; copy the attachment store "
               "too (SIGNOFF_ATTACHMENTS_DIR, or the S3 bucket). Files are never changed or "
               "deleted, so copying the new ones is enough.")


def _bar() -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                    MofNCompleteColumn(), TimeElapsedColumn(), console=_console,
                    transient=True)


@app.command("backup")
def backup_command(
    file: Annotated[Path, typer.Argument(help="The backup file to write (must not exist).")],
    db: DbOption = None,
    logical: Annotated[bool, typer.Option(
        "--logical", help="A portable export of every table (restores into SQLite or "
                          "PostgreSQL) instead of SQLite's backup API or pg_dump.")] = False,
) -> None:
    """Copy a live database consistently: SQLite's online backup API, PostgreSQL's
    pg_dump when installed (else, or with --logical, every table read in one snapshot)."""
    from engine.store.backup import backup

    with _bar() as bar:
        job = bar.add_task("backing up", total=None)
        try:
            done = backup(database_url(db), file, "logical" if logical else "auto",
                          lambda n, total: bar.update(job, completed=n, total=total))
        except (FileExistsError, FileNotFoundError, ValueError, RuntimeError) as exc:
            _console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from None
    rows = sum(done.rows.values())
    typer.echo(f"backup written to {file} ({done.method}, schema revision "
               f"{done.revision or 'unknown'}, {file.stat().st_size:,} bytes"
               + (f", {rows:,} rows in {len(done.rows)} tables" if done.rows else "") + ")")
    typer.echo(ATTACHMENTS)


@app.command("restore")
def restore_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                         help="A file written by `signoff backup`.")],
    db: DbOption = None,
) -> None:
    """Load a backup into an EMPTY database (a new SQLite file, or an empty PostgreSQL
    database or schema), bring its schema to the newest revision, then run `signoff db
    check` on it."""
    from engine.store.backup import NotEmpty, restore

    with _bar() as bar:
        job = bar.add_task("restoring", total=None)
        try:
            done = restore(database_url(db), file,
                           lambda n, total: bar.update(job, completed=n, total=total))
        except (NotEmpty, ValueError, RuntimeError) as exc:
            _console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from None
    rows = sum(done.rows.values())
    typer.echo(f"restored {file} ({done.method}" +
               (f", {rows:,} rows" if done.rows else "") +
               "); now run `signoff db check`")
    typer.echo(ATTACHMENTS)
