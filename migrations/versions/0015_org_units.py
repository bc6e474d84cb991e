"""Org units: org_unit (regions, departments, stores: parent unit and head),
app_user.unit (the unit a user belongs to) and app_user.left_at (set by an org sync when
a user has left: kept for history, out of the directory).

Revision ID: 0015
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'org_unit',
        sa.Column('id', sa.String(length=100), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('name_zh', sa.String(length=200), nullable=True),
        sa.Column('kind', sa.String(length=50), nullable=False),
        sa.Column('parent', sa.String(length=100), nullable=True),
        sa.Column('head', sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_org_unit')),
    )
    with op.batch_alter_table('app_user') as batch:
        batch.add_column(sa.Column('unit', sa.String(length=100), nullable=True))
        batch.add_column(sa.Column('left_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('app_user') as batch:
        batch.drop_column('left_at')
        batch.drop_column('unit')
    op.drop_table('org_unit')
