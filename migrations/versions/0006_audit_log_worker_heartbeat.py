"""audit_log.request_id (the request an audit row came from) with indexes to list the
log by time and by actor; worker_heartbeat (readiness).

Revision ID: 0006
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_log') as batch:
        batch.add_column(sa.Column('request_id', sa.String(length=128), nullable=True))
    op.create_index('ix_audit_log_at', 'audit_log', ['at'])
    op.create_index('ix_audit_log_actor_at', 'audit_log', ['actor', 'at'])
    op.create_table(
        'worker_heartbeat',
        sa.Column('worker_id', sa.String(length=200), nullable=False),
        sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('worker_id', name=op.f('pk_worker_heartbeat')),
    )


def downgrade() -> None:
    op.drop_table('worker_heartbeat')
    op.drop_index('ix_audit_log_actor_at', table_name='audit_log')
    op.drop_index('ix_audit_log_at', table_name='audit_log')
    with op.batch_alter_table('audit_log') as batch:
        batch.drop_column('request_id')
