"""A self-contained HTML report: inline CSS and SVG charts, no script, no network."""

from __future__ import annotations

import math
from html import escape
from typing import Any

from engine.analytics.render import duration, pct

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1f2933}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d9e2ec}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{padding:4px 8px;
border-bottom:1px solid #e4e7eb;text-align:left}td.n{text-align:right}
.flag{background:#fff4e5;border-left:4px solid #f0b429;padding:.5rem 1rem;margin:.5rem 0}
.ok{color:#52606d}svg text{font:12px system-ui,sans-serif;fill:#1f2933}
"""
_BAR, _P90, _FLAG, _LINE = "#2680c2", "#b6d4ee", "#de911d", "#2680c2"


def to_html(report: dict[str, Any]) -> str:
    s = report["summary"]
    p = report["period"]
    flagged = {f["step"] for f in report["candidates"]}
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f"<title>Approval efficiency: {escape(report['source'] or 'history')}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Approval efficiency: {escape(report['source'] or 'history')}</h1>",
        f"<p>{s['cases']} requests, {s['visits']} visits, {s['approval_steps']} approval steps,"
        f" {s['approvers']} approvers; {escape(p['first'][:10])} to {escape(p['last'][:10])}. "
        f"Median cycle time {duration(s['cycle_time']['median_s'])}.</p>",
        "<h2>Flagged steps</h2>", _flags(report), "<h2>Approval steps not flagged, and why</h2>",
        "<ul>" + "".join(f"<li><b>{escape(o['step'])}</b>: {escape(o['reason'])}"
                         + (f"<br>{escape(o['skip_if']['detail'])}" if o.get("skip_if") else "")
                         + "</li>" for o in report["not_flagged"]) + "</ul>",
        "<h2>Time from arrival to decision per step</h2>",
        "<p class=ok>Dark: median; light: 90th percentile; orange: flagged; "
        "log scale.</p>",
        _durations(report["steps"], flagged),
        "<h2>Bottlenecks</h2>", _bottlenecks(report["bottlenecks"]),
        "<h2>Trend by month</h2>", _trend(report["trend"]),
        "<h2>All steps</h2>", _table(report["steps"]), "</body></html>",
    ]
    return "\n".join(parts)


def _flags(report: dict[str, Any]) -> str:
    if not report["candidates"]:
        return "<p>No step is flagged.</p>"
    out = []
    for f in report["candidates"]:
        e, sv = f["evidence"], f["saving"]
        rem = "".join(f"<li>{escape(r['action'])}: {escape(r['detail'])}</li>"
                      for r in f["remedies"])
        out.append(
            f"<div class=flag><b>{escape(f['step'])}</b> - {escape(f['kind'].replace('_', ' '))}"
            f" (confidence {escape(f['confidence'])})<br>{escape(f['summary'])}<br>"
            f"Evidence: {e['approve']} approved, {e['reject']} rejected, {e['return']} returned;"
            f" stop rate {pct(e['stop_rate'])} (upper bound {pct(e['stop_rate_ci_high'])}); "
            f"median wait {duration(e['median_wait_s'])}; comments "
            f"{pct(e['comment_rate']) if e['comments_recorded'] else 'not recorded'}.<br>"
            f"Saving: {sv['approver_hours_per_year']} approver hours a year; mean cycle time "
            f"{duration(sv['mean_cycle_before_s'])} -> {duration(sv['mean_cycle_after_s'])}"
            f" ({duration(sv['cycle_time_removed_per_request_s'])} less per request)."
            f"<ul>{rem}</ul></div>")
    return "".join(out)


def _hbars(rows: list[tuple[str, float, float, bool]], fmt: Any, log: bool = False) -> str:
    """Horizontal bars: (label, value, second value drawn lighter behind, highlight).
    ``log`` draws lengths on a log scale (durations span seconds to months)."""
    if not rows:
        return "<p>-</p>"
    if log:
        scaled = [(lbl, math.log10(1 + v), math.log10(1 + w), hot, v) for lbl, v, w, hot in rows]
    else:
        scaled = [(lbl, v, w, hot, v) for lbl, v, w, hot in rows]
    label_w, bar_w, h = 300, 560, 22
    top = max(max(v, w) for _, v, w, _, _ in scaled) or 1.0
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 90}" '
           f'height="{h * len(rows) + 10}" role="img">']
    for i, (label, v, w, hot, raw) in enumerate(scaled):
        y = i * h + 5
        out.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">'
                   f"{escape(label[:45])}</text>")
        if w:
            out.append(f'<rect x="{label_w}" y="{y + 3}" width="{bar_w * w / top:.1f}" '
                       f'height="{h - 8}" fill="{_P90}"/>')
        out.append(f'<rect x="{label_w}" y="{y + 3}" width="{max(bar_w * v / top, 1):.1f}" '
                   f'height="{h - 8}" fill="{_FLAG if hot else _BAR}"/>')
        out.append(f'<text x="{label_w + bar_w * max(v, w) / top + 6:.1f}" y="{y + 14}">'
                   f"{escape(fmt(raw))}</text>")
    out.append("</svg>")
    return "".join(out)


def _durations(steps: list[dict[str, Any]], flagged: set[str]) -> str:
    rows = [(s["step"], s["wait"]["median_s"] or 0.0, s["wait"]["p90_s"] or 0.0,
             s["step"] in flagged) for s in steps if s["approval"] and s["wait"]["n"]]
    return _hbars(rows, duration, log=True)


def _bottlenecks(b: dict[str, list[dict[str, Any]]]) -> str:
    steps = [(x["step"], x["approval_wait_share"], 0.0, False) for x in b["steps"]]
    people = [(x["approver"], x["wait_share"], 0.0, False) for x in b["approvers"]]
    return ("<p>Share of the time requests waited for approvers, per step:</p>"
            + _hbars(steps, pct) + "<p>Per approver:</p>" + _hbars(people, pct))


def _trend(trend: list[dict[str, Any]]) -> str:
    if not trend:
        return "<p>-</p>"
    w, h, pad = 900, 220, 50
    top = max(t["median_cycle_s"] for t in trend) or 1.0
    most = max(t["cases"] for t in trend) or 1
    step = (w - 2 * pad) / max(len(trend), 1)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h + 40}" role="img">']
    pts = []
    for i, t in enumerate(trend):
        x = pad + i * step
        bh = (h - 20) * t["cases"] / most
        out.append(f'<rect x="{x:.1f}" y="{h - bh:.1f}" width="{step * 0.7:.1f}" '
                   f'height="{bh:.1f}" fill="{_P90}"><title>{t["cases"]} requests</title></rect>')
        pts.append(f"{x + step * 0.35:.1f},{h - (h - 20) * t['median_cycle_s'] / top:.1f}")
        if i % max(1, len(trend) // 12) == 0:
            out.append(f'<text x="{x:.1f}" y="{h + 16}">{escape(t["month"])}</text>')
    out.append(f'<polyline points="{" ".join(pts)}" fill="none" stroke="{_LINE}" '
               'stroke-width="2"/>')
    out.append(f'<text x="{pad}" y="14">line: median cycle time (max {duration(top)}); '
               f"bars: requests started (max {most})</text></svg>")
    return "".join(out)


def _table(steps: list[dict[str, Any]]) -> str:
    head = ("<table><tr><th>step</th><th>visits</th><th>median wait</th><th>p90 wait</th>"
            "<th>median business</th><th>reject/return</th><th>overruled</th>"
            "<th>share of waiting</th></tr>")
    rows = []
    for s in steps:
        wb = s["wait_business"] or {}
        rr = s["rates"]["reject_or_return"]
        rows.append(
            f"<tr><td>{escape(s['step'])}</td><td class=n>{s['visits']}</td>"
            f"<td class=n>{duration(s['wait']['median_s'])}</td>"
            f"<td class=n>{duration(s['wait']['p90_s'])}</td>"
            f"<td class=n>{duration(wb.get('median_s'))}</td><td class=n>{pct(rr['rate'])}</td>"
            f"<td class=n>{pct(s['overruled']['rate'])}</td>"
            f"<td class=n>{pct(s['wait_share'])}</td></tr>")
    return head + "".join(rows) + "</table>"
