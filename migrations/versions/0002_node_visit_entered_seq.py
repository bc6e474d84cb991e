"""node_visit.entered_seq: the order of visits entered at the same instant.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('node_visit') as batch_op:
        batch_op.add_column(sa.Column('entered_seq', sa.Integer(), nullable=False,
                                      server_default='0'))
    with op.batch_alter_table('node_visit') as batch_op:
        batch_op.alter_column('entered_seq', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('node_visit') as batch_op:
        batch_op.drop_column('entered_seq')
