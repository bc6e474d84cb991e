"""risk_threshold: per process, the at-risk threshold the live forecast uses, chosen by
the worker from the finished requests with the backtest's rule, and the history it was
chosen from (engine.forecast.warn_chances).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'risk_threshold',
        sa.Column('definition_key', sa.String(length=100), nullable=False),
        sa.Column('warn_chance', sa.Float(), nullable=False),
        sa.Column('misses', sa.Integer(), nullable=False),
        sa.Column('finished', sa.Integer(), nullable=False),
        sa.Column('until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('definition_key', name=op.f('pk_risk_threshold')),
    )


def downgrade() -> None:
    op.drop_table('risk_threshold')
