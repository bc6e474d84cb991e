"""``signoff serve``, ``signoff demo`` and ``signoff password``.

``serve`` prepares the database once (migrations, org directory, definitions, and with
``--demo`` the demo passwords and, on an empty database, the demo history), then runs
uvicorn with the app factory ``api.app:app_from_env`` in one or more worker processes.
The effective settings reach the workers as ``SIGNOFF_*`` environment variables, the same
way an operator would set them.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.cli import app
from api.settings import Settings

_console = Console()

DbOption = Annotated[str | None, typer.Option(
    "--db", help="Database URL (default: SIGNOFF_DATABASE_URL, else sqlite:///./signoff.db)")]
DefinitionsOption = Annotated[Path | None, typer.Option(
    "--definitions", help="Folder of definition YAML files and org.yaml (default: definitions)")]


def _settings(db: str | None, demo: bool, definitions: Path | None) -> Settings:
    overrides: dict[str, object] = {}
    if db:
        overrides["database_url"] = db
    if demo:
        overrides["demo"] = True
    if definitions is not None:
        overrides["definitions_dir"] = definitions
    return Settings(**overrides)  # type: ignore[arg-type]


def _print_users(users: list[tuple[str, str, str, str]], where: str) -> None:
    table = Table(title=f"Demo users (sign in at {where})")
    for column in ("username", "password", "name", "does"):
        table.add_column(column)
    for row in users:
        table.add_row(*row)
    _console.print(table)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    db: DbOption = None,
    demo: Annotated[bool, typer.Option(
        "--demo", help="Load the demo org and definitions and, on an empty database, the "
                       "demo history; print the demo users.")] = False,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    definitions: DefinitionsOption = None,
    no_worker: Annotated[bool, typer.Option(
        "--no-worker", help="Do not run the timers and outbox worker in this process "
                            "(run `signoff worker` elsewhere).")] = False,
) -> None:
    """Run the API and the UI (SQLite in the working folder unless --db says otherwise),
    with a worker that fires timers and delivers the outbox."""
    import uvicorn

    from api.logs import configure
    from api.prepare import prepare

    settings = _settings(db, demo, definitions)
    configure(settings.log_format, settings.log_level)
    ready = prepare(settings, console=_console)
    if demo:
        if ready.history_note:
            _console.print(ready.history_note)
        _print_users([(u.username, u.password, u.name, u.description)
                      for u in ready.demo_users], f"http://{host}:{port}/")
    os.environ.update({
        "SIGNOFF_DATABASE_URL": settings.database_url,
        "SIGNOFF_DEMO": "true" if settings.demo else "false",
        "SIGNOFF_DEFINITIONS_DIR": str(settings.definitions_dir.resolve()),
        "SIGNOFF_UI_DIST": str(settings.ui_dist.resolve()),
        "SIGNOFF_JWT_SECRET": settings.secret(),
        "SIGNOFF_WORKER": "false" if no_worker else "true",
    })
    if demo and "SIGNOFF_PUBLIC_URL" not in os.environ:  # where the demo logistics
        os.environ["SIGNOFF_PUBLIC_URL"] = f"http://{host}:{port}"  # system calls back
    if not (settings.ui_dist / "index.html").is_file():
        _console.print(f"[yellow]UI not built ({settings.ui_dist}): run bin/setup; "
                       "the API works meanwhile.[/yellow]")
    _console.print(f"[bold]Signoff[/bold] on http://{host}:{port}/  (API docs at /docs; "
                   f"database {ready.database})")
    # No ``server`` header; forwarded headers are read by the app itself, from the proxies
    # in SIGNOFF_TRUSTED_PROXIES only (api.security). Logging is ours (api.logs: text or
    # JSON, one line per request with its id): uvicorn neither configures it nor writes
    # its own access log.
    uvicorn.run("api.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level=settings.log_level.lower(), log_config=None, access_log=False,
                server_header=False, proxy_headers=False)


@app.command("demo")
def demo_command(
    db: DbOption = None, definitions: DefinitionsOption = None,
    until: Annotated[datetime | None, typer.Option(
        "--until", formats=["%Y-%m-%d"],
        help="The day the demo history ends (at 00:00 UTC), YYYY-MM-DD (default: now). "
             "The same day writes the same history, so its figures can be reproduced.")
    ] = None,
) -> None:
    """Load the demo org, definitions and passwords into a database and write the demo
    history with a progress bar (the database must hold no requests yet)."""
    from api.prepare import prepare, seed_demo_history
    from engine.store import open_database

    end = until.replace(tzinfo=UTC) if until is not None else None
    settings = _settings(db, True, definitions)
    ready = prepare(settings, console=_console, seed_history=False)
    database = open_database(settings.database_url)
    try:
        note = seed_demo_history(database, settings, console=_console, until=end)
    finally:
        database.dispose()
    _console.print(note)
    if not note.startswith("Demo history written"):
        raise typer.Exit(1)
    _print_users([(u.username, u.password, u.name, u.description)
                  for u in ready.demo_users], "signoff serve")


@app.command("password")
def password_command(
    username: Annotated[str, typer.Argument(help="The user whose password to set.")],
    db: DbOption = None,
    password: Annotated[str, typer.Option(
        prompt=True, hide_input=True, confirmation_prompt=True,
        help="The new password (asked for when not given).")] = "",
) -> None:
    """Set a user's sign-in password (users come from the org directory); the user's
    earlier tokens, API tokens included, stop working."""
    from datetime import UTC, datetime

    from api.audit import cli_actor
    from api.schemas import PASSWORD_MAX
    from api.tokens import hash_password
    from engine import signin
    from engine.store import open_database

    if not 8 <= len(password) <= PASSWORD_MAX:
        raise typer.BadParameter(f"use 8 to {PASSWORD_MAX} characters", param_hint="--password")
    new_hash = hash_password(password)
    database = open_database(_settings(db, False, None).database_url)
    try:
        with database.session() as session:
            found = signin.set_password_hash(session, username, new_hash, datetime.now(UTC),
                                             actor=cli_actor(), action="password.reset")
    finally:
        database.dispose()
    if not found:
        _console.print(f"[red]No user {username!r} in the directory[/red]")
        raise typer.Exit(1)
    _console.print(f"Password of {username} set; tokens issued before it no longer work.")
