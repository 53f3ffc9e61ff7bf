"""jobs: import jobs run in the worker (state, claim, progress, preview); uploads stored in the database

Revision ID: 0014_jobs
Revises: 0013_form_submissions
Create Date: 2026-11-29 15:44:57.016908

"""
from alembic import op
import sqlalchemy as sa

import planner.db


# revision identifiers, used by Alembic.
revision = '0014_jobs'
down_revision = '0013_form_submissions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('backend', sa.String(length=8), nullable=False),
    sa.Column('created_at', planner.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_uploads')),
    sa.UniqueConstraint('key', name=op.f('uq_uploads_key'))
    )
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_uploads_created_at'), ['created_at'], unique=False)

    op.create_table('upload_chunks',
    sa.Column('upload_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['upload_id'], ['uploads.id'], name=op.f('fk_upload_chunks_upload_id_uploads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('upload_id', 'seq', name=op.f('pk_upload_chunks'))
    )
    with op.batch_alter_table('crm_import_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('preview', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('state', sa.Enum('idle', 'queued', 'running', 'failed', name='jobstate', native_enum=False, length=32), nullable=False, server_default='idle'))
        batch_op.add_column(sa.Column('work', sa.String(length=8), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('claim', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('progress', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('progress_rows', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('heartbeat_at', planner.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('error', sa.String(length=40), nullable=False, server_default=''))



def downgrade():
    with op.batch_alter_table('crm_import_jobs', schema=None) as batch_op:
        batch_op.drop_column('error')
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('progress_rows')
        batch_op.drop_column('progress')
        batch_op.drop_column('claim')
        batch_op.drop_column('work')
        batch_op.drop_column('state')
        batch_op.drop_column('preview')

    op.drop_table('upload_chunks')
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_uploads_created_at'))

    op.drop_table('uploads')
