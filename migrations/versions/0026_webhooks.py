"""Webhooks: endpoints and deliveries; the overdue mark of tasks and the target side of KPIs

Revision ID: 0026_webhooks
Revises: 0025_crm_api_indexes
Create Date: 2026-11-29 22:00:39.073812

"""
from alembic import op
import sqlalchemy as sa

import planner.db


# revision identifiers, used by Alembic.
revision = '0026_webhooks'
down_revision = '0025_crm_api_indexes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('webhook_endpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('secret', sa.String(length=100), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('disabled_reason', sa.Enum('manual', 'failing', 'gone', name='disabledreason', native_enum=False, length=32), nullable=True),
    sa.Column('disabled_at', planner.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('failed_in_a_row', sa.Integer(), nullable=False),
    sa.Column('last_success_at', planner.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', planner.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', planner.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_webhook_endpoints_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_webhook_endpoints_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_endpoints'))
    )
    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_endpoints_project_id'), ['project_id'], unique=False)

    op.create_table('webhook_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('endpoint_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('message_id', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('test', sa.Boolean(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'sending', 'succeeded', 'failed', name='deliverystate', native_enum=False, length=32), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', planner.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', planner.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claimed_at', planner.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_attempt_at', planner.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('response_status', sa.Integer(), nullable=True),
    sa.Column('response_excerpt', sa.Text(), nullable=False),
    sa.Column('error_code', sa.String(length=30), nullable=False),
    sa.Column('error_detail', sa.String(length=300), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoints.id'], name=op.f('fk_webhook_deliveries_endpoint_id_webhook_endpoints'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_webhook_deliveries_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries'))
    )
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_deliveries_endpoint_created', ['endpoint_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_webhook_deliveries_state_due', ['state', 'next_attempt_at'], unique=False)

    with op.batch_alter_table('change_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('overdue_signalled_for', sa.Date(), nullable=True))

    with op.batch_alter_table('kpi_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target_reached', sa.Boolean(), nullable=True))



def downgrade():
    with op.batch_alter_table('kpi_settings', schema=None) as batch_op:
        batch_op.drop_column('target_reached')

    with op.batch_alter_table('change_tasks', schema=None) as batch_op:
        batch_op.drop_column('overdue_signalled_for')

    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_deliveries_state_due')
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_project_id'))
        batch_op.drop_index('ix_webhook_deliveries_endpoint_created')

    op.drop_table('webhook_deliveries')
    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_endpoints_project_id'))

    op.drop_table('webhook_endpoints')
