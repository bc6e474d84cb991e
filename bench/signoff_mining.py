"""Signoff's side of the analytics benchmark: read the log, analyse it end to end (per-step
statistics, approvers, judgments, trend), and return the per-activity numbers PM4Py is
compared on."""

from __future__ import annotations

from pathlib import Path

from engine.analytics import LabelMapping, read_log
from engine.analytics.report import analyse


def stats(path: Path) -> dict[str, dict[str, float]]:
    report = analyse(read_log(path, LabelMapping()))
    out: dict[str, dict[str, float]] = {}
    for a in report.get("activities", []):
        wait = {k: float(v) for k, v in a["wait"].items()
                if k in ("n", "median_s", "p90_s", "mean_s") and v is not None}
        out[a["activity"]] = {"events": float(a["events"]), "cases": float(a["cases"]), **wait}
    return out
