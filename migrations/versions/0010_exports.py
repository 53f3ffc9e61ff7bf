"""exports: members' private calendar feed tokens (only their SHA-256 hash is stored)

Revision ID: 0010_exports
Revises: 0009_rollout
Create Date: 2026-11-23 05:34:13.015355

"""
from alembic import op
import sqlalchemy as sa

import planner.db


# revision identifiers, used by Alembic.
revision = '0010_exports'
down_revision = '0009_rollout'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', planner.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', planner.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['project_members.id'], name=op.f('fk_calendar_tokens_member_id_project_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_calendar_tokens_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_tokens')),
    sa.UniqueConstraint('member_id', name=op.f('uq_calendar_tokens_member_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_tokens_token_hash'))
    )
    with op.batch_alter_table('calendar_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_tokens_project_id'), ['project_id'], unique=False)



def downgrade():
    with op.batch_alter_table('calendar_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_tokens_project_id'))

    op.drop_table('calendar_tokens')
