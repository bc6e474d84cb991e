"""Request numbers (instance.number, number_sequence; existing requests numbered in the
order they started) and the indexes of lists that scale: newest first, the running
requests of the board (partial), pending tasks by due time (partial, for overdue), and on
PostgreSQL a trigram index for search over number, title and form values
(instance.search, filled here for existing requests; pg_trgm, when
the extension can be created; without it search still works, by scanning).

Revision ID: 0010
Revises: 0012
Create Date: 2026-12-01
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import yaml
from alembic import op

revision = '0010'
down_revision = '0012'
branch_labels = None
depends_on = None

RUNNING = "status IN ('running', 'returned')"
# engine.queries.SEARCH_SQL: the same expression, so the planner matches the index
SEARCH_SQL = "lower(coalesce(number, '')) || ' ' || search"


def _search_text(title: str, data: Any) -> str:
    # a copy of engine.store.projections.search_text as it was at this revision
    parts = [title]

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif value is not None and not isinstance(value, bool):
            parts.append(str(value))

    walk(data)
    return " ".join(p for p in parts if p).lower()


def _derived(key: str) -> str:
    # a copy of engine.core.definition.derived_prefix as it was at this revision
    words = [w for w in re.split(r"[^A-Za-z0-9]+", key) if w]
    if len(words) == 1:
        return words[0][:3].upper()
    return "".join(w[0] for w in words).upper()[:10] or "REQ"


def _prefixes(conn: sa.Connection) -> dict[str, str]:
    out: dict[str, str] = {}
    rows = conn.execute(sa.text(
        "SELECT key, source FROM definition_version ORDER BY key, version")).all()
    for key, source in rows:  # the newest version of each key wins
        try:
            doc = yaml.safe_load(source)
        except yaml.YAMLError:
            doc = None
        declared = doc.get("number_prefix") if isinstance(doc, dict) else None
        out[key] = str(declared) if declared else _derived(key)
    return out


def _backfill(conn: sa.Connection) -> None:
    tz = ZoneInfo(os.environ.get("SIGNOFF_CALENDAR_TIMEZONE") or "Asia/Shanghai")
    prefixes = _prefixes(conn)
    last: dict[tuple[str, int], int] = {}
    batch: list[dict[str, Any]] = []
    update = sa.text("UPDATE instance SET number = :n, search = :s WHERE id = :i")
    rows = conn.execute(sa.text(
        "SELECT id, definition_key, started_at, title, data FROM instance "
        "ORDER BY started_at, id"))
    for iid, key, started, title, data in rows.all():
        if isinstance(data, str):
            data = json.loads(data)
        if isinstance(started, str):
            started = datetime.fromisoformat(started)
        if started.tzinfo is None:
            started = started.replace(tzinfo=UTC)
        prefix = prefixes.get(key) or _derived(key)
        year = started.astimezone(tz).year
        seq = last[(prefix, year)] = last.get((prefix, year), 0) + 1
        batch.append({"n": f"{prefix}-{year}-{seq:05d}", "s": _search_text(title, data),
                      "i": iid})
        if len(batch) >= 5000:
            conn.execute(update, batch)
            batch = []
    if batch:
        conn.execute(update, batch)
    if last:
        conn.execute(sa.text("INSERT INTO number_sequence (prefix, year, last) "
                             "VALUES (:p, :y, :l)"),
                     [{"p": p, "y": y, "l": n} for (p, y), n in last.items()])


def upgrade() -> None:
    op.create_table(
        'number_sequence',
        sa.Column('prefix', sa.String(length=10), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('last', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('prefix', 'year', name=op.f('pk_number_sequence')),
    )
    with op.batch_alter_table('instance') as batch:
        batch.add_column(sa.Column('number', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('search', sa.Text(), nullable=False, server_default=''))
    conn = op.get_bind()
    _backfill(conn)
    op.create_index('ix_instance_number', 'instance', ['number'], unique=True)
    op.create_index('ix_instance_started', 'instance', ['started_at', 'id'])
    op.create_index('ix_instance_title', 'instance', ['title', 'id'])
    op.create_index('ix_instance_running_started', 'instance', ['started_at', 'id'],
                    postgresql_where=sa.text(RUNNING), sqlite_where=sa.text(RUNNING))
    op.create_index('ix_task_pending_due', 'task', ['due_at', 'instance_id'],
                    postgresql_where=sa.text("status = 'pending'"),
                    sqlite_where=sa.text("status = 'pending'"))
    if conn.dialect.name == "postgresql":
        try:
            # in public when it exists, so dropping this schema never drops it
            with conn.begin_nested():
                public = conn.execute(sa.text(
                    "SELECT 1 FROM pg_namespace WHERE nspname = 'public'")).scalar()
                conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"
                                     + (" SCHEMA public" if public else "")))
        except sa.exc.DBAPIError:
            return  # no pg_trgm here: search scans (docs/bench.md)
        # the extension may live in another schema than the tables: name it
        schema = conn.execute(sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
            "ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'")).scalar_one()
        op.execute(f'CREATE INDEX ix_instance_search ON instance USING gin '
                   f'(({SEARCH_SQL}) "{schema}".gin_trgm_ops)')


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_instance_search")
    op.drop_index('ix_task_pending_due', table_name='task')
    op.drop_index('ix_instance_running_started', table_name='instance')
    op.drop_index('ix_instance_title', table_name='instance')
    op.drop_index('ix_instance_started', table_name='instance')
    op.drop_index('ix_instance_number', table_name='instance')
    with op.batch_alter_table('instance') as batch:
        batch.drop_column('search')
        batch.drop_column('number')
    op.drop_table('number_sequence')
