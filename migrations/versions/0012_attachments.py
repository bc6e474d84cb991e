"""Attachments: the metadata of uploaded files (the bytes live in the attachment store).

Revision ID: 0012
Revises: 0013
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('attachment',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('instance_id', sa.Uuid(), nullable=True),
    sa.Column('seq', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('replaces', sa.Uuid(), nullable=True),
    sa.Column('field', sa.String(length=100), nullable=True),
    sa.Column('uploaded_by', sa.String(length=100), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment'))
    )
    op.create_index('ix_attachment_instance', 'attachment', ['instance_id', 'seq'],
                    unique=False)
    op.create_index('ix_attachment_staged', 'attachment', ['uploaded_by', 'instance_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_attachment_staged', table_name='attachment')
    op.drop_index('ix_attachment_instance', table_name='attachment')
    op.drop_table('attachment')
