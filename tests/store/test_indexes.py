"""The inbox and the analytics reads use indexes on a realistically sized table.

The statements checked are the ones ``engine.queries`` actually sends (captured from the
engine), explained with their parameters after ANALYZE. PostgreSQL gets 200,000 tasks
and 100,000 node visits; SQLite a tenth (its planner decides from the schema and statistics the
same way, and the file is built in a second).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from engine import queries
from engine.store import Database, metadata, schema_differences

PG = """
INSERT INTO instance (id, definition_key, definition_version, title, initiator, status,
  data, started_at, updated_at, seq)
SELECT md5('i' || g)::uuid, 'def' || (g % 40), 1, 'req ' || g, 'user' || (g % 2000),
  CASE WHEN g % 3 = 0 THEN 'running' ELSE 'approved' END, '{}'::json,
  now() - g * interval '1 minute', now(), 5
FROM generate_series(0, :instances - 1) g;
INSERT INTO task (id, instance_id, definition_key, node, visit, assignee, rule, status,
  created_at, due_at)
SELECT md5('t' || g)::uuid, md5('i' || (g % :instances))::uuid, 'def' || (g % :instances % 40),
  'n' || (g / :instances), 1, 'user' || (g % 2000), 'role:x',
  CASE WHEN g % 10 = 0 THEN 'pending' ELSE 'done' END,
  now() - g * interval '1 minute', now() + (g % 97) * interval '1 hour'
FROM generate_series(0, :rows - 1) g;
INSERT INTO node_visit (instance_id, node, visit, definition_key, definition_version, kind,
  entered_seq, entered_at, left_at, outcome, comment_count)
SELECT md5('i' || (g % :instances))::uuid, 'n' || (g / :instances), 1,
  'def' || (g % :instances % 40), 1, 'approval', 2, now() - g * interval '1 minute',
  now() - g * interval '1 minute' + interval '2 hours', 'approved', 0
FROM generate_series(0, :visits - 1) g
"""

SQLITE = """
WITH RECURSIVE g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g WHERE n + 1 < :instances)
INSERT INTO instance (id, definition_key, definition_version, title, initiator, status,
  data, started_at, updated_at, seq)
SELECT printf('%032x', n), 'def' || (n % 40), 1, 'req ' || n, 'user' || (n % 2000),
  CASE WHEN n % 3 = 0 THEN 'running' ELSE 'approved' END, '{}',
  datetime('2026-01-01', '-' || n || ' minutes'), '2026-01-02 00:00:00', 5 FROM g;
WITH RECURSIVE g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g WHERE n + 1 < :rows)
INSERT INTO task (id, instance_id, definition_key, node, visit, assignee, rule, status,
  created_at, due_at)
SELECT printf('%032x', n + 100000000), printf('%032x', n % :instances),
  'def' || (n % :instances % 40), 'n' || (n / :instances), 1, 'user' || (n % 2000), 'role:x',
  CASE WHEN n % 10 = 0 THEN 'pending' ELSE 'done' END,
  datetime('2026-01-01', '-' || n || ' minutes'),
  datetime('2026-01-01', '+' || (n % 97) || ' hours') FROM g;
WITH RECURSIVE g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g WHERE n + 1 < :visits)
INSERT INTO node_visit (instance_id, node, visit, definition_key, definition_version, kind,
  entered_seq, entered_at, left_at, outcome, comment_count)
SELECT printf('%032x', n % :instances), 'n' || (n / :instances), 1,
  'def' || (n % :instances % 40), 1, 'approval', 2,
  datetime('2026-01-01', '-' || n || ' minutes'),
  datetime('2026-01-01', '-' || n || ' minutes', '+2 hours'), 'approved', 0 FROM g
"""


def _fill(db: Database) -> None:
    pg = db.dialect == "postgresql"
    sizes = ({"instances": 20_000, "rows": 200_000, "visits": 100_000} if pg
             else {"instances": 2_000, "rows": 20_000, "visits": 10_000})
    # Load the way a bulk import would: secondary indexes dropped, then built again from
    # the very same definitions (the models'), which is much faster than maintaining them
    # row by row; the schema is checked against the migrations afterwards.
    indexes = [ix for name in ("task", "node_visit", "instance")
               for ix in metadata.tables[name].indexes]
    with db.engine.begin() as conn:
        for ix in indexes:
            ix.drop(conn)
        if pg:  # skip the per-row foreign key triggers during this synthetic load
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        for statement in (PG if pg else SQLITE).split(";\n"):
            if not statement.startswith("ANALYZE"):
                conn.execute(sa.text(statement), sizes)
        for ix in indexes:
            ix.create(conn)
    with db.engine.begin() as conn:
        conn.execute(sa.text("ANALYZE"))


@contextmanager
def _captured(db: Database) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def listen(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, params))

    event.listen(db.read_engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(db.read_engine, "before_cursor_execute", listen)


def _plans(db: Database, read: Callable[[Any], object]) -> list[str]:
    with _captured(db) as seen, db.session(write=False) as s:
        read(s)
    prefix = "EXPLAIN " if db.dialect == "postgresql" else "EXPLAIN QUERY PLAN "
    plans = []
    with db.read_engine.connect() as conn:
        for statement, params in seen:
            rows = conn.exec_driver_sql(prefix + statement, params).all()
            plans.append("\n".join(" ".join(str(c) for c in r) for r in rows))
    return plans


def test_reads_use_their_indexes(db: Database, db_url: str) -> None:
    _fill(db)
    assert schema_differences(db_url) == []
    inbox = _plans(db, lambda s: queries.inbox(s, "user10"))
    assert len(inbox) == 2  # the page and the total
    assert all("ix_task_inbox" in p for p in inbox), inbox
    filtered = _plans(db, lambda s: queries.inbox(s, "user7", definition="def7",
                                                  node="n3", sort="created"))
    assert all("ix_task_inbox" in p for p in filtered), filtered
    visits = _plans(db, lambda s: queries.node_visits(s, "def3"))
    assert "ix_node_visit_definition_node" in visits[0], visits
    mine = _plans(db, lambda s: queries.list_instances(s, "user5", "mine"))
    assert all("ix_instance_initiator_started" in p for p in mine), mine
    with db.session(write=False) as s:
        rows, total = queries.inbox(s, "user10")
    expected = 100 if db.dialect == "postgresql" else 10  # user10's tasks are all pending
    assert total == expected and len(rows) == min(50, expected)
    assert [r.task.due_at for r in rows] == sorted(r.task.due_at for r in rows)  # type: ignore[type-var]
