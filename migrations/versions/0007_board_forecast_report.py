"""The live board and early warnings: forecast, risk_flag, report_claim.

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0004'
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table('forecast',
    sa.Column('instance_id', sa.Uuid(), nullable=False),
    sa.Column('definition_key', sa.String(length=100), nullable=False),
    _at('deadline_at'), _at('due_at'), _at('median_at'), _at('p80_at'),
    _at('step_median_at'),
    sa.Column('deadline_risk', sa.Boolean(), nullable=False),
    sa.Column('sla_risk', sa.Boolean(), nullable=False),
    sa.Column('at_risk', sa.Boolean(), nullable=False),
    _at('computed_at', nullable=False),
    sa.PrimaryKeyConstraint('instance_id', name=op.f('pk_forecast'))
    )
    op.create_index('ix_forecast_risk', 'forecast', ['at_risk', 'p80_at'], unique=False)
    op.create_index('ix_forecast_deadline', 'forecast', ['deadline_at'], unique=False)
    op.create_table('risk_flag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Uuid(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('instance_id', sa.Uuid(), nullable=False),
    sa.Column('definition_key', sa.String(length=100), nullable=False),
    _at('at', nullable=False), _at('expected_at'), _at('limit_at'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_flag')),
    sa.UniqueConstraint('subject_id', 'reason', name=op.f('uq_risk_flag_subject_id_reason'))
    )
    op.create_index(op.f('ix_risk_flag_instance_id'), 'risk_flag', ['instance_id'],
                    unique=False)
    op.create_table('report_claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report', sa.String(length=100), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('recipient', sa.String(length=100), nullable=False),
    sa.Column('message_id', sa.Uuid(), nullable=False),
    _at('at', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_claim')),
    sa.UniqueConstraint('report', 'day', 'recipient',
                        name=op.f('uq_report_claim_report_day_recipient'))
    )


def downgrade() -> None:
    op.drop_table('report_claim')
    op.drop_index(op.f('ix_risk_flag_instance_id'), table_name='risk_flag')
    op.drop_table('risk_flag')
    op.drop_index('ix_forecast_deadline', table_name='forecast')
    op.drop_index('ix_forecast_risk', table_name='forecast')
    op.drop_table('forecast')
