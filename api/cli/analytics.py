"""``signoff analyze LOG``, ``signoff report KEY``, ``signoff export KEY``: approval
efficiency from an external event log or from Signoff's own history.

Output goes to the terminal as Markdown, or to ``--out`` files whose extension picks
the format (``.json``, ``.csv``, ``.md``, ``.html``); ``--out`` may be repeated.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

from api.cli import app
from api.cli.db import DbOption, database_url

OutOption = Annotated[list[Path] | None, typer.Option(
    "--out", "-o", help="Write the report here; .json, .csv, .md or .html (repeatable).")]
Country = Annotated[str, typer.Option(help="Public holidays of this country ('' for none).")]
Tz = Annotated[str, typer.Option("--timezone", help="Time zone of the working calendar.")]
Hours = Annotated[str, typer.Option(help="Working hours, HH:MM-HH:MM.")]
Remove = Annotated[list[str] | None, typer.Option(
    "--what-if-remove", help="Replay without this step (repeatable).")]
SkipOpt = Annotated[list[str] | None, typer.Option(
    "--what-if-skip", help="Replay skipping STEP when CONDITION holds: 'STEP:CONDITION'.")]
MaxStop = Annotated[float, typer.Option(help="A stamp stops fewer than this share (upper bound).")]
FastShare = Annotated[float, typer.Option(
    help="Fast: median wait <= this share of the median cycle time.")]
FastRatio = Annotated[float, typer.Option(
    help="Or fast: median wait <= this x the other steps' typical median wait.")]
MinDecisions = Annotated[int, typer.Option(help="Decisions a step needs before it is judged.")]
StampCeiling = Annotated[float, typer.Option(
    help="A rubber stamp is decided within this many minutes of working time (median).")]
Words = Annotated[list[str] | None, typer.Option(
    help="Decision words (comma-separated, repeatable) replacing the English and Chinese "
         "defaults; a label ending in one, or an outcome cell holding one, is that decision.")]


def _fail(msg: str) -> typer.Exit:
    typer.echo(f"error: {msg}", err=True)
    return typer.Exit(2)


def _settings(country: str, timezone: str, hours: str, max_stop_rate: float,
              fast_share: float, fast_ratio: float, min_decisions: int,
              stamp_minutes: float = 15.0) -> Any:
    from engine.analytics.calendar import WorkingCalendar, parse_hours
    from engine.analytics.judge import Thresholds
    from engine.analytics.report import Settings

    start, end = parse_hours(hours)
    cal = WorkingCalendar(country or None, timezone, start, end)
    return Settings(Thresholds(max_stop_rate=max_stop_rate, fast_share=fast_share,
                               fast_ratio=fast_ratio, min_decisions=min_decisions,
                               stamp_ceiling_s=stamp_minutes * 60), cal)


def _words(approve: list[str] | None, reject: list[str] | None, ret: list[str] | None
           ) -> dict[str, tuple[str, ...]]:
    from engine.analytics.mapping import DEFAULT_WORDS

    out: dict[str, tuple[str, ...]] = {}
    for outcome, given in (("approve", approve), ("reject", reject), ("return", ret)):
        if given is None:
            out[outcome] = DEFAULT_WORDS[outcome]  # type: ignore[index]
        else:
            out[outcome] = tuple(w.strip() for g in given for w in g.split(",") if w.strip())
    return out


def _emit(report: dict[str, Any], outs: list[Path] | None) -> None:
    from engine.analytics.html import to_html
    from engine.analytics.render import to_csv, to_markdown

    writers: dict[str, Callable[[dict[str, Any]], str]] = {
        ".json": lambda r: json.dumps(r, indent=1, ensure_ascii=False) + "\n",
        ".csv": to_csv, ".md": to_markdown, ".html": to_html}
    for out in outs or []:
        if out.suffix.lower() not in writers:
            raise _fail(f"{out}: unknown report format (use .json, .csv, .md or .html)")
    if not outs:
        Console().print(Markdown(to_markdown(report)))
        return
    for out in outs:
        out.write_text(writers[out.suffix.lower()](report), encoding="utf-8")
        typer.echo(f"wrote {out}")


def _what_if(history: Any, report: dict[str, Any], remove: list[str] | None,
             skip: list[str] | None) -> None:
    from engine.analytics.whatif import Skip, what_if

    if not remove and not skip:
        return
    skips = []
    for s in skip or []:
        step, sep, cond = s.partition(":")
        if not sep or not cond.strip():
            raise _fail(f"--what-if-skip {s!r}: expected 'STEP:CONDITION'")
        skips.append(Skip(step.strip(), cond.strip()))
    report["what_if"] = what_if(history, remove or [], skips)


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
    with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                  TimeRemainingColumn(), transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


@app.command()
def analyze(
    log: Annotated[Path, typer.Argument(help="Event log: .xes, .xes.gz, .csv or .csv.gz.")],
    out: OutOption = None,
    pattern: Annotated[str | None, typer.Option(
        help="Regex on activity labels with named groups step, or object+role, and verb.")
    ] = None,
    requester_role: Annotated[list[str] | None, typer.Option(
        help="Roles whose decisions are the requester's own (default EMPLOYEE).")] = None,
    case_column: Annotated[str | None, typer.Option(help="CSV: case id column.")] = None,
    activity_column: Annotated[str | None, typer.Option(help="CSV: activity column.")] = None,
    timestamp_column: Annotated[str | None, typer.Option(help="CSV: timestamp column.")] = None,
    resource_column: Annotated[str | None, typer.Option(help="CSV: resource column.")] = None,
    outcome_column: Annotated[str | None, typer.Option(help="CSV: outcome column.")] = None,
    delimiter: Annotated[str | None, typer.Option(help="CSV: field delimiter.")] = None,
    country: Country = "CN", timezone: Tz = "Asia/Shanghai", hours: Hours = "09:00-18:00",
    max_stop_rate: MaxStop = 0.05, fast_share: FastShare = 0.02, fast_ratio: FastRatio = 0.25,
    min_decisions: MinDecisions = 30, stamp_minutes: StampCeiling = 15.0,
    approve_words: Words = None, reject_words: Words = None, return_words: Words = None,
    what_if_remove: Remove = None, what_if_skip: SkipOpt = None,
) -> None:
    """Analyse an external event log: steps, rubber stamps, bottlenecks, what-if."""
    from engine.analytics.calendar import CalendarInvalid
    from engine.analytics.logs import LogInvalid, read_log
    from engine.analytics.mapping import DEFAULT_PATTERN, LabelMapping, MappingInvalid
    from engine.analytics.report import analyse
    from engine.analytics.whatif import WhatIfInvalid

    try:
        settings = _settings(country, timezone, hours, max_stop_rate, fast_share, fast_ratio,
                             min_decisions, stamp_minutes)
        mapping = LabelMapping(pattern=pattern or DEFAULT_PATTERN, requester_roles=frozenset(
            requester_role if requester_role is not None else ["EMPLOYEE"]),
            words=_words(approve_words, reject_words, return_words))  # type: ignore[arg-type]
        with _progress(f"reading {log.name}") as tick:
            history = read_log(log, mapping, tick, case=case_column, activity=activity_column,
                               timestamp=timestamp_column, resource=resource_column,
                               outcome=outcome_column, delimiter=delimiter)
        report = analyse(history, settings)
        _what_if(history, report, what_if_remove, what_if_skip)
    except (LogInvalid, MappingInvalid, CalendarInvalid, WhatIfInvalid) as exc:
        raise _fail(str(exc)) from None
    _emit(report, out)


def _date(text: str | None, name: str) -> dt.datetime | None:
    if not text:
        return None
    try:
        d = dt.datetime.fromisoformat(text)
    except ValueError:
        raise _fail(f"--{name} {text!r}: expected an ISO date such as 2026-01-31") from None
    return d if d.tzinfo else d.replace(tzinfo=dt.UTC)


def _load(db: str | None, key: str, since: str | None, until: str | None,
          with_versions: bool = False) -> Any:
    from engine.analytics.store import definition_nodes, load_history
    from engine.store import open_database

    db = database_url(db)
    database = open_database(db)
    try:
        with database.read_engine.connect() as conn:
            history = load_history(conn, key, _date(since, "since"), _date(until, "until"))
            versions = definition_nodes(conn, key) if with_versions else {}
    finally:
        database.dispose()
    if not history.visits:
        raise _fail(f"process {key!r} has no finished requests in {db}")
    return (history, versions) if with_versions else history


@app.command()
def report(
    key: Annotated[str, typer.Argument(help="Process key (definition key).")],
    db: DbOption = None, out: OutOption = None,
    since: Annotated[str | None, typer.Option(help="Requests started on/after (ISO).")] = None,
    until: Annotated[str | None, typer.Option(help="Requests started before (ISO).")] = None,
    country: Country = "CN", timezone: Tz = "Asia/Shanghai", hours: Hours = "09:00-18:00",
    max_stop_rate: MaxStop = 0.05, fast_share: FastShare = 0.02, fast_ratio: FastRatio = 0.25,
    min_decisions: MinDecisions = 30, stamp_minutes: StampCeiling = 15.0,
    what_if_remove: Remove = None, what_if_skip: SkipOpt = None,
    send: Annotated[bool, typer.Option(
        "--send", help="Send the process's daily report now (report: daily: in its YAML).")]
    = False,
    due: Annotated[bool, typer.Option(
        "--due", help="Send the daily reports due (and days missed), once.")] = False,
) -> None:
    """Approval-efficiency report of one process from Signoff's own history; with --send
    or --due, its daily report by mail instead."""
    if send or due:
        from api.cli.report import send_daily_report

        send_daily_report(key, send, due, db)
        return
    from engine.analytics.calendar import CalendarInvalid
    from engine.analytics.versions import analyse_versions
    from engine.analytics.whatif import WhatIfInvalid

    history, versions = _load(db, key, since, until, with_versions=True)
    try:
        settings = _settings(country, timezone, hours, max_stop_rate, fast_share, fast_ratio,
                             min_decisions, stamp_minutes)
        result = analyse_versions(history, versions, settings)
        _what_if(history, result, what_if_remove, what_if_skip)
    except (CalendarInvalid, WhatIfInvalid) as exc:
        raise _fail(str(exc)) from None
    _emit(result, out)


@app.command()
def export(
    key: Annotated[str, typer.Argument(help="Process key (definition key).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Target file: .xes or .csv.")],
    db: DbOption = None,
    since: Annotated[str | None, typer.Option(help="Requests started on/after (ISO).")] = None,
    until: Annotated[str | None, typer.Option(help="Requests started before (ISO).")] = None,
) -> None:
    """Export one process's history as XES or CSV for process-mining tools."""
    from engine.analytics.export import write_csv, write_xes

    suffix = out.suffix.lower()
    if suffix not in (".xes", ".csv"):
        raise _fail(f"{out}: export writes .xes or .csv")
    history = _load(db, key, since, until)
    with out.open("w", encoding="utf-8", newline="") as fh:
        n = (write_xes if suffix == ".xes" else write_csv)(history, fh)
    typer.echo(f"wrote {n} events of {len(history.cases)} requests to {out}")
