"""``python -m bench.compare --before A.json ... --after B.json ...``: one before/after
table of every target and every figure, as Markdown for docs/bench.md.

Each side may be several result files (parts run one at a time, before and after
interleaved part by part so that a slow moment of the machine hits both); a later file's
figure replaces an earlier one's of the same key.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bench.report import _num


def merged(paths: list[Path]) -> dict[str, Any]:
    out: dict[str, Any] = {"figures": {}, "targets": {}, "ratios": {}, "commits": set(),
                           "skipped": []}
    for path in paths:
        data = json.loads(path.read_text())
        out["figures"].update(data["figures"])
        out["targets"].update({t["text"]: t for t in data["targets"]})
        out["ratios"].update({r["key"]: r for r in data["ratios"]})
        out["commits"].add(data["machine"]["commit"])
        out["skipped"] += data["skipped"]
    return out


def _spread(f: dict[str, Any] | None) -> str:
    if f is None:
        return "-"
    return f"{_num(f['median'])} ({_num(f['min'])}-{_num(f['max'])})"


def _target(t: dict[str, Any] | None) -> str:
    if t is None:
        return "-"
    return f"{_num(t['measured'])} {t['unit']}".strip()


def render(before: dict[str, Any], after: dict[str, Any]) -> str:
    out = [f"Before: commit {', '.join(sorted(before['commits']))}; after: commit "
           f"{', '.join(sorted(after['commits']))}.", "",
           "| target | before | after | goal | reached after |",
           "| --- | ---: | ---: | ---: | --- |"]
    for text in dict.fromkeys([*before["targets"], *after["targets"]]):
        b, a = before["targets"].get(text), after["targets"].get(text)
        goal = a or b
        assert goal is not None
        sign = ">=" if goal["higher_is_better"] else "<="
        reached = "-" if a is None else ("**yes**" if a["reached"] else "no")
        out.append(f"| {text} | {_target(b)} | {_target(a)} | {sign} {_num(goal['goal'])} "
                   f"| {reached} |")
    out += ["", "| figure | unit | before: median (min-max) | after: median (min-max) |",
            "| --- | --- | ---: | ---: |"]
    for key in dict.fromkeys([*before["figures"], *after["figures"]]):
        b, a = before["figures"].get(key), after["figures"].get(key)
        unit = (a or b or {}).get("unit", "")
        out.append(f"| {key} | {unit} | {_spread(b)} | {_spread(a)} |")
    out += ["", "| ratio (same run) | before | after |", "| --- | ---: | ---: |"]
    for key in dict.fromkeys([*before["ratios"], *after["ratios"]]):
        b, a = before["ratios"].get(key), after["ratios"].get(key)
        out.append(f"| {key} | {_num(b['value']) if b else '-'} | "
                   f"{_num(a['value']) if a else '-'} |")
    for side, data in (("before", before), ("after", after)):
        out += [f"- skipped {side}: {line}" for line in data["skipped"]]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__)
    ap.add_argument("--before", nargs="+", type=Path, required=True)
    ap.add_argument("--after", nargs="+", type=Path, required=True)
    args = ap.parse_args(argv)
    print(render(merged(args.before), merged(args.after)), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
