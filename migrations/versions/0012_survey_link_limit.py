"""feedback: a survey link can be limited to a number of answers

Revision ID: 0012_survey_link_limit
Revises: 0011_kpi_indexes
Create Date: 2026-11-29 15:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_survey_link_limit'
down_revision = '0011_kpi_indexes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('feedback_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('max_answers', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('feedback_links', schema=None) as batch_op:
        batch_op.drop_column('max_answers')
