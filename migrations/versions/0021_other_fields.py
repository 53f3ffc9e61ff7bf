"""CRM records keep the columns of an imported file that feed no field (other_fields)

Revision ID: 0021_other_fields
Revises: 0020_api_tokens
Create Date: 2026-11-29 19:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_other_fields'
down_revision = '0020_api_tokens'
branch_labels = None
depends_on = None

TABLES = ('crm_accounts', 'crm_contacts', 'crm_interactions', 'crm_cases', 'crm_opportunities')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('other_fields', sa.JSON(), nullable=True))


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('other_fields')
