"""timer_basis: the working calendar the timer rows were computed on.

Revision ID: 0008
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'timer_basis',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('calendar', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_timer_basis')),
    )


def downgrade() -> None:
    op.drop_table('timer_basis')
