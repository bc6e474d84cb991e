"""org_version: one number the database raises whenever the org directory changes.

Every request checked its cached directory against a fingerprint the database computed
over every user, role and unit row (``json_agg`` and ``sha256`` over the whole
directory, twice per approval). Triggers on the directory's columns now raise
``org_version.version`` in the same transaction as the change, so the check reads one row.
Columns outside the directory (password hashes, sign-in counters) do not raise it.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

# the columns the directory is made of (engine.store.org.load_directory)
WATCHED = {
    "app_user": ("username", "name", "name_zh", "email", "manager", "roles", "is_admin",
                 "is_process_owner", "locale", "token_version", "unit", "left_at"),
    "org_role": ("name", "description", "name_zh"),
    "org_unit": ("id", "name", "name_zh", "kind", "parent", "head"),
}
BUMP = "UPDATE org_version SET version = version + 1 WHERE id = 1"


def _pg_up() -> list[str]:
    out = [f"""CREATE FUNCTION org_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN {BUMP}; RETURN NULL; END $$"""]
    for table, cols in WATCHED.items():
        out.append(f"""CREATE TRIGGER {table}_org_version AFTER INSERT OR DELETE OR
            UPDATE OF {', '.join(cols)} ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION org_version_bump()""")
        out.append(f"""CREATE TRIGGER {table}_org_version_truncate AFTER TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION org_version_bump()""")
    return out


def _sqlite_up() -> list[str]:
    out = []
    for table, cols in WATCHED.items():
        for name, when in (("insert", "INSERT"), ("delete", "DELETE"),
                           ("update", f"UPDATE OF {', '.join(cols)}")):
            out.append(f"CREATE TRIGGER {table}_org_version_{name} AFTER {when} ON {table} "
                       f"BEGIN {BUMP}; END")
    return out


def upgrade() -> None:
    op.create_table(
        'org_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_org_version')),
    )
    op.execute("INSERT INTO org_version (id, version) VALUES (1, 0)")
    dialect = op.get_bind().dialect.name
    for statement in {"postgresql": _pg_up(), "sqlite": _sqlite_up()}.get(dialect, []):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in WATCHED:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER {table}_org_version ON {table}")
            op.execute(f"DROP TRIGGER {table}_org_version_truncate ON {table}")
        elif dialect == "sqlite":
            for name in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER {table}_org_version_{name}")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION org_version_bump()")
    op.drop_table('org_version')
