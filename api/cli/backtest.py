"""``signoff backtest [PROCESS]``: would the at-risk warnings have been right?

Replays the finished requests of the history (one process, or all), predicting at each
step entry and each working morning with only the requests finished before that moment,
and scores the warnings against the real deadline misses next to today's overdue flag
(``engine.analytics.backtest``; docs/prediction.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markdown import Markdown

from api.cli import app
from api.cli.analytics import Country, Hours, Tz, _fail, _progress
from api.cli.db import DbOption, database_url


def _history(db: str, key: str | None) -> tuple[dict[tuple[str, int], Any], list[Any]]:
    from engine.analytics.store import load_traces
    from engine.store import open_database
    from engine.store.definitions import DbCatalog

    database = open_database(db)
    try:
        with database.session(write=False) as session:
            with _progress("reading the history") as tick:
                traces = load_traces(session, key, finished_only=True, progress=tick)
            catalog = DbCatalog(session)
            versions = {(t.key, t.version) for t in traces}
            definitions = {v: catalog.get(*v) for v in sorted(versions)}
    finally:
        database.dispose()
    return definitions, traces


@app.command()
def backtest(
    process: Annotated[str | None, typer.Argument(help="Process key (default: all).")] = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Also write the scores here (.json or .md).")] = None,
    draws: Annotated[int, typer.Option(min=50, max=20000,
                                       help="Monte Carlo draws per prediction.")] = 1000,
    mornings: Annotated[bool, typer.Option(
        help="Also predict at the start of each working day (the worker's refresh).")
    ] = True,
    country: Country = "CN", timezone: Tz = "Asia/Shanghai", hours: Hours = "09:00-18:00",
) -> None:
    """Replay the history and score at-risk warnings: precision, recall, lead time and
    calibration, next to the overdue flag."""
    from engine.analytics.backtest import replay, score, to_markdown
    from engine.analytics.calendar import CalendarInvalid, WorkingCalendar, parse_hours

    try:
        start, end = parse_hours(hours)
        cal = WorkingCalendar(country or None, timezone, start, end)
    except CalendarInvalid as exc:
        raise _fail(str(exc)) from None
    db = database_url(db)
    definitions, traces = _history(db, process)
    if not traces:
        raise _fail(f"no finished requests{f' of {process!r}' if process else ''} in {db}")
    with _progress("replaying") as tick:
        rows = replay(definitions, traces, cal, draws=draws, refresh=mornings, progress=tick)
    scores = score(rows, cal)
    text = json.dumps(scores, indent=1) + "\n" if as_json else to_markdown(scores)
    if out is not None:
        out.write_text(json.dumps(scores, indent=1) + "\n" if out.suffix.lower() == ".json"
                       else to_markdown(scores), encoding="utf-8")
    if as_json:
        typer.echo(text, nl=False)
    else:
        Console().print(Markdown(text))
