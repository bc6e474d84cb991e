"""``python -m bench.markdown RESULTS.json ...``: the tables of one or more result files as
Markdown, for docs/bench.md."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench.report import _num


def render(data: dict[str, Any]) -> str:
    out = [f"Taken at {data['taken_at']} (commit {data['machine']['commit']}, load average at "
           f"the end {data['machine']['loadavg_at_end']}).", "",
           "| figure | unit | median | min | max | runs |",
           "| --- | --- | ---: | ---: | ---: | ---: |"]
    for key, f in data["figures"].items():
        out.append(f"| {key} | {f['unit']} | {_num(f['median'])} | {_num(f['min'])} | "
                   f"{_num(f['max'])} | {len(f['samples'])} |")
    if data["ratios"]:
        out += ["", "| ratio (same run) | value |", "| --- | ---: |"]
        out += [f"| {r['key']} | {_num(r['value'])} |" for r in data["ratios"]]
    if data["targets"]:
        out += ["", "| target | measured | goal | reached |", "| --- | ---: | ---: | --- |"]
        for t in data["targets"]:
            sign = ">=" if t["higher_is_better"] else "<="
            out.append(f"| {t['text']} | {_num(t['measured'])} {t['unit']} | {sign} "
                       f"{_num(t['goal'])} | {'yes' if t['reached'] else '**no**'} |")
    out += [f"- {line}" for line in [""] + data["findings"] + data["skipped"] if line]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(render(json.loads(Path(arg).read_text())))
