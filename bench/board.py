"""The status board's first page on a large database: ``engine.board.board`` (the query
behind ``GET /api/board``) with ``running`` running requests (100,000 in the full run) on
PostgreSQL or SQLite, each with one pending task and a forecast row, spread over four
processes, 40 steps and 1,000 holders; a fifth of them at risk.

Timed: the first page (50 rows and the total) for the filters a board viewer uses: none
(newest first), a process, a holder, a form field, at risk, overdue, a search, sorted by
the predicted finish; p50 and p99 per filter over ``repeats`` reads each. The rows are
written in bulk through the driver (the board reads only these tables).

    python -m bench.board [--running N] [--repeats N] [--db pg|sqlite]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import sqlalchemy as sa

from bench import dbs, pages
from engine.board import BoardQuery, board
from engine.store import ForecastRow, Instance, Task, open_database
from engine.store.projections import search_text

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
PROCESSES = ("store_opening", "sample_order", "expense_claim", "display_change")
REGIONS = ("east", "north", "south", "west")
QUERIES: dict[str, BoardQuery] = {
    "all, newest first": BoardQuery(),
    "one process": BoardQuery(definition="sample_order"),
    "one holder": BoardQuery(holder="holder0007"),
    "form field region=north": BoardQuery(fields={"region": "north"}),
    "at risk, by finish": BoardQuery(at_risk=True, sort="finish"),
    "overdue": BoardQuery(overdue=True),
    "search": BoardQuery(search="store 00042"),
    "by deadline": BoardQuery(sort="deadline"),
}


def _fill(url: str, running: int, seed: int = 7, chunk: int = 5_000) -> None:
    rng = random.Random(seed)
    db = open_database(url)
    inst = Instance.__table__  # type: ignore[attr-defined]
    task = Task.__table__  # type: ignore[attr-defined]
    fc = ForecastRow.__table__  # type: ignore[attr-defined]
    with db.engine.begin() as conn:
        for start in range(0, running, chunk):
            rows_i: list[dict[str, Any]] = []
            rows_t: list[dict[str, Any]] = []
            rows_f: list[dict[str, Any]] = []
            for n in range(start, min(start + chunk, running)):
                iid = uuid4()
                key = PROCESSES[n % len(PROCESSES)]
                started = NOW - timedelta(minutes=rng.randint(1, 60 * 24 * 60))
                node = f"step{n % 10}"
                since = started + (NOW - started) * rng.random()
                due = since + timedelta(days=2)
                data = {"region": rng.choice(REGIONS), "amount": rng.randint(1, 9999)}
                title = f"Store {n:05d} request"
                rows_i.append({"id": iid, "definition_key": key, "definition_version": 1,
                               "title": title, "initiator": f"user{n % 500}",
                               "status": "running", "outcome": None, "node": node,
                               "node_since": since, "data": data,
                               "number": f"B{n % len(PROCESSES)}-2026-{n:06d}",
                               "search": search_text(title, data),
                               "started_at": started, "finished_at": None,
                               "updated_at": since, "seq": 4})
                rows_t.append({"id": uuid4(), "instance_id": iid, "definition_key": key,
                               "node": node, "visit": 1, "assignee": f"holder{n % 1000:04d}",
                               "rule": "", "status": "pending", "created_at": since,
                               "due_at": due, "decided_at": None, "action": None,
                               "added_by": None})
                p80 = NOW + timedelta(hours=rng.randint(1, 24 * 30))
                risky = rng.random() < 0.2
                rows_f.append({"instance_id": iid, "definition_key": key,
                               "deadline_at": p80 - timedelta(days=2) if risky
                               else p80 + timedelta(days=5), "due_at": due,
                               "median_at": p80 - timedelta(hours=8), "p80_at": p80,
                               "step_median_at": since + timedelta(days=1),
                               "deadline_risk": risky, "sla_risk": False, "at_risk": risky,
                               "computed_at": NOW})
            conn.execute(inst.insert(), rows_i)
            conn.execute(task.insert(), rows_t)
            conn.execute(fc.insert(), rows_f)
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("ANALYZE"))
    db.dispose()


def _cases() -> dict[str, pages.Case]:
    def page(q: BoardQuery) -> pages.Case:
        def run(session: Any) -> tuple[int, bool]:
            _rows, total, exact = board(session, q, NOW)
            return total, exact
        return run

    return {"baseline: one row by primary key":
            pages.baseline("SELECT id FROM instance ORDER BY id LIMIT 1"),
            **{name: page(q) for name, q in QUERIES.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--running", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--db", choices=("pg", "sqlite"), default="pg")
    args = parser.parse_args()
    if args.db == "pg" and (why := dbs.pg_available()):
        raise SystemExit(f"PostgreSQL unavailable: {why}")
    url = dbs.fresh("postgresql" if args.db == "pg" else "sqlite")
    try:
        t0 = time.perf_counter()
        _fill(url, args.running)
        print(f"{args.running:,} running requests written in {time.perf_counter() - t0:.0f} s"
              f" ({args.db})")
        pages.print_table(f"board first page ({args.db}, {args.running:,} running)",
                          pages.time_cases(url, _cases(), args.repeats))
    finally:
        dbs.drop_all()


if __name__ == "__main__":
    main()
