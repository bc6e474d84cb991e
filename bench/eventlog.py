"""A synthetic approval event log of any size, shaped like a real approval system's export.

Cases follow store_opening: a request is submitted, then regional director, real estate,
legal, finance, a CFO above a rent threshold, and VP retail decide; a rejection ends the
case, a return sends it back to the requester who resubmits. Activity labels follow the
BPI Challenge 2020 convention (``Request APPROVED by LEGAL``) so that the default mapping
from activity to step and outcome applies. The behaviours analytics must tell apart are
planted: LEGAL is a rubber stamp (minutes, never rejects, no comments), REGIONAL_DIRECTOR
is fast but careful (rejects about one request in ten), FINANCE is the bottleneck.

Deterministic for a given seed. CSV (the XES attribute names as columns) or
XES; the file is cut at exactly ``events`` events (the last case may be left running).
"""

from __future__ import annotations

import csv
import itertools
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import quoteattr

CSV_COLUMNS = ("case:concept:name", "concept:name", "time:timestamp", "org:resource", "org:role")
#         role, people, mean wait (s), reject share, return share
STEPS = (
    ("REGIONAL_DIRECTOR", 40, 1_800, 0.10, 0.04),
    ("REAL_ESTATE", 12, 86_400, 0.05, 0.05),
    ("LEGAL", 6, 240, 0.0, 0.0),
    ("FINANCE", 4, 5 * 86_400, 0.03, 0.03),
    ("CFO", 1, 2 * 86_400, 0.08, 0.0),
    ("VP_RETAIL", 3, 43_200, 0.02, 0.0),
)
RENT_THRESHOLD = 50_000
_T0 = datetime(2024, 1, 1, 8, tzinfo=UTC)

Row = tuple[str, str, str, str, str]


def cases(seed: int = 7) -> Iterator[list[Row]]:
    """Endless cases, each a list of rows in time order."""
    rng = random.Random(seed)
    for n in itertools.count(1):
        yield _case(rng, f"case-{n:07d}", _T0 + timedelta(seconds=n * 97))


def _case(rng: random.Random, case_id: str, t: datetime) -> list[Row]:
    requester = f"employee{rng.randrange(2_000):04d}"
    rent = rng.lognormvariate(10.4, 0.6)
    rows: list[Row] = [(case_id, "Request SUBMITTED by EMPLOYEE", _ts(t), requester, "EMPLOYEE")]
    for _attempt in range(3):  # at most two returns and resubmissions
        outcome = "approved"
        for role, people, mean_wait, p_reject, p_return in STEPS:
            if role == "CFO" and rent <= RENT_THRESHOLD:
                continue
            t += timedelta(seconds=round(rng.expovariate(1 / mean_wait) + 1, 3))
            draw = rng.random()
            verb = ("REJECTED" if draw < p_reject
                    else "RETURNED" if draw < p_reject + p_return
                    else "FINAL_APPROVED" if role == "VP_RETAIL" else "APPROVED")
            who = f"{role.lower()}{rng.randrange(people):02d}"
            rows.append((case_id, f"Request {verb} by {role}", _ts(t), who, role))
            if verb in ("REJECTED", "RETURNED"):
                outcome = verb
                break
        if outcome != "RETURNED":
            break
        t += timedelta(seconds=round(rng.expovariate(1 / 86_400) + 1, 3))
        rows.append((case_id, "Request SUBMITTED by EMPLOYEE", _ts(t), requester, "EMPLOYEE"))
    return rows


def _ts(t: datetime) -> str:
    return t.isoformat(timespec="milliseconds")


def rows(events: int, seed: int = 7) -> Iterator[Row]:
    """Exactly ``events`` rows, case after case."""
    return itertools.islice(itertools.chain.from_iterable(cases(seed)), events)


def write_csv(path: Path, events: int, seed: int = 7) -> Path:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(CSV_COLUMNS)
        w.writerows(rows(events, seed))
    return path


def write_xes(path: Path, events: int, seed: int = 7) -> Path:
    """XES 1.0 with one trace per case; ``lifecycle:transition`` is ``complete``."""
    with path.open("w") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0" '
                'xmlns="http://www.xes-standard.org/">\n')
        for case_id, group in itertools.groupby(rows(events, seed), key=lambda r: r[0]):
            f.write(f'<trace><string key="concept:name" value={quoteattr(case_id)}/>\n')
            for _, act, ts, who, role in group:
                f.write(f'<event><string key="concept:name" value={quoteattr(act)}/>'
                        f'<date key="time:timestamp" value="{ts}"/>'
                        f'<string key="org:resource" value="{who}"/>'
                        f'<string key="org:role" value="{role}"/>'
                        '<string key="lifecycle:transition" value="complete"/></event>\n')
            f.write("</trace>\n")
        f.write("</log>\n")
    return path


def ensure(folder: Path, events: int, fmt: str = "csv", seed: int = 7) -> Path:
    """The log for ``(events, seed)`` in ``folder``, written once and reused."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"approval-log-{events}-s{seed}.{fmt}"
    if not path.exists():
        tmp = path.with_suffix(f".{fmt}.part")
        (write_csv if fmt == "csv" else write_xes)(tmp, events, seed)
        tmp.rename(path)
    return path
