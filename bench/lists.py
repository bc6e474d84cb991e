"""The long lists on a large database: ``engine.queries.find_requests`` and ``find_tasks``
(the queries behind ``GET /api/instances`` and ``GET /api/tasks``) with ``requests``
requests (1,000,000 in the full run) on PostgreSQL.

The rows are generated inside PostgreSQL with ``generate_series`` (not through the
engine: a million histories would take hours): four processes, a tenth still running
(each with one pending task for one of 100 of the 1,000 holders, a thousand each, and a
forecast row), the rest
finished; 5,000 requesters; a form with a region, a store code and an amount; request
numbers per process and year; ``instance.search`` as the engine writes it. The pg_trgm
index is built after the rows are in, as ``CREATE INDEX`` on a filled table would.

Timed: the first page (50 rows and the total, exact up to 10,000 rows, else estimated)
of each list for the filters people use, p50 and p99 over ``repeats`` reads each; the
target is p99 < 50 ms.

    python -m bench.lists [--requests N] [--repeats N]
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from bench import dbs, pages
from engine.queries import ListFilter, find_requests, find_tasks
from engine.store import open_database

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)

FILL = """
INSERT INTO instance (id, definition_key, definition_version, title, initiator, status,
  outcome, node, node_since, data, started_at, finished_at, updated_at, seq, number, search)
SELECT md5('i' || g)::uuid,
  (ARRAY['store_opening','sample_order','expense_claim','display_change'])[g % 4 + 1], 1,
  (ARRAY['New store: ','Samples for ','Expense claim: ','Display change: '])[g % 4 + 1]
    || 'S' || lpad((g % 20000)::text, 5, '0'),
  'user' || (g % 5000),
  CASE WHEN g % 10 = 0 THEN 'running' WHEN g % 10 = 1 THEN 'rejected'
       WHEN g % 10 = 2 THEN 'withdrawn' ELSE 'approved' END,
  CASE WHEN g % 10 = 0 THEN NULL WHEN g % 10 = 1 THEN 'rejected'
       WHEN g % 10 = 2 THEN 'withdrawn' ELSE 'approved' END,
  CASE WHEN g % 10 = 0 THEN 'step' || (g % 7) END,
  :now - g * interval '30 seconds' + interval '1 hour',
  json_build_object('region', (ARRAY['east','north','south','west'])[g % 4 + 1],
                    'store_code', 'S' || lpad((g % 20000)::text, 5, '0'),
                    'amount', g % 9999),
  :now - g * interval '30 seconds',
  CASE WHEN g % 10 <> 0 THEN :now - g * interval '30 seconds' + interval '2 days' END,
  :now - g * interval '30 seconds' + interval '1 hour', 5,
  (ARRAY['SO','SMP','EXP','DC'])[g % 4 + 1] || '-'
    || extract(year FROM :now - g * interval '30 seconds') || '-'
    || lpad((g / 4 + 1)::text, 6, '0'),
  lower((ARRAY['New store: ','Samples for ','Expense claim: ','Display change: '])[g % 4 + 1]
    || 'S' || lpad((g % 20000)::text, 5, '0') || ' '
    || (ARRAY['east','north','south','west'])[g % 4 + 1] || ' '
    || 'S' || lpad((g % 20000)::text, 5, '0') || ' ' || (g % 9999))
FROM generate_series(0, :n - 1) g;
INSERT INTO task (id, instance_id, definition_key, node, visit, assignee, rule, status,
  created_at, due_at, decided_at, action)
SELECT md5('t' || g)::uuid, md5('i' || g)::uuid,
  (ARRAY['store_opening','sample_order','expense_claim','display_change'])[g % 4 + 1],
  'step' || (g % 7), 1, 'holder' || lpad((g % 1000)::text, 4, '0'), '',
  CASE WHEN g % 10 = 0 THEN 'pending' ELSE 'done' END,
  :now - g * interval '30 seconds' + interval '1 hour',
  :now - g * interval '30 seconds' + interval '3 days',
  CASE WHEN g % 10 <> 0 THEN :now - g * interval '30 seconds' + interval '1 day' END,
  CASE WHEN g % 10 <> 0 THEN 'approve' END
FROM generate_series(0, :n - 1) g;
INSERT INTO forecast (instance_id, definition_key, deadline_at, due_at, median_at, p80_at,
  step_median_at, deadline_risk, sla_risk, at_risk, computed_at)
SELECT md5('i' || g)::uuid,
  (ARRAY['store_opening','sample_order','expense_claim','display_change'])[g % 4 + 1],
  :now - g * interval '30 seconds' + interval '30 days',
  :now - g * interval '30 seconds' + interval '3 days',
  :now + interval '2 days', :now + interval '5 days', :now + interval '1 day',
  false, false, g % 50 = 0, :now
FROM generate_series(0, :n - 1, 10) g
"""


def _fill(url: str, n: int) -> None:
    db = open_database(url)
    with db.engine.begin() as conn:
        trgm = conn.execute(sa.text(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_instance_search' "
            "AND schemaname = current_schema()")).scalar()
        if trgm:  # built once the rows are in: much faster than row by row
            conn.execute(sa.text("DROP INDEX ix_instance_search"))
        for statement in FILL.split(";"):
            conn.execute(sa.text(statement), {"n": n, "now": NOW})
        if trgm:
            conn.execute(sa.text(trgm))
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
    db.dispose()


def _cases(n: int) -> dict[str, pages.Case]:
    week = (NOW - timedelta(days=60), NOW - timedelta(days=53))
    code = f"s{(n // 3) % 20000:05d}"
    number = f"SMP-2026-{(n // 3) // 4 + 1:06d}"

    def req(scope: str, who: str = "admin", **kw: Any) -> pages.Case:
        def run(session: Any) -> tuple[int, bool]:
            found = find_requests(session, who, scope, ListFilter(limit=50, **kw), NOW)
            return found.total, found.exact
        return run

    def inbox(who: str, **kw: Any) -> pages.Case:
        def run(session: Any) -> tuple[int, bool]:
            found = find_tasks(session, who, ListFilter(limit=50, **kw), NOW)
            return found.total, found.exact
        return run

    return {
        "baseline: one row by primary key":
            pages.baseline("SELECT id FROM instance WHERE id = md5('i1')::uuid"),
        "all requests, newest first": req("all"),
        "all: open": req("all", status="open"),
        "all: one process": req("all", definition="sample_order"),
        "all: overdue": req("all", overdue=True),
        "all: one week": req("all", since=week[0], until=week[1]),
        "all: search a number": req("all", search=number),
        "all: search a store code": req("all", search=code),
        "all: search a common word (north)": req("all", search="north"),
        "all: by title": req("all", sort="title"),
        "my requests (200), newest first": req("mine", who="user42"),
        "my requests: search": req("mine", who="user42", search="north"),
        "inbox (1,000 pending), by due": inbox("holder0040"),
        "inbox: search": inbox("holder0040", search="east"),
        "inbox: overdue": inbox("holder0040", overdue=True),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    if why := dbs.pg_available():
        raise SystemExit(f"PostgreSQL unavailable: {why}")
    url = dbs.fresh("postgresql")
    try:
        t0 = time.perf_counter()
        _fill(url, args.requests)
        print(f"{args.requests:,} requests generated and indexed in "
              f"{time.perf_counter() - t0:.0f} s (PostgreSQL)")
        pages.print_table(f"first page (PostgreSQL, {args.requests:,} requests)",
                          pages.time_cases(url, _cases(args.requests), args.repeats))
    finally:
        dbs.drop_all()


if __name__ == "__main__":
    main()
