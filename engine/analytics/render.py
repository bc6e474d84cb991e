"""Plain renderings of a report: Markdown for the terminal and CSV of the step table."""

from __future__ import annotations

import csv
import io
from typing import Any

STEP_COLUMNS = [
    "step", "approval", "visits", "cases", "decisions", "approve", "reject", "return", "other",
    "median_wait_s", "p90_wait_s", "mean_wait_s", "total_wait_s", "median_business_s",
    "p90_business_s", "reject_or_return_rate", "reject_or_return_ci_low",
    "reject_or_return_ci_high", "comment_rate", "overruled_rate", "burst_decisions",
    "wait_share", "cycle_share", "approvers", "flag",
]


def to_csv(report: dict[str, Any]) -> str:
    """One row per step with its main numbers and its flag (if any)."""
    flags = {f["step"]: f["kind"] for f in report["candidates"]}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(STEP_COLUMNS)
    for s in report["steps"]:
        wb = s["wait_business"] or {}
        rr = s["rates"]["reject_or_return"]
        w.writerow([
            s["step"], s["approval"], s["visits"], s["cases"], s["decisions"],
            s["outcomes"]["approve"], s["outcomes"]["reject"], s["outcomes"]["return"],
            s["outcomes"]["other"], s["wait"]["median_s"], s["wait"]["p90_s"],
            s["wait"]["mean_s"], s["wait"]["total_s"], wb.get("median_s"), wb.get("p90_s"),
            rr["rate"], rr["ci_low"], rr["ci_high"],
            None if s["comment_rate"] is None else s["comment_rate"]["rate"],
            s["overruled"]["rate"], s["burst_decisions"], s["wait_share"], s["cycle_share"],
            s["approvers"], flags.get(s["step"], ""),
        ])
    return buf.getvalue()


def duration(x: float | None) -> str:
    """Seconds as a short human duration: 42 s, 5.0 min, 3.2 h, 1.5 d."""
    if x is None:
        return "-"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if abs(x) >= size:
            return f"{x / size:.1f} {unit}"
    return f"{x:.0f} s"


def pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def to_markdown(report: dict[str, Any]) -> str:
    s = report["summary"]
    p = report["period"]
    lines = [
        f"# Approval efficiency: {report['source'] or 'history'}", "",
        f"{s['cases']} requests, {s['visits']} visits, {s['approval_steps']} approval steps, "
        f"{s['approvers']} approvers; {p['first'][:10]} to {p['last'][:10]}. "
        f"Cycle time median {duration(s['cycle_time']['median_s'])}, "
        f"p90 {duration(s['cycle_time']['p90_s'])}.", "",
        "## Flagged steps", "",
    ]
    if not report["candidates"]:
        lines.append("No step is flagged.")
        if not report["summary"]["approval_steps"]:
            lines.append("The history has no approver decisions (approve, reject, return): "
                         "check the label mapping (--pattern).")
    for f in report["candidates"]:
        sv = f["saving"]
        lines += [f"- **{f['step']}** ({f['kind'].replace('_', ' ')}, confidence "
                  f"{f['confidence']}): {f['summary']}",
                  f"  Saving: {sv['approver_hours_per_year']} approver hours a year; mean "
                  f"cycle time {duration(sv['mean_cycle_before_s'])} -> "
                  f"{duration(sv['mean_cycle_after_s'])} "
                  f"({duration(sv['cycle_time_removed_per_request_s'])} less per request).",
                  "  Remedies: " + "; ".join(
                      r["action"] + (f" `{r['condition']}`" if r["condition"] else "")
                      for r in f["remedies"])]
    lines += ["", "## Not flagged", ""]
    lines += [f"- **{o['step']}**: {o['reason']}" + (
              f"; could be skipped when `{o['skip_if']['condition']}` "
              f"({o['skip_if']['covered']} of {o['skip_if']['cases']} earlier requests, all "
              "approved)" if o.get("skip_if") else "")
              for o in report["not_flagged"]] or ["Every approval step is flagged."]
    if report.get("excluded_attributes"):
        lines += ["", "Attributes no learned condition may use: " + "; ".join(
            f"`{x['attribute']}` ({x['reason']})" for x in report["excluded_attributes"]) + "."]
    lines += ["", "## Steps", "",
              "| step | visits | median wait | p90 wait | median business | reject/return "
              "(95% CI) | overruled | share of waiting |",
              "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for st in report["steps"]:
        rr = st["rates"]["reject_or_return"]
        wb = st["wait_business"] or {}
        ci = f"{pct(rr['rate'])} ({pct(rr['ci_low'])}-{pct(rr['ci_high'])})" if rr["n"] else "-"
        lines.append(f"| {st['step']} | {st['visits']} | {duration(st['wait']['median_s'])} | "
                     f"{duration(st['wait']['p90_s'])} | {duration(wb.get('median_s'))} | {ci} | "
                     f"{pct(st['overruled']['rate'])} | {pct(st['wait_share'])} |")
    for c in (report.get("versions") or {}).get("changes", []):
        b4, af = c["before"], c["after"]
        lines += ["", f"## Version {c['from_version']} -> {c['to_version']}", "",
                  f"Removed: {', '.join(c['removed']) or '-'}; changed: "
                  f"{', '.join(c['changed']) or '-'}.", "",
                  "| | before | after |", "|---|---:|---:|",
                  f"| requests | {b4['requests']} | {af['requests']} |",
                  f"| median cycle time (95% CI) | {_median(b4)} | {_median(af)} |",
                  f"| mean cycle time | {duration(b4['mean_cycle_s'])} | "
                  f"{duration(af['mean_cycle_s'])} |",
                  f"| rejected or returned (95% CI) | {_share(b4['stopped'])} | "
                  f"{_share(af['stopped'])} |"]
    if "what_if" in report:
        w = report["what_if"]
        lines += ["", "## What-if", "",
                  f"Removing {', '.join(w['edit']['remove']) or '-'}, skipping "
                  f"{', '.join(k['node'] + ' if ' + k['if'] for k in w['edit']['skip']) or '-'}:"
                  f" mean cycle time of all {w['baseline']['cases']} requests "
                  f"{duration(w['baseline']['mean_cycle_s'])} -> "
                  f"{duration(w['scenario']['mean_cycle_s'])} "
                  f"({duration(w['cycle_time_saved_seconds'])} less per request); "
                  f"{len(w['lost_rejections'])} request(s) only a removed visit stopped."]
    b = report["bottlenecks"]
    lines += ["", "## Bottlenecks", ""]
    lines += [f"- step **{x['step']}**: {pct(x['approval_wait_share'])} of the time requests "
              f"waited for approvers (median {duration(x['median_wait_s'])})" for x in b["steps"]]
    lines += [f"- approver **{x['approver']}**: {pct(x['wait_share'])} of approver waiting, "
              f"mean queue {x['mean_queue']}, max {x['max_queue']}" for x in b["approvers"]]
    return "\n".join(lines) + "\n"


def _median(side: dict[str, Any]) -> str:
    return (f"{duration(side['median_cycle_s'])} ({duration(side['median_ci_low_s'])}-"
            f"{duration(side['median_ci_high_s'])})")


def _share(x: dict[str, Any]) -> str:
    return f"{pct(x['rate'])} ({pct(x['ci_low'])}-{pct(x['ci_high'])})"
