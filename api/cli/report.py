"""``signoff report PROCESS --send``: send the process's daily report now (to the
recipients of its ``report: {daily: ...}``); the worker delivers it. ``--due`` sends what
is due today and any day missed, as the worker would."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import typer
from rich.console import Console

from api.settings import Settings


def send_daily_report(process: str, send: bool, due: bool, db: str | None) -> None:
    """Send a process's daily report now (--send) or what is due (--due); the options of
    ``signoff report`` (api/cli/analytics.py), which otherwise writes the efficiency
    report."""
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
