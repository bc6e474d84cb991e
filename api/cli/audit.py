"""``signoff audit``: administrative actions, newest first, with filters; ``--csv FILE``
exports every matching row (``-`` for standard output).

The database is ``--db``, else the configured one (``SIGNOFF_DATABASE_URL``, ``.env``).
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.cli import app
from api.cli.db import DbOption, database_url

_console = Console()


def _aware(value: datetime | None, name: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise typer.BadParameter("give a UTC offset (2026-03-01T00:00:00+00:00)",
                                 param_hint=name)
    return value


@app.command("audit")
def audit_command(
    db: DbOption = None,
    actor: Annotated[str | None, typer.Option(help="Who did it.")] = None,
    action: Annotated[str | None, typer.Option(
        help="An action (token.issue), or a prefix ending in '.' (token.).")] = None,
    subject: Annotated[str | None, typer.Option(help="What it was done to.")] = None,
    since: Annotated[datetime | None, typer.Option(
        formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z"],
        help="From this time (with a UTC offset).")] = None,
    until: Annotated[datetime | None, typer.Option(
        formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z"],
        help="Before this time (with a UTC offset).")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Rows shown (not for --csv).")] = 50,
    csv_file: Annotated[Path | None, typer.Option(
        "--csv", help="Write every matching row as CSV to this file ('-': stdout).")] = None,
) -> None:
    """List administrative actions: definitions published, passwords changed, API tokens
    issued and revoked, sign-in failures, outbox retries."""
    from api.routes.audit import csv_lines
    from engine.store import audit, open_database

    query = audit.AuditQuery(actor, action, subject, _aware(since, "--since"),
                             _aware(until, "--until"))
    database = open_database(database_url(db))
    try:
        with database.session(write=False) as session:
            if csv_file is not None:
                rows = audit.iter_entries(session, query)
                if str(csv_file) == "-":
                    sys.stdout.writelines(csv_lines(rows))
                    return
                with csv_file.open("w", encoding="utf-8", newline="") as fh:
                    fh.writelines(csv_lines(rows))
                typer.echo(f"{audit.count(session, query)} rows written to {csv_file}",
                           err=True)
                return
            found = audit.entries(session, query, limit)
            total = audit.count(session, query)
    finally:
        database.dispose()
    table = Table(title=f"audit log ({len(found)} of {total})")
    for column in ("at", "actor", "action", "subject", "detail", "request"):
        table.add_column(column)
    for r in found:
        detail = ", ".join(f"{k}={v}" for k, v in sorted(r.detail.items()))
        table.add_row(r.at.isoformat(timespec="seconds"), r.actor or "", r.action, r.subject,
                      detail, r.request_id or "")
    _console.print(table)
