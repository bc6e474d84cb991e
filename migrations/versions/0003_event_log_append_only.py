"""event_log is append-only in the database too: UPDATE and DELETE (and TRUNCATE on
PostgreSQL) are refused by triggers, whoever connects.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

PG_UP = [
    """CREATE FUNCTION event_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'event_log is append-only: % refused', TG_OP; END $$""",
    """CREATE TRIGGER event_log_no_change BEFORE UPDATE OR DELETE ON event_log
    FOR EACH ROW EXECUTE FUNCTION event_log_append_only()""",
    """CREATE TRIGGER event_log_no_truncate BEFORE TRUNCATE ON event_log
    FOR EACH STATEMENT EXECUTE FUNCTION event_log_append_only()""",
]
PG_DOWN = [
    "DROP TRIGGER event_log_no_truncate ON event_log",
    "DROP TRIGGER event_log_no_change ON event_log",
    "DROP FUNCTION event_log_append_only()",
]
SQLITE_UP = [
    f"""CREATE TRIGGER event_log_no_{op_name.lower()} BEFORE {op_name} ON event_log
    BEGIN SELECT RAISE(ABORT, 'event_log is append-only: {op_name} refused'); END"""
    for op_name in ("UPDATE", "DELETE")
]
SQLITE_DOWN = ["DROP TRIGGER event_log_no_update", "DROP TRIGGER event_log_no_delete"]


def _run(statements: dict[str, list[str]]) -> None:
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def upgrade() -> None:
    _run({"postgresql": PG_UP, "sqlite": SQLITE_UP})


def downgrade() -> None:
    _run({"postgresql": PG_DOWN, "sqlite": SQLITE_DOWN})
