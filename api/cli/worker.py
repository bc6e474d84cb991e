"""``signoff worker`` (fire due timers, deliver the outbox) and ``signoff outbox
list|retry`` (what waits, what failed; send dead letters again).

The database is ``--db``, else ``SIGNOFF_DATABASE_URL``; channels and the calendar come
from the same settings as ``signoff serve`` (``SIGNOFF_SMTP_HOST``...).
"""

from __future__ import annotations

import signal
import threading
from datetime import UTC, datetime, timedelta
from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console
from rich.table import Table

from api.cli import app
from api.settings import Settings

_console = Console()
outbox_app = typer.Typer(no_args_is_help=True, help="The outbox: messages waiting, sent, dead.")
app.add_typer(outbox_app, name="outbox")

DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (default: "
                                              "SIGNOFF_DATABASE_URL).")]


def _settings(db: str | None) -> Settings:
    return Settings(database_url=db) if db else Settings()


@app.command()
def worker(db: DbOption = None,
           once: Annotated[bool, typer.Option(help="One round, then exit.")] = False,
           metrics_port: Annotated[int | None, typer.Option(
               help="Serve this worker's /metrics on this port.")] = None,
           metrics_host: Annotated[str, typer.Option(
               help="Interface for --metrics-port.")] = "127.0.0.1",
           ahead: Annotated[float, typer.Option(
               min=0, help="Act as if the clock were this many seconds ahead (tests and "
                           "demos: fire now what falls due later).")] = 0.0) -> None:
    """Fire due timers and deliver the outbox until stopped (Ctrl-C or SIGTERM). Run
    any number of them on PostgreSQL; on SQLite the serving process runs one already."""
    from api.background import worker_for
    from api.clock import system_clock
    from api.logs import configure as configure_logs
    from api.metrics import start_http_server
    from engine.store import open_database

    settings = _settings(db)
    configure_logs(settings.log_format, settings.log_level)
    database = open_database(settings.database_url)
    clock = system_clock if not ahead else (
        lambda: datetime.now(UTC) + timedelta(seconds=ahead))
    work, channels = worker_for(settings, database, clock)
    if metrics_port is not None:
        start_http_server(metrics_port, metrics_host)
    try:
        if once:
            fired, sent = work.run_once()
            _console.print(f"fired {fired} timers, delivered {sent} messages")
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        names = ", ".join(sorted(channels)) or "none (messages stay in the outbox)"
        _console.print(f"worker on {database.url.render_as_string(hide_password=True)}; "
                       f"channels: {names}")
        work.run(stop)
    finally:
        for channel in channels.values():
            channel.close()
        database.dispose()


@outbox_app.command("list")
def list_command(db: DbOption = None,
                 status: Annotated[str | None, typer.Option(
                     help="pending, sent or dead (default: all)")] = None,
                 limit: int = 50) -> None:
    """The newest outbox messages."""
    from engine.outbox import list_messages
    from engine.store import open_database

    database = open_database(_settings(db).database_url)
    try:
        with database.session(write=False) as session:
            rows = list_messages(session, status=status, limit=limit)
    finally:
        database.dispose()
    table = Table(title=f"outbox ({len(rows)} shown)")
    table.add_column("id", overflow="fold")  # whole: `signoff outbox retry ID` takes it
    for column in ("kind", "recipient", "channel", "status"):
        table.add_column(column, no_wrap=True)
    for column in ("attempts", "next", "last error"):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(str(r.id), r.kind, r.recipient, r.channel, r.status, str(r.attempts),
                      r.next_attempt_at.isoformat() if r.next_attempt_at else "",
                      (r.last_error or "")[:60])
    _console.print(table)


@outbox_app.command("retry")
def retry_command(ids: Annotated[list[str] | None, typer.Argument(
                      help="Message ids (default: every dead message).")] = None,
                  db: DbOption = None) -> None:
    """Send dead messages again (attempts reset, due now)."""
    from api.audit import cli_actor
    from api.audit import note as audit_note
    from engine.outbox import retry
    from engine.store import open_database

    database = open_database(_settings(db).database_url)
    try:
        with database.session() as session:
            count = retry(session, [UUID(i) for i in ids] if ids else None)
            audit_note(session, "outbox.retried", cli_actor(),
                       f"{len(ids)} message(s)" if ids else "dead messages",
                       datetime.now(UTC), ids=list(ids or []), queued=count)
            session.commit()
    finally:
        database.dispose()
    _console.print(f"{count} message(s) queued again")
