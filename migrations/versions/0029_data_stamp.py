"""The data stamp: changes with every commit that changes data behind a cached page (planner.datastamp)

Revision ID: 0029_data_stamp
Revises: 0028_kpi_case_index
Create Date: 2026-11-30 01:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0029_data_stamp'
down_revision = '0028_kpi_case_index'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('data_stamps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stamp', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_stamps'))
    )


def downgrade():
    op.drop_table('data_stamps')
