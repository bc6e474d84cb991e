"""``signoff org import FILE``: sync the org directory from an HR export (YAML, or a
users CSV with ``--units`` for the units CSV). Without ``--apply`` it only previews: new,
moved, changed and leaving users, unit changes, and the open tasks that move to the
leavers' managers. ``--apply`` writes it (recorded in the audit log) and hands the tasks
over. Columns: docs/operations.md.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from api.cli import app
from api.cli.db import DbOption, database_url

org_app = typer.Typer(no_args_is_help=True, help="The org directory: import from HR.")
app.add_typer(org_app, name="org")


@org_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="The whole org: org.yaml, or a users CSV.")],
    units: Annotated[Path | None, typer.Option(
        help="With a users CSV: the units CSV (id,name,name_zh,kind,parent,head).")] = None,
    apply: Annotated[bool, typer.Option(
        "--apply/--dry-run", help="Write the changes (default: only preview them).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Preview (default) or apply an org directory from HR."""
    from api.audit import cli_actor
    from api.org_view import sync_out, sync_text
    from engine import org_sync
    from engine.core.directory import load_directory
    from engine.core.errors import DefinitionInvalid
    from engine.store import open_database

    try:
        incoming = load_directory(file, units)
    except DefinitionInvalid as exc:
        for error in exc.errors:
            typer.echo(str(error))
        raise typer.Exit(1) from None
    except (OSError, UnicodeDecodeError) as exc:
        typer.echo(f"{file}:1:1: cannot read: {exc}")
        raise typer.Exit(1) from None
    database = open_database(database_url(db))
    try:
        with database.session() as session:
            if apply:
                result = org_sync.apply(session, incoming, datetime.now(UTC),
                                        actor=cli_actor(), source=str(file))
            else:
                result = org_sync.preview(session, incoming)
                session.rollback()
    finally:
        database.dispose()
    if as_json:
        typer.echo(json.dumps(sync_out(result).model_dump(mode="json"), indent=2))
    else:
        typer.echo(sync_text(result))
