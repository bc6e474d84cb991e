"""The daily report that sends itself (``report: {daily: ...}`` in a definition).

``due_days(report, last_sent, now, calendar)``: the days whose report is due at ``now``
(its local time has come; working days only if asked), from the day after the last one
sent (at most ``CATCH_UP`` days back), so a day missed while everything was down is sent
when a worker comes back, labelled with its own date.

``content(session, key, day, now, tz)``: the figures of the day before ``day``: started,
finished, approved, rejected; the median cycle time against the 4 weeks before; overdue
and at risk now; the slowest steps and approvers and the removal candidates with their
saving (``engine.analytics.report.analyse`` over the last 4 weeks); a chart (PNG).

``send(session, defn, day, now, directory)``: one ``daily_report`` message per recipient,
each written only if its ``report_claim`` row (unique per report, day and recipient) is
inserted in the same transaction, so several workers send it once.
``ReportJob`` is the worker's job; ``send_now`` is ``signoff report --send``.
"""

from __future__ import annotations

import base64
import io
import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any
from uuid import UUID, uuid4, uuid5
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from engine.analytics.calendar import WorkingCalendar
from engine.core.definition import DailyReport, ProcessDefinition
from engine.core.directory import OrgDirectory
from engine.core.messages import Message
from engine.store import messaging
from engine.store.board_tables import ForecastRow, ReportClaim
from engine.store.definitions import DbCatalog
from engine.store.tables import Instance, Task

CATCH_UP = 7
_NS = UUID("8d3f5c2a-1b7e-4f3a-9c6d-5e2a7b9c1d44")
_inst = Instance.__table__  # type: ignore[attr-defined]
_task = Task.__table__  # type: ignore[attr-defined]
_fc = ForecastRow.__table__  # type: ignore[attr-defined]
_claim = ReportClaim.__table__  # type: ignore[attr-defined]


def due_days(report: DailyReport, last_sent: date | None, now: datetime,
             calendar: WorkingCalendar | None = None) -> list[date]:
    tz = ZoneInfo(report.time_zone)
    local = now.astimezone(tz)
    at = time.fromisoformat(report.at)
    today = local.date() if local.time() >= at else local.date() - timedelta(days=1)
    first = (max(today - timedelta(days=CATCH_UP - 1), last_sent + timedelta(days=1))
             if last_sent is not None else today)
    out = []
    day = first
    while day <= today:
        if not report.working_days_only or calendar is None or calendar.is_working_day(day):
            out.append(day)
        day += timedelta(days=1)
    return out


def _median_hours(values: list[float]) -> float | None:
    return round(statistics.median(values) / 3600, 1) if values else None


def content(session: Session, key: str, day: date, now: datetime, tz: str
            ) -> dict[str, Any]:
    zone = ZoneInfo(tz)
    start = datetime.combine(day - timedelta(days=1), time(0), zone).astimezone(UTC)
    end = start + timedelta(days=1)
    month = start - timedelta(days=28)
    conn = session.connection()
    i = _inst.c
    mine = i.definition_key == key
    started = conn.execute(sa.select(sa.func.count()).where(
        mine, i.started_at >= start, i.started_at < end)).scalar_one()
    done = conn.execute(sa.select(i.outcome, i.status, i.started_at, i.finished_at).where(
        mine, i.finished_at >= month, i.finished_at < end)).all()
    yesterday = [r for r in done if r.finished_at >= start]
    cycle = [(r.finished_at - r.started_at).total_seconds() for r in yesterday]
    before = [(r.finished_at - r.started_at).total_seconds() for r in done
              if r.finished_at < start]
    running = sa.and_(mine, i.status.in_(("running", "returned")))
    overdue = conn.execute(sa.select(sa.func.count(sa.distinct(_task.c.instance_id))).where(
        _task.c.definition_key == key, _task.c.status == "pending",
        _task.c.due_at < now)).scalar_one()
    at_risk = conn.execute(sa.select(sa.func.count()).select_from(
        _inst.join(_fc, _fc.c.instance_id == i.id)).where(running, _fc.c.at_risk)).scalar_one()
    daily = []
    for n in range(14, 0, -1):
        a = start - timedelta(days=n - 1)
        daily.append(((a.astimezone(zone)).date().isoformat()[5:],
                      sum(1 for r in done if a <= r.finished_at < a + timedelta(days=1))))
    out: dict[str, Any] = {
        "day": (day - timedelta(days=1)).isoformat(), "started": int(started),
        "finished": len(yesterday),
        "approved": sum(1 for r in yesterday if r.outcome == "approved"),
        "rejected": sum(1 for r in yesterday if r.outcome == "rejected"),
        "median_cycle_hours": _median_hours(cycle),
        "median_cycle_hours_4w": _median_hours(before),
        "overdue": int(overdue), "at_risk": int(at_risk), "finished_per_day": daily,
        "slowest_steps": [], "slowest_approvers": [], "candidates": []}
    out.update(_analysis(conn, key, month, end))
    return out


def _analysis(conn: sa.Connection, key: str, since: datetime, until: datetime
              ) -> dict[str, Any]:
    from engine.analytics.report import analyse
    from engine.analytics.store import load_history

    history = load_history(conn, key, since, until)
    if not history.visits:
        return {}
    try:
        found = analyse(history)
    except ValueError:  # too little history for the figures (a handful of visits)
        return {}
    steps = sorted(found.get("steps", []), key=lambda s: -(s.get("wait", {}).get("median") or 0))
    people = sorted(found.get("approvers", []),
                    key=lambda a: -(a.get("wait", {}).get("median") or 0))
    return {
        "slowest_steps": [(s["step"], s["wait"].get("median")) for s in steps[:3]],
        "slowest_approvers": [(a["approver"], a["wait"].get("median")) for a in people[:3]],
        "candidates": [(c.get("step"), (c.get("saving") or {}).get("approver_hours_per_year"))
                       for c in found.get("candidates", [])[:3]]}


_CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC",
                 "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback")


@cache
def _cjk_fonts() -> list[str]:
    """Installed font families that have Chinese glyphs (bin/test installs Debian's
    fonts-noto-cjk), so a Chinese chart title is drawn rather than boxes."""
    from matplotlib import font_manager
    installed = {f.name for f in font_manager.fontManager.ttflist}
    if not installed.intersection(_CJK_FAMILIES):
        # matplotlib's font cache predates fonts installed later (bin/test may add them)
        for path in font_manager.findSystemFonts():
            if any(part in path for part in ("NotoSansCJK", "NotoSerifCJK", "wqy-")):
                font_manager.fontManager.addfont(path)
        installed = {f.name for f in font_manager.fontManager.ttflist}
    return [name for name in _CJK_FAMILIES if name in installed]


def chart_png(figures: dict[str, Any], title: str, ylabel: str = "") -> str:
    """Finished requests per day over two weeks, as a base64 PNG (Agg backend)."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    days = [d for d, _ in figures["finished_per_day"]]
    counts = [n for _, n in figures["finished_per_day"]]
    with plt.rc_context({"font.sans-serif": [*_cjk_fonts(), "DejaVu Sans"]}):
        fig, ax = plt.subplots(figsize=(5.2, 2.0), dpi=100)
        try:
            ax.bar(days, counts, color="#0969da")
            ax.set_title(title, fontsize=9)
            if ylabel:
                ax.set_ylabel(ylabel, fontsize=7)
            ax.tick_params(axis="x", labelsize=6, rotation=45)
            ax.tick_params(axis="y", labelsize=7)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
            fig.tight_layout()
            out = io.BytesIO()
            fig.savefig(out, format="png")
        finally:
            plt.close(fig)
    return base64.b64encode(out.getvalue()).decode("ascii")


def _h(hours: float | None, zh: bool) -> str:
    if hours is None:
        return "—"
    return f"{hours} 小时" if zh else f"{hours} h"


def lines(f: dict[str, Any], zh: bool, step_names: dict[str, str] | None = None,
          people: dict[str, str] | None = None) -> list[str]:
    """The report's lines in one language; ``step_names`` and ``people`` name steps and
    approvers in that language (else their ids)."""
    steps, names = step_names or {}, people or {}
    s = (f"{f['day']}：发起 {f['started']}，完成 {f['finished']}（通过 {f['approved']}，"
         f"驳回 {f['rejected']}）" if zh else
         f"{f['day']}: {f['started']} started, {f['finished']} finished "
         f"({f['approved']} approved, {f['rejected']} rejected)")
    out = [s,
           (f"周期中位数 {_h(f['median_cycle_hours'], zh)}，近 4 周 "
            f"{_h(f['median_cycle_hours_4w'], zh)}" if zh else
            f"Median cycle time {_h(f['median_cycle_hours'], zh)} against "
            f"{_h(f['median_cycle_hours_4w'], zh)} over the last 4 weeks"),
           (f"当前超时 {f['overdue']}，有风险 {f['at_risk']}" if zh else
            f"Overdue now: {f['overdue']}; at risk now: {f['at_risk']}")]
    for step, secs in f["slowest_steps"]:
        hours = round(secs / 3600, 1) if secs else None
        step = steps.get(step, step)
        out.append(f"最慢环节：{step}（中位 {_h(hours, zh)}）" if zh
                   else f"Slow step: {step} (median {_h(hours, zh)})")
    for who, secs in f["slowest_approvers"]:
        hours = round(secs / 3600, 1) if secs else None
        who = names.get(who, who)
        out.append(f"最慢审批人：{who}（中位 {_h(hours, zh)}）" if zh
                   else f"Slow approver: {who} (median {_h(hours, zh)})")
    for step, saving in f["candidates"]:
        step = steps.get(step, step)
        out.append(f"可考虑取消：{step}（每年约省 {saving} 审批小时）" if zh
                   else f"Removal candidate: {step} (saves about {saving} approver hours a year)")
    return out


def recipients(report: DailyReport, directory: OrgDirectory) -> list[str]:
    out: list[str] = []
    for who in report.to:
        if who.startswith("role:"):
            out += directory.users_with_role(who.removeprefix("role:"))
        elif who in directory.users:
            out.append(who)
    return list(dict.fromkeys(out))


def last_sent(conn: sa.Connection, key: str) -> date | None:
    found = conn.execute(sa.select(sa.func.max(_claim.c.day)).where(_claim.c.report == key))
    return found.scalar()


def _claim_once(conn: sa.Connection, key: str, day: date, who: str, mid: UUID,
                now: datetime) -> bool:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(_claim).values(report=key, day=day, recipient=who, message_id=mid,
                                         at=now).on_conflict_do_nothing(
        index_elements=["report", "day", "recipient"]).returning(_claim.c.id)
    return conn.execute(stmt).first() is not None


def message_data(session: Session, defn: ProcessDefinition, day: date, now: datetime,
                 tz: str, zh: bool, directory: OrgDirectory | None = None
                 ) -> dict[str, Any]:
    """The report's message in one language, all of it: ``language`` makes the mail's
    subject, greeting, headings and footer follow (``messaging.write_messages``), the
    lines name steps and approvers in it, the chart's labels are in it."""
    figures = content(session, defn.key, day, now, tz)
    title = defn.title_zh or defn.title if zh else defn.title
    label = "每日完成数" if zh else "Finished per day"
    steps = {n.id: ((n.title_zh or n.title) if zh else n.title) or n.id
             for n in defn.nodes.values()}
    people: dict[str, str] = {}
    if directory is not None:
        for who, _ in figures.get("slowest_approvers", []):
            user = directory.get(who) if isinstance(who, str) else None
            if user is not None:
                people[who] = ((user.name_zh or user.name) if zh else user.name) or who
    return {"period": day.isoformat(), "process": title, "definition_key": defn.key,
            "language": "zh" if zh else "en",
            "lines": lines(figures, zh, steps, people), "figures": figures,
            "chart_png": chart_png(figures, label, "申请数" if zh else "requests"),
            "path": f"/dashboard/{defn.key}"}


def send(session: Session, defn: ProcessDefinition, day: date, now: datetime,
         directory: OrgDirectory, *, force: bool = False) -> int:
    """Write the report of ``day`` to each recipient not sent it yet; the caller commits.
    ``force``: a report sent now on request, outside the once-a-day claims."""
    report = defn.report
    if report is None:
        return 0
    conn = session.connection()
    data: dict[bool, dict[str, Any]] = {}
    messages = []
    people = recipients(report, directory)
    prefs = messaging.preferences(conn, people)
    for who in people:
        user = directory.get(who)
        own = prefs.get(who, {}).get("language") or (user.locale if user else "en")
        zh = (report.language or own).startswith("zh")
        # a report sent on request is a new message each time; the daily one has one id
        mid = uuid4() if force else uuid5(_NS, f"{defn.key}:{day.isoformat()}:{who}")
        if not force and not _claim_once(conn, defn.key, day, who, mid, now):
            continue
        if zh not in data:
            data[zh] = message_data(session, defn, day, now, report.time_zone, zh, directory)
        messages.append(Message(mid, "daily_report", who, None, data[zh]))  # type: ignore[arg-type]
    if messages:
        messaging.write_messages(conn, messages, directory, now)
        messaging.notify(session, work=True, users=[m.recipient for m in messages])
    return len(messages)


def send_due(session: Session, catalog: DbCatalog, directory: OrgDirectory, now: datetime,
             calendar: WorkingCalendar | None = None) -> int:
    total = 0
    for key in sorted(catalog.keys()):
        defn = catalog.get(key)
        if defn.report is None:
            continue
        for day in due_days(defn.report, last_sent(session.connection(), key), now, calendar):
            total += send(session, defn, day, now, directory)
    return total


@dataclass
class ReportJob:
    """The worker's job: send what is due (every round; cheap when nothing is)."""

    calendar: WorkingCalendar | None = None

    def __call__(self, db: Any, now: datetime) -> int:
        from engine.store.org import current_directory
        with db.session(write=False) as session:  # most rounds: nothing due, no write
            catalog = DbCatalog(session)
            conn = session.connection()
            due = [key for key in sorted(catalog.keys())
                   if (defn := catalog.get(key)).report is not None
                   and due_days(defn.report, last_sent(conn, key), now, self.calendar)]
        if not due:
            return 0
        with db.session() as session:
            sent = send_due(session, DbCatalog(session), current_directory(session), now,
                            self.calendar)
            session.commit()
        return sent


__all__ = ["CATCH_UP", "ReportJob", "chart_png", "content", "due_days", "last_sent", "lines",
           "message_data", "recipients", "send", "send_due"]
