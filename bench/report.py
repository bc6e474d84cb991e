"""Printing a ``Results`` as tables (rich)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from bench.harness import Results


def _num(x: float) -> str:
    if x != x:
        return "-"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.3g}"


def show(res: Results, console: Console | None = None) -> None:
    console = console or Console(width=max(Console().width, 120))
    figs = Table(title="Figures (median of the runs, min and max)")
    for col in ("figure", "unit", "median", "min", "max", "runs"):
        figs.add_column(col, justify="left" if col in ("figure", "unit") else "right",
                        no_wrap=True)
    for f in res.figures.values():
        figs.add_row(f.key, f.unit, _num(f.median), _num(f.low), _num(f.high),
                     str(len(f.samples)))
    console.print(figs)
    if res.ratios:
        ratios = Table(title="Ratios (same run)")
        ratios.add_column("ratio", no_wrap=True)
        ratios.add_column("value", justify="right")
        for r in res.ratios:
            ratios.add_row(r.key, _num(r.value))
        console.print(ratios)
    if res.targets:
        targets = Table(title="Targets (issue 7)")
        for col in ("target", "measured", "goal", "reached"):
            targets.add_column(col, justify="left" if col == "target" else "right")
        for t in res.targets:
            mark = "[green]reached[/]" if t.reached else "[red]NOT reached[/]"
            targets.add_row(t.text, f"{_num(t.measured)} {t.unit}".strip(),
                            f"{'>=' if t.higher_is_better else '<='} {_num(t.goal)}", mark)
        console.print(targets)
    for line in res.findings:
        console.print(f"[dim]finding:[/] {line}", highlight=False)
    for line in res.skipped:
        console.print(f"[yellow]skipped:[/] {line}", highlight=False)
