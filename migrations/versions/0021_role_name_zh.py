"""org_role.name_zh: a role's Chinese name in a column of its own.

A first cut kept it in ``description`` after a line break; rows written that way are
split here.

Revision ID: 0021
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0009'
branch_labels = None
depends_on = None

_role = sa.table('org_role', sa.column('name', sa.String), sa.column('description', sa.String),
                 sa.column('name_zh', sa.String))


def upgrade() -> None:
    with op.batch_alter_table('org_role') as batch:
        batch.add_column(sa.Column('name_zh', sa.String(length=100), nullable=True))
    conn = op.get_bind()
    for name, description in conn.execute(sa.select(_role.c.name, _role.c.description)).all():
        head, _, zh = (description or "").partition("\n")
        if zh:
            conn.execute(_role.update().where(_role.c.name == name)
                         .values(description=head, name_zh=zh[:100]))


def downgrade() -> None:
    with op.batch_alter_table('org_role') as batch:
        batch.drop_column('name_zh')
