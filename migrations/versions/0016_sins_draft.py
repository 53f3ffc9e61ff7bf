"""seven-sins self-assessment: the round in progress (a saved draft per project)

Revision ID: 0016_sins_draft
Revises: 0015_guide
Create Date: 2026-11-29 16:00:00

"""
from alembic import op
import sqlalchemy as sa

import planner.db


# revision identifiers, used by Alembic.
revision = '0016_sins_draft'
down_revision = '0015_guide'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sin_assessment_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('updated_at', planner.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_sin_assessment_drafts_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_sin_assessment_drafts_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sin_assessment_drafts')),
    sa.UniqueConstraint('project_id', name=op.f('uq_sin_assessment_drafts_project_id'))
    )


def downgrade():
    op.drop_table('sin_assessment_drafts')
