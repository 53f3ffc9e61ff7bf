"""Opportunities keep the date they are expected to close (CRM exports fill "Close Date" on open deals)

Revision ID: 0022_expected_close
Revises: 0021_other_fields
Create Date: 2026-11-29 22:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_expected_close'
down_revision = '0021_other_fields'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('crm_opportunities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expected_close_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('crm_opportunities', schema=None) as batch_op:
        batch_op.drop_column('expected_close_on')
