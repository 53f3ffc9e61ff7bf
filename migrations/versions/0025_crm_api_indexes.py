"""CRM records: indexes for the API's keyset pages with the updated_since filter (project, id,
updated_at) and for the few records changed since a recent moment (project, updated_at, id)

Revision ID: 0025_crm_api_indexes
Revises: 0024_approvals
Create Date: 2026-11-29 22:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0025_crm_api_indexes'
down_revision = '0024_approvals'
branch_labels = None
depends_on = None

TABLES = ('crm_accounts', 'crm_contacts', 'crm_interactions', 'crm_cases', 'crm_opportunities')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(f'ix_{table}_project_keyset', ['project_id', 'id', 'updated_at'], unique=False)
            batch_op.create_index(f'ix_{table}_project_updated', ['project_id', 'updated_at', 'id'], unique=False)


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ix_{table}_project_updated')
            batch_op.drop_index(f'ix_{table}_project_keyset')
