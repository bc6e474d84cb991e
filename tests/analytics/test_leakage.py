"""No leakage: an attribute determined by the case's path (a variant number, an
identifier, a value set after submission) is never proposed in a learned condition."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.analytics.conditions import learn_skip_condition
from engine.analytics.judge import Thresholds
from engine.analytics.leakage import unusable_attributes
from engine.analytics.logs import read_log
from engine.analytics.mapping import IDENTITY, LabelMapping
from engine.analytics.model import History
from engine.analytics.report import Settings, analyse
from tests.analytics.test_judge import process


def _with_path_number(h: History, name: str) -> History:
    """``h`` with attribute ``name``: the rank of each case's path, rarest paths last
    (as mining tools number variants), so the paths where ``review`` rejected get the
    highest numbers: a perfect, circular predictor."""
    paths = {cid: tuple(v.step + v.outcome for v in vs) for cid, vs in h.by_case().items()}
    counts: dict[tuple[str, ...], int] = {}
    for p in paths.values():
        counts[p] = counts.get(p, 0) + 1
    rank = {p: i for i, p in enumerate(sorted(counts, key=lambda p: (-counts[p], p)))}
    cases = {cid: c._replace(attributes={**c.attributes, name: float(rank[paths[cid]])})
             for cid, c in h.cases.items()}
    return History(cases, h.visits, h.source)


def _rules(r: dict[str, Any]) -> list[str]:
    out = [m["condition"] for c in r["candidates"] for m in c["remedies"] if m["condition"]]
    return out + [o["skip_if"]["condition"] for o in r["not_flagged"] if o["skip_if"]]


def test_a_path_number_would_win_but_is_never_proposed() -> None:
    for name in ("variant_index", "route_code"):  # by its name, and by the data alone
        h = _with_path_number(process(), name)
        leaky = learn_skip_condition(h, "review")  # without the exclusion
        assert leaky is not None and leaky.attribute == name  # it covers the most
        r = analyse(h, Settings(Thresholds(max_stop_rate=0.3), calendar=None))
        assert all(name not in rule for rule in _rules(r))
        assert "amount < 20000" in _rules(r)  # the honest rule is still found
        why = {e["attribute"]: e["reason"] for e in r["excluded_attributes"]}[name]
        assert ("name" in why) if name == "variant_index" else ("path" in why)


def test_identifiers_and_values_set_later_are_excluded(tmp_path: Path) -> None:
    """A CSV log whose cases carry a ticket number (a counter), a trace id (unique
    text), and a ``decided_amount`` set on the second row only."""
    rows = ["case,activity,timestamp,case:ticket,case:trace_ref,case:decided_amount,case:dept"]
    for i in range(40):
        rows.append(f"c{i},submit,2024-03-0{1 + i % 5}T09:00:00Z,{1000 + i},t-{i:04d},,ops")
        rows.append(f"c{i},review,2024-03-0{1 + i % 5}T10:00:00Z,{1000 + i},t-{i:04d},"
                    f"{i * 10},ops")
    path = tmp_path / "log.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    for mapping in (IDENTITY, LabelMapping()):
        h = read_log(path, mapping)
        assert h.late_attributes == {"decided_amount"}
        assert unusable_attributes(h) == {
            "decided_amount": "not known at submission (set or changed after the first "
                              "event)",
            "ticket": "unique per request (an identifier)",
            "trace_ref": "unique per request (an identifier)"}
