"""retired_process: processes no new request may start (running ones finish).

Revision ID: 0013
Revises: 0015
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'retired_process',
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('retired_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('retired_by', sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_retired_process')),
    )


def downgrade() -> None:
    op.drop_table('retired_process')
