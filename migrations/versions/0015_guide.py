"""guide: projects whose finished setup checklist was put away

Revision ID: 0015_guide
Revises: 0014_jobs
Create Date: 2026-11-29 15:50:00

"""
from alembic import op
import sqlalchemy as sa

import planner.db


# revision identifiers, used by Alembic.
revision = '0015_guide'
down_revision = '0014_jobs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('setup_dismissals',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('dismissed_at', planner.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('dismissed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['dismissed_by_id'], ['users.id'], name=op.f('fk_setup_dismissals_dismissed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_setup_dismissals_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', name=op.f('pk_setup_dismissals'))
    )


def downgrade():
    op.drop_table('setup_dismissals')
