"""``signoff report --send PROCESS``: send the process's daily report now (to the
recipients of its ``report: {daily: ...}``); the worker delivers it. ``--due`` sends what
is due today and any day missed, as the worker would."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console

from api.cli import app
from api.settings import Settings

DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (default: "
                                              "SIGNOFF_DATABASE_URL).")]


@app.command()
def report(process: Annotated[str, typer.Argument(help="Process key")],
           send: Annotated[bool, typer.Option("--send", help="Send one now.")] = False,
           due: Annotated[bool, typer.Option("--due", help="Send what is due, once.")] = False,
           db: DbOption = None) -> None:
    """Send a process's daily report now (--send) or what is due (--due)."""
    from api.background import configure, org_calendar
    from engine import daily_report
    from engine.store import open_database
    from engine.store.definitions import DbCatalog
    from engine.store.org import current_directory

    if send == due:
        raise typer.BadParameter("give one of --send or --due")
    settings = Settings(database_url=db) if db else Settings()
    database = open_database(settings.database_url)
    configure(settings, database)
    now = datetime.now(UTC)
    try:
        with database.session() as session:
            defn = DbCatalog(session).get(process)
            if defn.report is None:
                raise typer.BadParameter(f"{process} has no daily report (report: daily:)")
            directory = current_directory(session)
            if send:
                today = now.astimezone(ZoneInfo(defn.report.time_zone)).date()
                n = daily_report.send(session, defn, today, now, directory, force=True)
            else:
                n = sum(daily_report.send(session, defn, day, now, directory)
                        for day in daily_report.due_days(
                            defn.report, daily_report.last_sent(session.connection(), process),
                            now, org_calendar(settings)))
            session.commit()
        Console().print(f"{n} report message(s) written to the outbox")
    finally:
        database.dispose()
