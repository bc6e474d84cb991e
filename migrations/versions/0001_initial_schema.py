"""Initial schema: definitions, instances, tasks, event log, node visits, org, idempotency.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('token_hash', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
    )
    op.create_index(op.f('ix_api_token_username'), 'api_token', ['username'], unique=False)
    op.create_table('app_user',
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=300), nullable=True),
    sa.Column('manager', sa.String(length=100), nullable=True),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('is_process_owner', sa.Boolean(), nullable=False),
    sa.Column('password_hash', sa.String(length=300), nullable=True),
    sa.Column('locale', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('username', name=op.f('pk_app_user'))
    )
    op.create_table('definition_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_definition_version')),
    sa.UniqueConstraint('key', 'version', name=op.f('uq_definition_version_key_version'))
    )
    op.create_table('event_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('instance_id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_log')),
    sa.UniqueConstraint('instance_id', 'seq', name=op.f('uq_event_log_instance_id_seq'))
    )
    op.create_index(op.f('ix_event_log_at'), 'event_log', ['at'], unique=False)
    op.create_table('idempotency_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_record')),
    sa.UniqueConstraint('key', 'username', name=op.f('uq_idempotency_record_key_username'))
    )
    op.create_index(op.f('ix_idempotency_record_created_at'), 'idempotency_record', ['created_at'], unique=False)
    op.create_table('instance',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('definition_key', sa.String(length=100), nullable=False),
    sa.Column('definition_version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('initiator', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('node', sa.String(length=100), nullable=True),
    sa.Column('node_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instance'))
    )
    op.create_index('ix_instance_definition_started', 'instance', ['definition_key', 'started_at'], unique=False)
    op.create_index('ix_instance_initiator_started', 'instance', ['initiator', 'started_at'], unique=False)
    op.create_index('ix_instance_status_started', 'instance', ['status', 'started_at'], unique=False)
    op.create_table('org_role',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_org_role'))
    )
    op.create_table('out_of_office',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('delegate_to', sa.String(length=100), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_out_of_office'))
    )
    op.create_index(op.f('ix_out_of_office_username'), 'out_of_office', ['username'], unique=False)
    op.create_table('cc',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Uuid(), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('node', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instance.id'], name=op.f('fk_cc_instance_id_instance')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cc'))
    )
    op.create_index(op.f('ix_cc_instance_id'), 'cc', ['instance_id'], unique=False)
    op.create_index('ix_cc_username_at', 'cc', ['username', 'at'], unique=False)
    op.create_table('node_visit',
    sa.Column('instance_id', sa.Uuid(), nullable=False),
    sa.Column('node', sa.String(length=100), nullable=False),
    sa.Column('visit', sa.Integer(), nullable=False),
    sa.Column('definition_key', sa.String(length=100), nullable=False),
    sa.Column('definition_version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('comment_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instance.id'], name=op.f('fk_node_visit_instance_id_instance')),
    sa.PrimaryKeyConstraint('instance_id', 'node', 'visit', name=op.f('pk_node_visit'))
    )
    op.create_index('ix_node_visit_decided_by', 'node_visit', ['decided_by', 'decided_at'], unique=False)
    op.create_index('ix_node_visit_definition_node', 'node_visit', ['definition_key', 'node', 'entered_at'], unique=False)
    op.create_table('task',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('instance_id', sa.Uuid(), nullable=False),
    sa.Column('definition_key', sa.String(length=100), nullable=False),
    sa.Column('node', sa.String(length=100), nullable=False),
    sa.Column('visit', sa.Integer(), nullable=False),
    sa.Column('assignee', sa.String(length=100), nullable=False),
    sa.Column('rule', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=True),
    sa.Column('added_by', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['instance.id'], name=op.f('fk_task_instance_id_instance')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task'))
    )
    op.create_index('ix_task_definition_node', 'task', ['definition_key', 'node', 'status'], unique=False)
    op.create_index('ix_task_inbox', 'task', ['assignee', 'status', 'due_at'], unique=False)
    op.create_index(op.f('ix_task_instance_id'), 'task', ['instance_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_task_instance_id'), table_name='task')
    op.drop_index('ix_task_inbox', table_name='task')
    op.drop_index('ix_task_definition_node', table_name='task')
    op.drop_table('task')
    op.drop_index('ix_node_visit_definition_node', table_name='node_visit')
    op.drop_index('ix_node_visit_decided_by', table_name='node_visit')
    op.drop_table('node_visit')
    op.drop_index('ix_cc_username_at', table_name='cc')
    op.drop_index(op.f('ix_cc_instance_id'), table_name='cc')
    op.drop_table('cc')
    op.drop_index(op.f('ix_out_of_office_username'), table_name='out_of_office')
    op.drop_table('out_of_office')
    op.drop_table('org_role')
    op.drop_index('ix_instance_status_started', table_name='instance')
    op.drop_index('ix_instance_initiator_started', table_name='instance')
    op.drop_index('ix_instance_definition_started', table_name='instance')
    op.drop_table('instance')
    op.drop_index(op.f('ix_idempotency_record_created_at'), table_name='idempotency_record')
    op.drop_table('idempotency_record')
    op.drop_index(op.f('ix_event_log_at'), table_name='event_log')
    op.drop_table('event_log')
    op.drop_table('definition_version')
    op.drop_table('app_user')
    op.drop_index(op.f('ix_api_token_username'), table_name='api_token')
    op.drop_table('api_token')
